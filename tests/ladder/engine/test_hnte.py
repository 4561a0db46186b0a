import datetime
from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ladder.engine.hnte import evaluate_hnte
from ladder.engine.inputs import HnteInputs

ON = datetime.date(2025, 6, 1)
GOOD = HnteInputs(
    founded_on=datetime.date(2020, 1, 1),
    employees=100,
    tech_staff=10,
    revenues=(D(10_000_000),),
    rd_expenses=(D(500_000),),
    rd_domestic_share=D("0.60"),
    high_tech_revenue_share=D("0.60"),
    innovation_score=71,
)
NAMES = [
    "registered_one_year",
    "core_ip",
    "high_tech_field",
    "tech_staff",
    "rd_ratio",
    "rd_domestic",
    "high_tech_revenue",
    "innovation_score",
    "clean_record",
]


def run(rules, on=ON, **changes):
    return evaluate_hnte(replace(GOOD, **changes), on, rules)


def test_criteria_names_and_a_firm_at_every_bound_is_eligible(hnte_rules):
    result = run(hnte_rules)
    assert list(result.criteria) == NAMES
    assert result.eligible and result.score == 71


@pytest.mark.parametrize(
    ("founded", "met"), [(datetime.date(2023, 3, 1), True), (datetime.date(2023, 3, 2), False)]
)
def test_365_days_across_a_leap_day(hnte_rules, founded, met):
    result = run(hnte_rules, on=datetime.date(2024, 2, 29), founded_on=founded)
    assert result.criteria["registered_one_year"].met is met


def test_registration_gap_is_the_date_it_is_met(hnte_rules):
    criterion = run(hnte_rules, on=datetime.date(2024, 2, 28), founded_on=datetime.date(2023, 3, 1)).criteria[
        "registered_one_year"
    ]
    assert criterion.value == 364 and criterion.gap == datetime.date(2024, 2, 29)


@pytest.mark.parametrize(("tech", "met", "gap"), [(10, True, None), (9, False, 1), (0, False, 10)])
def test_tech_staff_ten_percent(hnte_rules, tech, met, gap):
    criterion = run(hnte_rules, tech_staff=tech).criteria["tech_staff"]
    assert criterion.met is met and criterion.gap == gap


def test_tech_staff_gap_converts_employees_and_shows_hiring_instead(hnte_rules):
    criterion = run(hnte_rules, employees=95, tech_staff=5).criteria["tech_staff"]
    assert criterion.gap == 5  # 10 of 95 = 10.5%
    assert criterion.detail["hire_instead"] == 5  # 10 of 100


@pytest.mark.parametrize(
    ("revenue", "rd", "met", "threshold"),
    [
        (D(50_000_000), D(2_500_000), True, D("0.05")),  # exactly 50M keeps the 5% tier
        (D(50_000_000), D(2_499_999), False, D("0.05")),
        (D(50_000_001), D(2_000_001), True, D("0.04")),  # 50M + 1 yuan gets 4%
        (D(50_000_001), D(2_000_000), False, D("0.04")),
        (D(200_000_000), D(8_000_000), True, D("0.04")),  # exactly 200M keeps 4%
        (D(200_000_000), D(7_999_999), False, D("0.04")),
        (D(200_000_001), D("6000000.03"), True, D("0.03")),
        (D(200_000_001), D(6_000_000), False, D("0.03")),
    ],
)
def test_rd_ratio_tiers_by_latest_revenue(hnte_rules, revenue, rd, met, threshold):
    criterion = run(hnte_rules, revenues=(revenue,), rd_expenses=(rd,)).criteria["rd_ratio"]
    assert criterion.met is met and criterion.threshold == threshold


def test_rd_ratio_is_a_ratio_of_sums_not_an_average_of_ratios(hnte_rules):
    revenues = (D(1_000_000), D(9_000_000))
    rd = (D(100_000), D(270_000))  # yearly 10% and 3%: average 6.5%, but 370k / 10M = 3.7%
    criterion = run(hnte_rules, revenues=revenues, rd_expenses=rd).criteria["rd_ratio"]
    assert criterion.met is False
    assert criterion.gap == D(130_000)


def test_rd_ratio_gap_rounds_up_to_the_yuan(hnte_rules):
    criterion = run(hnte_rules, revenues=(D("10000000.10"),), rd_expenses=(D(400_000),)).criteria["rd_ratio"]
    assert criterion.gap == D(100_001)


def test_rd_ratio_unknown_when_a_year_is_missing(hnte_rules):
    criterion = run(hnte_rules, revenues=(D(1), None), rd_expenses=(D(1), D(1))).criteria["rd_ratio"]
    assert criterion.met is None


@pytest.mark.parametrize("name", ["rd_domestic_share", "high_tech_revenue_share"])
@pytest.mark.parametrize(("share", "met"), [(D("0.60"), True), (D("0.5999"), False)])
def test_sixty_percent_shares(hnte_rules, name, share, met):
    criterion = {"rd_domestic_share": "rd_domestic", "high_tech_revenue_share": "high_tech_revenue"}[name]
    assert run(hnte_rules, **{name: share}).criteria[criterion].met is met


@pytest.mark.parametrize(("score", "met"), [(70, False), (71, True)])
def test_innovation_score_must_be_over_70(hnte_rules, score, met):
    result = run(hnte_rules, innovation_score=score)
    assert result.criteria["innovation_score"].met is met and result.eligible is met


def test_no_innovation_score_is_unknown_and_not_eligible(hnte_rules):
    result = run(hnte_rules, innovation_score=None)
    assert result.criteria["innovation_score"].met is None and not result.eligible and result.score is None


@pytest.mark.parametrize("flag", ["core_ip", "high_tech_field", "clean_record"])
def test_flags(hnte_rules, flag):
    assert run(hnte_rules, **{flag: False}).criteria[flag].met is False
    assert run(hnte_rules, **{flag: None}).criteria[flag].met is None


amounts = st.integers(min_value=0, max_value=10**9).map(D)


@given(revenues=st.lists(amounts, min_size=1, max_size=3), data=st.data())
def test_more_rd_never_lowers_the_rd_ratio_outcome(hnte_rules, revenues, data):
    rd = data.draw(st.lists(amounts, min_size=len(revenues), max_size=len(revenues)))
    more = data.draw(st.lists(amounts, min_size=len(revenues), max_size=len(revenues)))
    base = run(hnte_rules, revenues=tuple(revenues), rd_expenses=tuple(rd)).criteria["rd_ratio"].met
    richer = tuple(a + b for a, b in zip(rd, more, strict=True))
    assert run(hnte_rules, revenues=tuple(revenues), rd_expenses=richer).criteria["rd_ratio"].met >= base


@given(employees=st.integers(1, 1000), tech=st.integers(0, 1000), more=st.integers(0, 1000))
def test_more_tech_staff_never_lowers_the_outcome(hnte_rules, employees, tech, more):
    tech = min(tech, employees)
    low = run(hnte_rules, employees=employees, tech_staff=tech)
    high = run(hnte_rules, employees=employees, tech_staff=min(tech + more, employees))
    assert high.criteria["tech_staff"].met >= low.criteria["tech_staff"].met
