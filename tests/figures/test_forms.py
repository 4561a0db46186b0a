"""The figures form: input parsing, the hard limits (mirroring the database), plausibility warnings."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from django.db import IntegrityError, models, transaction
from django.utils import translation

from figures.fields import ALL_FIELDS
from figures.forms import (
    PLAUSIBILITY_PATH,
    FiguresForm,
    PlausibilityRulesError,
    SubmitterForm,
    parse_plausibility,
    plausibility_rules,
)
from portfolio.models import YearlyFigures
from tests.factories import FirmFactory


def clean(name: str, text: str, **kwargs):
    form = FiguresForm([name], data={name: text}, **kwargs)
    form.is_valid()
    return form


# --- amounts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("1200000", Decimal("1200000.00")),
        ("1,200,000", Decimal("1200000.00")),
        (" 1200000.5 ", Decimal("1200000.50")),
        ("12000元", Decimal("12000.00")),
        ("¥12000", Decimal("12000.00")),
        ("0", Decimal("0.00")),
        ("007", Decimal("7.00")),
        ("12.50", Decimal("12.50")),
        ("12.500", Decimal("12.50")),
        ("99999999999999.99", Decimal("99999999999999.99")),
    ],
)
def test_amounts_in_yuan_are_read(text, value):
    form = clean("revenue", text)
    assert form.errors == {}
    assert form.cleaned_data["revenue"] == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("1.2万", "for 1.2万 enter 12000"),
        ("120万元", "for 1.2万 enter 12000"),
        ("1.2w", "for 1.2万 enter 12000"),
        ("3亿", "for 1.2万 enter 12000"),
        ("１２０００", "Use ordinary digits (0-9) and enter the amount in yuan, e.g. 12000."),
        ("12，000", "Use ordinary digits"),
        ("12000。5", "Use ordinary digits"),
        ("￥12000", "Use ordinary digits"),
        ("1e5", "Enter a number in yuan"),
        ("12,00", "Enter a number in yuan"),
        ("1 200", "Enter a number in yuan"),
        ("abc", "Enter a number in yuan"),
        ("12.345", "At most 2 decimal places"),
        ("-5", "This cannot be negative."),
        ("100000000000000", "This number is too large."),
        ("9" * 100, "This number is too large."),
        ("", "Enter a number; enter 0 if there is none."),
    ],
)
def test_bad_amounts_are_refused_with_a_message_saying_what_to_type(text, message):
    form = clean("revenue", text)
    assert message in form.errors["revenue"][0]


def test_net_profit_may_be_negative():
    form = clean("net_profit", "-350,000")
    assert form.cleaned_data["net_profit"] == Decimal("-350000.00")


def test_errors_speak_the_active_language():
    with translation.override("zh-hans"):
        form = clean("taxpayer_type", "huge")
        assert "选项" in form.errors["taxpayer_type"][0]  # Django's own Chinese


# --- counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [("12", 12), ("1,200", 1200), ("12.0", 12), ("+3", 3), ("-0", 0)])
def test_counts_are_read(text, value):
    assert clean("employees", text).cleaned_data["employees"] == value


@pytest.mark.parametrize(
    "text, message",
    [
        ("12.5", "Enter a whole number"),
        ("-1", "This cannot be negative."),
        ("１２", "Use ordinary digits (0-9), e.g. 12."),
        ("3000000000", "This number is too large."),
        ("twelve", "Enter a whole number"),
    ],
)
def test_bad_counts_are_refused(text, message):
    assert message in clean("employees", text).errors["employees"][0]


# --- firm facts and people ------------------------------------------------------------------------


def test_choices_yes_no_and_text_are_cleaned_ready_to_write():
    form = FiguresForm(
        ["taxpayer_type", "serial_founder", "nbs_industry_code", "registration_type", "phone"],
        data={
            "taxpayer_type": "general",
            "serial_founder": "no",
            "nbs_industry_code": "i6510",
            "registration_type": " 有限责任公司 ",
            "phone": "0532-88886666",
        },
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "taxpayer_type": "general",
        "serial_founder": False,
        "nbs_industry_code": "I6510",
        "registration_type": "有限责任公司",
        "phone": "0532-88886666",
    }
    assert form.values_as_text()["serial_founder"] == "no"


@pytest.mark.parametrize(
    "name, text",
    [
        ("taxpayer_type", "huge"),
        ("serial_founder", "maybe"),
        ("nbs_industry_code", "Software"),
        ("phone", "call me"),
        ("registration_type", "x" * 61),
        ("form_filler", "a\x00b"),
    ],
)
def test_bad_firm_facts_and_people_are_refused(name, text):
    assert name in clean(name, text).errors


def test_fields_are_optional_when_not_all_are_required():
    form = FiguresForm(["revenue", "serial_founder"], data={}, require_all=False)
    assert form.is_valid()
    assert form.cleaned_data == {"revenue": None, "serial_founder": None}


def test_unknown_fields_are_ignored():
    form = FiguresForm(["revenue", "bogus"], data={"revenue": "1", "bogus": "x", "other": "y"})
    assert form.is_valid() and list(form.cleaned_data) == ["revenue"]


# --- hard limits ----------------------------------------------------------------------------------

LIMIT_CASES = [
    ("rd_expense", "total_cost", "R&D expense cannot be more than total costs and expenses (100)."),
    ("rd_expense_domestic", "rd_expense", "R&D expense in China cannot be more than R&D expense (100)."),
    ("high_tech_revenue", "revenue", "High-tech revenue cannot be more than sales revenue (100)."),
    ("rd_staff", "employees", "Technology staff cannot be more than employees (100)."),
    ("staff_college", "employees", "cannot be more than employees (100)."),
    ("staff_phd", "staff_college", "counted among the college-educated (100)."),
    ("staff_returnees", "employees", "cannot be more than employees (100)."),
    ("staff_talent_plan", "employees", "cannot be more than employees (100)."),
    ("staff_fresh_graduates", "employees", "cannot be more than employees (100)."),
]


@pytest.mark.parametrize("part, whole, message", LIMIT_CASES)
def test_a_part_above_its_whole_is_an_error_on_the_part(part, whole, message):
    form = FiguresForm([part, whole], data={part: "101", whole: "100"})
    assert not form.is_valid()
    assert message in form.errors[part][0]
    assert whole not in form.errors


@pytest.mark.parametrize("part, whole, message", LIMIT_CASES)
def test_a_part_equal_to_its_whole_is_fine(part, whole, message):
    assert FiguresForm([part, whole], data={part: "100", whole: "100"}).is_valid()


def test_a_part_is_checked_against_the_stored_whole_when_the_form_does_not_ask_for_it():
    current = YearlyFigures(employees=10)
    form = FiguresForm(["rd_staff"], data={"rd_staff": "11"}, current=current)
    assert "Technology staff cannot be more than employees (10)." in form.errors["rd_staff"][0]


def test_a_whole_is_checked_against_the_stored_part_when_the_form_does_not_ask_for_it():
    current = YearlyFigures(rd_staff=12)
    form = FiguresForm(["employees"], data={"employees": "11"}, current=current)
    assert "Technology staff cannot be more than employees (11)." in form.errors["employees"][0]


def test_ip_granted_above_applied_is_a_warning_not_an_error():
    form = FiguresForm(["ip_applied", "ip_granted"], data={"ip_applied": "1", "ip_granted": "4"})
    assert form.is_valid()
    assert [(w.field, w.code) for w in form.warnings] == [("ip_granted", "granted_over_applied")]


# Each CHECK constraint on YearlyFigures (but the year, which the form does not hold) and an input
# breaking it: the form must refuse it before the database would.
BREAKING = {
    "portfolio_figures_rd_staff_within_employees": {"employees": "5", "rd_staff": "6"},
    "portfolio_figures_domestic_rd_within_rd": {"rd_expense": "5", "rd_expense_domestic": "6"},
    "portfolio_figures_phd_within_college": {"employees": "9", "staff_college": "2", "staff_phd": "3"},
    **{
        f"portfolio_figures_{name}_not_negative": {name: "-1"}
        for name in (
            "revenue",
            "rd_expense",
            "rd_expense_domestic",
            "high_tech_revenue",
            "total_assets",
            "tax_paid",
            "angel_vc_received",
            "total_cost",
            "total_liabilities",
            "imports_exports",
            "tech_contracts_amount",
        )
    },
    **{
        f"portfolio_figures_{name}_within_employees": {"employees": "5", name: "6"}
        for name in (
            "staff_phd",
            "staff_college",
            "staff_returnees",
            "staff_talent_plan",
            "staff_fresh_graduates",
        )
    },
}


def test_every_database_check_on_yearly_figures_has_a_breaking_case():
    checks = {c.name for c in YearlyFigures._meta.constraints if isinstance(c, models.CheckConstraint)}
    assert checks - {"portfolio_figures_year_plausible"} == set(BREAKING)


@pytest.mark.django_db
@pytest.mark.parametrize("constraint", sorted(BREAKING))
def test_the_form_refuses_what_the_database_refuses(constraint):
    data = BREAKING[constraint]
    form = FiguresForm(list(data), data=data, require_all=False)
    assert not form.is_valid()
    # The same values straight into the database: refused by that very constraint.
    values = {
        name: (Decimal(text) if "." in text or name not in _COUNTS else int(text))
        for name, text in data.items()
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        YearlyFigures.objects.create(firm=FirmFactory(), year=2025, **values)


_COUNTS = {f.name for f in YearlyFigures._meta.get_fields() if isinstance(f, models.PositiveIntegerField)}


@pytest.mark.django_db
def test_whatever_the_form_accepts_the_database_stores():
    data = {name: "0" for name in ALL_FIELDS}
    data |= {
        "revenue": "99999999999999.99",
        "high_tech_revenue": "99999999999999.99",
        "net_profit": "-99999999999999.99",
        "employees": "2147483647",
        "rd_staff": "2147483647",
        "staff_college": "2147483647",
        "staff_phd": "2147483647",
        "taxpayer_type": "general",
        "founder_profile": "other",
        "founder_sex": "female",
        "serial_founder": "yes",
        "registration_type": "有" * 60,
        "nbs_industry_code": "I6510",
        "unit_head": "王",
        "statistics_head": "刘",
        "form_filler": "陈",
        "phone": "13800000000",
    }
    form = FiguresForm(ALL_FIELDS, data=data)
    assert form.is_valid(), form.errors
    firm = FirmFactory()
    year_values = {k: v for k, v in form.cleaned_data.items() if hasattr(YearlyFigures, k)}
    YearlyFigures.objects.create(firm=firm, year=2025, **year_values)
    for name in (
        "registration_type",
        "nbs_industry_code",
        "taxpayer_type",
        "founder_profile",
        "serial_founder",
    ):
        setattr(firm, name, form.cleaned_data[name])
    firm.founder_sex, firm.registered_capital = (
        form.cleaned_data["founder_sex"],
        form.cleaned_data["registered_capital"],
    )
    firm.full_clean()
    firm.save()


# --- warnings -------------------------------------------------------------------------------------


def warnings_of(
    data: dict[str, str], previous: YearlyFigures | None = None, **kwargs
) -> list[tuple[str, str]]:
    form = FiguresForm(list(data), data=data, previous=previous, **kwargs)
    assert form.is_valid(), form.errors
    return [(w.field, w.code) for w in form.warnings]


def test_revenue_more_than_ten_times_last_year_is_warned():
    previous = YearlyFigures(revenue=Decimal("1000000"))
    assert warnings_of({"revenue": "10000001"}, previous) == [("revenue", "much_higher")]
    assert warnings_of({"revenue": "10000000"}, previous) == []


def test_revenue_under_a_tenth_of_last_year_is_warned():
    previous = YearlyFigures(revenue=Decimal("1000000"))
    assert warnings_of({"revenue": "99999"}, previous) == [("revenue", "much_lower")]
    assert warnings_of({"revenue": "100000"}, previous) == []


def test_a_tiny_last_year_is_no_basis_for_a_ratio():
    previous = YearlyFigures(revenue=Decimal("50000"))
    assert warnings_of({"revenue": "5000000"}, previous) == []


def test_last_years_figure_left_unchanged_is_warned():
    previous = YearlyFigures(revenue=Decimal("1000000"), employees=10)
    assert warnings_of({"revenue": "1000000", "employees": "10"}, previous) == [("revenue", "unchanged")]


def test_a_tiny_amount_is_warned_as_maybe_in_wan():
    assert warnings_of({"revenue": "120"}) == [("revenue", "small_amount")]
    assert warnings_of({"revenue": "0"}) == []


def test_held_ip_above_valid_ip_is_warned():
    data = {
        "ip_valid": "2",
        "invention_patents": "1",
        "software_copyrights": "2",
        "plant_varieties": "0",
        "ic_layouts": "0",
    }
    assert warnings_of(data) == [("invention_patents", "held_over_valid")]


def test_warning_messages_name_last_years_figure():
    form = FiguresForm(
        ["revenue"], data={"revenue": "20000000"}, previous=YearlyFigures(revenue=Decimal("1000000"))
    )
    form.is_valid()
    assert form.warnings[0].message.startswith("More than 10 times last year's figure (1,000,000).")


def test_the_warnings_key_changes_with_the_warnings():
    previous = YearlyFigures(revenue=Decimal("1000000"))
    one = FiguresForm(["revenue"], data={"revenue": "20000000"}, previous=previous)
    two = FiguresForm(["revenue"], data={"revenue": "20"}, previous=previous)
    none = FiguresForm(["revenue"], data={"revenue": "1000001"}, previous=previous)
    for form in (one, two, none):
        form.is_valid()
    assert one.warnings_key() != two.warnings_key() and none.warnings_key() == ""


def test_the_shipped_plausibility_rules_load_and_say_they_are_our_own():
    rules = plausibility_rules()
    assert rules.version and "Our own choice" in rules.source
    data = yaml.safe_load(PLAUSIBILITY_PATH.read_text(encoding="utf-8"))
    assert data["official"] is False


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["change_from_last_year"]["fields"].update({"bogus": "1"}), "unknown field"),
        (
            lambda d: d["larger_than"].append({"code": "nope", "sum": ["revenue"], "over": "revenue"}),
            "no message",
        ),
        (lambda d: d["small_amount"].update({"below": "lots"}), "not a number"),
        (lambda d: d.pop("version"), "missing or malformed"),
    ],
)
def test_bad_plausibility_rules_name_the_place(change, message):
    data = yaml.safe_load(PLAUSIBILITY_PATH.read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(PlausibilityRulesError, match=message):
        parse_plausibility(data)


def test_the_submitter_gives_a_name_and_maybe_an_email():
    form = SubmitterForm({"submitter_name": "张三", "submitter_email": "zhang@example.org"})
    assert form.is_valid() and form.submitted_by() == "张三 <zhang@example.org>"
    assert SubmitterForm({"submitter_name": "张三"}).is_valid()
    assert not SubmitterForm({"submitter_name": ""}).is_valid()
