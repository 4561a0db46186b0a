"""From stored records to standings: the adapters' conventions and the statuses staff filter by."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from ladder import presentation
from ladder.engine.rules import load_shipped_rules
from ladder.standing import ELIGIBLE, MISSING_DATA, NOT_ELIGIBLE, WITHIN_REACH, standings
from portfolio.choices import MarketStatus
from portfolio.models import Residency
from tests.factories import (
    AwardFactory,
    CertificationFactory,
    FinancingEventFactory,
    FirmFactory,
    IncidentFactory,
    ResidencyFactory,
    SelfAssessmentFactory,
    StandardFactory,
    YearlyFiguresFactory,
)

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 7, 1)
RULES = load_shipped_rules()


def firm_with_years(*, founded=datetime.date(2019, 5, 1), entered=datetime.date(2024, 3, 1), **firm):
    firm = FirmFactory(
        founded_on=founded,
        audited_taxation=True,
        core_ip=True,
        high_tech_field_confirmed=True,
        **firm,
    )
    residency = ResidencyFactory(firm=firm, entered_on=entered)
    return firm, residency


def figures(firm, year, **values):
    base = {
        "revenue": Decimal("20000000"),
        "rd_expense": Decimal("1200000"),
        "rd_expense_domestic": Decimal("1200000"),
        "high_tech_revenue": Decimal("15000000"),
        "total_assets": Decimal("30000000"),
        "total_liabilities": Decimal("10000000"),
        "total_cost": Decimal("18000000"),
        "employees": 50,
        "rd_staff": 15,
        "ip_class1": 2,
        "ip_class2": 5,
        "results_converted": 3,
    }
    return YearlyFiguresFactory(firm=firm, year=year, **{**base, **values})


def standing_of(residency, on=ON):
    [found] = standings(Residency.objects.filter(pk=residency.pk), on, rulesets=RULES)
    return found


def test_tsme_reads_last_years_figures_and_scores_them():
    firm, residency = firm_with_years()
    figures(firm, 2025)
    figures(firm, 2026, employees=1, rd_staff=0)  # this year's figures are not closed accounts
    s = standing_of(residency)
    assert s.evaluations["tsme"].score == 20 + 50 + 30  # 30% tech staff, 6% R&D, class I IP
    assert s.statuses["tsme"] == ELIGIBLE


def test_unknown_audited_taxation_is_missing_data_not_a_failure():
    firm, residency = firm_with_years()
    firm.audited_taxation = None
    firm.save()
    figures(firm, 2025)
    s = standing_of(residency)
    assert s.evaluations["tsme"].criteria["resident_enterprise"].met is None
    assert s.statuses["tsme"] == MISSING_DATA


@pytest.mark.parametrize(
    ("occurred_on", "tsme_clean", "hnte_clean"),
    [
        (datetime.date(2026, 2, 1), False, False),
        (datetime.date(2025, 7, 2), False, False),  # 365 days before 2026-07-01, counted inclusive
        (datetime.date(2025, 7, 1), False, True),  # 366 days: outside HNTE's year, inside TSME's
        (datetime.date(2025, 1, 1), False, True),
        (datetime.date(2024, 12, 31), True, True),
    ],
)
def test_tsme_counts_calendar_years_hnte_the_365_days_before(occurred_on, tsme_clean, hnte_clean):
    firm, residency = firm_with_years()
    figures(firm, 2025)
    IncidentFactory(firm=firm, occurred_on=occurred_on)
    s = standing_of(residency)
    assert s.evaluations["tsme"].criteria["clean_record"].met is tsme_clean
    assert s.evaluations["hnte"].criteria["clean_record"].met is hnte_clean
    if not tsme_clean:
        assert s.statuses["tsme"] == NOT_ELIGIBLE


def test_a_list_counts_while_the_firm_is_on_it():
    firm, residency = firm_with_years()
    figures(firm, 2025)
    incident = IncidentFactory(
        firm=firm, kind="abnormal_operation_list", occurred_on=datetime.date(2021, 3, 1)
    )
    assert standing_of(residency).evaluations["tsme"].criteria["clean_record"].met is False
    incident.resolved_on = datetime.date(2024, 12, 31)
    incident.save()
    assert standing_of(residency).evaluations["tsme"].criteria["clean_record"].met is True


def test_an_hnte_certificate_without_expiry_lapses_after_its_validity():
    firm, residency = firm_with_years()
    CertificationFactory(firm=firm, issued_on=datetime.date(2015, 1, 1), expires_on=None)
    s = standing_of(residency)
    assert s.current_rank == 0
    assert s.evaluations["graduation"].criteria["hnte"].met is False


def test_an_exceeded_cap_is_never_within_reach():
    firm, residency = firm_with_years()
    figures(firm, 2025, employees=900, rd_staff=300)
    assert standing_of(residency).statuses["tsme"] == NOT_ELIGIBLE


def test_a_zero_tech_staff_score_is_within_reach_when_one_hire_fixes_it():
    firm, residency = firm_with_years()
    figures(firm, 2025, employees=100, rd_staff=9)
    s = standing_of(residency)
    assert s.evaluations["tsme"].score >= 60
    assert s.statuses["tsme"] == WITHIN_REACH


def test_incident_two_years_ago_no_longer_counts():
    firm, residency = firm_with_years()
    figures(firm, 2025)
    IncidentFactory(firm=firm, occurred_on=datetime.date(2024, 12, 31))
    s = standing_of(residency)
    assert s.evaluations["tsme"].criteria["clean_record"].met is True
    assert s.evaluations["hnte"].criteria["clean_record"].met is True


@pytest.mark.parametrize(
    ("factory", "kwargs", "passes"),
    [
        (StandardFactory, {"year": 2022}, True),  # 2022-2026: the last five years
        (StandardFactory, {"year": 2021}, False),
        (StandardFactory, {"year": 2024, "role": "participated"}, False),
        (AwardFactory, {"year": 2023, "rank": 3}, True),
        (AwardFactory, {"year": 2023, "rank": 4}, False),
        (AwardFactory, {"year": 2023, "level": "provincial"}, False),
    ],
)
def test_direct_pass_evidence_follows_the_rule_data(factory, kwargs, passes):
    firm, residency = firm_with_years()
    figures(
        firm,
        2025,
        rd_staff=1,
        rd_expense=Decimal(0),
        rd_expense_domestic=Decimal(0),
        ip_class1=0,
        ip_class2=0,
    )
    factory(firm=firm, **kwargs)
    s = standing_of(residency)
    assert s.evaluations["tsme"].eligible is passes


def test_valid_hnte_certificate_is_a_direct_pass_and_the_current_rung():
    firm, residency = firm_with_years()
    figures(firm, 2025, rd_staff=0)
    CertificationFactory(
        firm=firm, issued_on=datetime.date(2025, 1, 1), expires_on=datetime.date(2027, 12, 31)
    )
    s = standing_of(residency)
    assert s.current_rank == 2
    assert s.next_rung == "listing"
    assert s.evaluations["tsme"].eligible
    assert s.statuses["graduation"] == ELIGIBLE


def test_hnte_uses_a_ratio_of_sums_over_three_fiscal_years():
    firm, residency = firm_with_years()
    # 2023: 10% of 10M; 2024: 2% of 50M; 2025: 5% of 20M -> 3.1M / 80M = 3.875% < 5%
    figures(
        firm,
        2023,
        revenue=Decimal("10000000"),
        rd_expense=Decimal("1000000"),
        rd_expense_domestic=Decimal("1000000"),
    )
    figures(
        firm,
        2024,
        revenue=Decimal("50000000"),
        rd_expense=Decimal("1000000"),
        rd_expense_domestic=Decimal("1000000"),
    )
    figures(
        firm,
        2025,
        revenue=Decimal("20000000"),
        rd_expense=Decimal("1000000"),
        rd_expense_domestic=Decimal("1000000"),
    )
    SelfAssessmentFactory(firm=firm, year=2026)
    criterion = standing_of(residency).evaluations["hnte"].criteria["rd_ratio"]
    assert criterion.met is False
    assert criterion.value == Decimal("0.0375")
    # 5% of 80M is 4M: 1M more.
    assert criterion.gap == Decimal("1000000")
    assert "1,000,000 CNY" in presentation.gap_text(criterion)


def test_a_missing_year_among_the_three_is_missing_data_not_a_shorter_window():
    firm, residency = firm_with_years()
    figures(firm, 2023)
    figures(firm, 2025)
    SelfAssessmentFactory(firm=firm, year=2026)
    s = standing_of(residency)
    assert s.evaluations["hnte"].criteria["rd_ratio"].met is None


def test_a_young_firm_uses_the_years_it_has():
    firm, residency = firm_with_years(founded=datetime.date(2024, 6, 1), entered=datetime.date(2024, 7, 1))
    figures(firm, 2024)
    figures(firm, 2025)
    SelfAssessmentFactory(firm=firm, year=2026)
    criterion = standing_of(residency).evaluations["hnte"].criteria["rd_ratio"]
    assert criterion.met is True
    assert criterion.value == Decimal("0.06")


FULL_MARKS = {
    "ip_advancement": 8,
    "ip_core_support": 8,
    "ip_how_obtained": 6,
    "ip_standards_bonus": 2,
    "rd_management": 6,
    "rd_institution": 6,
    "conversion_incentives": 4,
    "training_rewards": 4,
}


def test_hnte_within_reach_when_only_money_and_staff_are_short():
    firm, residency = firm_with_years()
    for year in (2023, 2024, 2025):
        rd = Decimal("840000")
        figures(firm, year, rd_expense=rd, rd_expense_domestic=rd, rd_staff=4, results_converted=5)
    SelfAssessmentFactory(firm=firm, year=2026, **FULL_MARKS)
    s = standing_of(residency)
    assert s.evaluations["hnte"].failing == ["tech_staff", "rd_ratio"]
    assert s.statuses["hnte"] == WITHIN_REACH
    summary = presentation.summary("hnte", s.evaluations["hnte"].criteria)
    assert "1 more tech staff member" in summary
    assert "5.0% needs 480,000 CNY more" in summary


def test_graduation_by_equity_over_five_million_and_by_listing():
    firm, residency = firm_with_years()
    FinancingEventFactory(firm=firm, amount=Decimal("5000000"))
    assert standing_of(residency).statuses["graduation"] == NOT_ELIGIBLE  # exactly 5M: not over
    FinancingEventFactory(firm=firm, amount=Decimal("0.01"))
    assert standing_of(residency).statuses["graduation"] == ELIGIBLE
    _other, other_residency = firm_with_years(market_status=MarketStatus.QUOTED)
    assert standing_of(other_residency).statuses["graduation"] == ELIGIBLE


def test_clock_over_limit_and_staff_extended_limit():
    _firm, residency = firm_with_years(entered=datetime.date(2022, 6, 1))
    assert standing_of(residency).over_limit is True
    residency.limit_months = 60
    residency.save()
    assert standing_of(residency).over_limit is False


def test_entry_age_is_evaluated_from_founding_and_entry():
    _firm, residency = firm_with_years(founded=datetime.date(2021, 1, 1), entered=datetime.date(2023, 1, 2))
    evaluation = standing_of(residency).evaluations["incubation_entry"]
    assert evaluation.eligible is False
    assert "1 day" in presentation.gap_text(evaluation.criteria["entry_age"])


def test_standings_read_in_a_fixed_number_of_queries(django_assert_num_queries):
    residencies = []
    for _ in range(5):
        firm, residency = firm_with_years()
        for year in (2023, 2024, 2025):
            figures(firm, year)
        AwardFactory(firm=firm)
        residencies.append(residency.pk)
    with django_assert_num_queries(7):
        found = standings(Residency.objects.filter(pk__in=residencies[:1]), ON, rulesets=RULES)
    assert len(found) == 1
    with django_assert_num_queries(7):
        found = standings(Residency.objects.filter(pk__in=residencies), ON, rulesets=RULES)
    assert len(found) == 5


def test_every_criterion_the_engine_names_has_a_label():
    firm, residency = firm_with_years()
    figures(firm, 2025)
    for rule, evaluation in standing_of(residency).evaluations.items():
        for name in evaluation.criteria:
            assert name in presentation.LABELS[rule], (rule, name)
