"""The validation report: each inconsistency is caught, and a complete incubatee has none."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from figures.models import FiguresSubmission
from figures.torch.returns import torch_return_build
from figures.torch.rows import FirmYear
from figures.torch.rules import load_rules
from figures.torch.validation import CHECKS, ERROR, WARNING, firm_issues
from portfolio.choices import DatePrecision, ExitReason, Instrument, MarketStatus, RecordOrigin
from portfolio.models import Firm, Residency
from tests.factories import CertificationFactory, FinancingEventFactory, IncubatorFactory, ResidencyFactory
from tests.figures.torch.factories import YEAR, TorchFirmFactory, incubatee, torch_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def incubator():
    return IncubatorFactory(area_m2=Decimal("5000.00"))


def issues_of(incubator, name: str) -> dict[str, str]:
    """code -> severity of the issues found for the firm ``name``."""
    ret = torch_return_build(incubator=incubator, year=YEAR)
    return {i.code: i.severity for i in ret.issues if i.firm == name}


def test_a_complete_incubatee_has_no_issue(incubator):
    incubatee(incubator, name="完整")
    assert issues_of(incubator, "完整") == {}


def test_no_figures_for_the_year_is_an_error(incubator):
    firm = TorchFirmFactory(name="无数字")
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2023, 1, 1))
    torch_figures(firm, year=YEAR - 1)
    assert issues_of(incubator, "无数字")["no_figures"] == ERROR


def test_only_demo_figures_is_an_error_that_says_so(incubator):
    firm = TorchFirmFactory(name="演示数字")
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2023, 1, 1))
    torch_figures(firm, origin=RecordOrigin.DEMO)
    found = issues_of(incubator, "演示数字")
    assert found["figures_demo_only"] == ERROR
    assert "no_figures" not in found


def test_figures_not_accepted_through_a_request_are_a_warning(incubator):
    incubatee(incubator, name="直接录入", figures={"accepted_at": None})
    assert issues_of(incubator, "直接录入")["figures_not_accepted"] == WARNING


def test_a_blank_required_figure_is_an_error_naming_the_field(incubator):
    incubatee(incubator, name="缺数", figures={"imports_exports": None})
    ret = torch_return_build(incubator=incubator, year=YEAR)
    (issue,) = [i for i in ret.issues if i.code == "figures_incomplete"]
    assert issue.severity == ERROR
    assert "21 Imports and exports" in issue.message


def test_a_missing_credit_code_is_an_error(incubator):
    incubatee(incubator, name="无代码", credit_code="")
    found = issues_of(incubator, "无代码")
    assert found["missing_credit_code"] == ERROR
    assert "missing_firm_fields" not in found  # the code is not reported twice


def test_missing_firm_fields_are_one_error_listing_them(incubator):
    incubatee(incubator, name="缺字段", taxpayer_type="", serial_founder=None, residency={"space_m2": None})
    ret = torch_return_build(incubator=incubator, year=YEAR)
    (issue,) = [i for i in ret.issues if i.code == "missing_firm_fields"]
    assert issue.severity == ERROR
    for number in ("8 Taxpayer type", "14 Serial founder", "17 Incubator space occupied"):
        assert number in issue.message


def test_an_industry_code_not_in_the_nbs_form_is_a_warning(incubator):
    incubatee(incubator, name="行业代码", nbs_industry_code="6510")
    assert issues_of(incubator, "行业代码")["nbs_code_format"] == WARNING


def test_an_entry_date_known_only_to_the_year_is_a_warning(incubator):
    incubatee(incubator, name="入孵年份", residency={"entered_precision": DatePrecision.YEAR})
    assert issues_of(incubator, "入孵年份")["entry_date_imprecise"] == WARNING


def test_a_founding_date_known_only_to_the_month_is_a_warning(incubator):
    incubatee(incubator, name="成立月份", founded_precision=DatePrecision.MONTH)
    assert issues_of(incubator, "成立月份")["founded_date_imprecise"] == WARNING


def test_two_stays_in_the_year_are_a_warning_and_one_row(incubator):
    firm, _stay = incubatee(
        incubator,
        name="两次入孵",
        entered_on=datetime.date(2023, 1, 1),
        residency={"exited_on": datetime.date(2024, 3, 1), "exit_reason": ExitReason.MOVED_OUT},
    )
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2024, 9, 1))
    ret = torch_return_build(incubator=incubator, year=YEAR)
    assert [e.name for e in ret.entries] == ["两次入孵"]
    assert ret.entries[0].values["entered_on"] == datetime.date(2024, 9, 1)
    assert issues_of(incubator, "两次入孵")["several_stays"] == WARNING


def test_graduation_without_a_date_is_an_error():
    # The database refuses an exit reason without an exit date; the check guards the row itself.
    firm = Firm(pk=1, name="毕业无日期", credit_code="x")
    entry = FirmYear(firm=firm, residency=Residency(entered_on=datetime.date(2023, 1, 1)))
    entry.values = {"graduated": True, "graduated_on": None}
    found = {i.code: i.severity for i in firm_issues(load_rules(), entry, YEAR)}
    assert found["graduation_without_date"] == ERROR


def test_a_capital_market_status_without_a_date_is_a_warning(incubator):
    incubatee(incubator, name="上市无日期", market_status=MarketStatus.LISTED)
    assert issues_of(incubator, "上市无日期")["market_status_without_date"] == WARNING


def test_graduating_as_hnte_without_a_certificate_is_a_warning(incubator):
    exit_ = {"exited_on": datetime.date(2024, 6, 1), "exit_reason": ExitReason.HNTE_CERTIFIED}
    incubatee(incubator, name="无证毕业", residency=exit_)
    firm, _stay = incubatee(incubator, name="有证毕业", residency=exit_)
    CertificationFactory(firm=firm, issued_on=datetime.date(2024, 5, 1), expires_on=datetime.date(2027, 5, 1))
    assert issues_of(incubator, "无证毕业")["graduation_reason_unsupported"] == WARNING
    assert issues_of(incubator, "有证毕业") == {}


def test_more_ip_granted_than_applied_is_a_warning(incubator):
    incubatee(incubator, name="授权多", figures={"ip_applied": 1, "ip_granted": 3})
    assert issues_of(incubator, "授权多")["ip_granted_above_applied"] == WARNING


def test_ip_kinds_above_the_valid_ip_held_are_an_error(incubator):
    incubatee(
        incubator, name="知识产权", figures={"ip_valid": 3, "invention_patents": 2, "software_copyrights": 2}
    )
    assert issues_of(incubator, "知识产权")["ip_parts_above_valid"] == ERROR


def test_r_and_d_above_revenue_is_a_warning(incubator):
    incubatee(
        incubator,
        name="研发超收入",
        figures={"revenue": Decimal("100000.00"), "rd_expense": Decimal("200000.00")},
    )
    assert issues_of(incubator, "研发超收入")["rd_above_revenue"] == WARNING


def test_net_profit_above_revenue_is_a_warning(incubator):
    incubatee(
        incubator,
        name="利润超收入",
        figures={"revenue": Decimal("100000.00"), "net_profit": Decimal("200000.00")},
    )
    assert issues_of(incubator, "利润超收入")["profit_above_revenue"] == WARNING


def test_taxes_above_revenue_are_a_warning(incubator):
    incubatee(
        incubator,
        name="税超收入",
        figures={"revenue": Decimal("100000.00"), "tax_paid": Decimal("200000.00")},
    )
    assert issues_of(incubator, "税超收入")["tax_above_revenue"] == WARNING


def test_angel_rounds_that_differ_from_the_figures_are_a_warning(incubator):
    firm, _stay = incubatee(incubator, name="融资不符", figures={"angel_vc_received": Decimal("1000000.00")})
    FinancingEventFactory(firm=firm, instrument=Instrument.ANGEL, amount=Decimal("2000000.00"))
    ret = torch_return_build(incubator=incubator, year=YEAR)
    (issue,) = [i for i in ret.issues if i.code == "angel_vc_differs"]
    assert issue.severity == WARNING
    assert "2,000,000.00" in issue.message and "1,000,000.00" in issue.message


def test_angel_rounds_equal_to_the_figures_are_no_issue(incubator):
    firm, _stay = incubatee(incubator, name="融资相符", figures={"angel_vc_received": Decimal("2000000.00")})
    FinancingEventFactory(firm=firm, instrument=Instrument.ANGEL, amount=Decimal("2000000.00"))
    assert issues_of(incubator, "融资相符") == {}


def test_an_angel_round_without_an_amount_is_a_warning(incubator):
    firm, _stay = incubatee(incubator, name="金额不详")
    FinancingEventFactory(firm=firm, instrument=Instrument.SEED, amount=None)
    assert issues_of(incubator, "金额不详")["angel_vc_events_without_amount"] == WARNING


def test_field_26_without_an_accepted_submission_is_a_warning(incubator):
    firm, _stay = incubatee(incubator, name="无填表人")
    FiguresSubmission.objects.filter(firm=firm).delete()
    assert issues_of(incubator, "无填表人")["contacts_missing"] == WARNING


def test_an_incubator_without_its_area_or_incubatees_is_warned():
    incubator = IncubatorFactory(area_m2=None)
    ret = torch_return_build(incubator=incubator, year=YEAR)
    assert {i.code for i in ret.issues} == {"incubator_area_missing", "no_incubatees"}


def test_every_check_has_a_test_here():
    names = Path(__file__).read_text(encoding="utf-8")
    assert [code for code in CHECKS if f'"{code}"' not in names] == []


def test_errors_come_before_warnings_for_each_firm(incubator):
    incubatee(incubator, name="多问题", credit_code="", figures={"accepted_at": None})
    severities = [i.severity for i in torch_return_build(incubator=incubator, year=YEAR).issues]
    assert severities == sorted(severities)  # "error" < "warning"
