import datetime
from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ladder.engine.inputs import TsmeInputs
from ladder.engine.tsme import evaluate_tsme

ON = datetime.date(2025, 6, 1)
# 20 (tech staff 30%) + 50 (R&D 6% of revenue) + 30 (one class I IP) = 100 points.
FULL = TsmeInputs(
    employees=100,
    tech_staff=30,
    revenue=D(10_000_000),
    total_assets=D(10_000_000),
    rd_expense=D(600_000),
    total_cost=D(100_000_000),
    ip_class_one=1,
    ip_class_two=0,
)


def run(rules, **changes):
    return evaluate_tsme(replace(FULL, **changes), ON, rules)


@pytest.mark.parametrize(
    ("tech_staff", "points"),
    [(30, 20), (29, 16), (25, 16), (24, 12), (20, 12), (19, 8), (15, 8), (14, 4), (10, 4), (9, 0), (0, 0)],
)
def test_tech_staff_band_edges(tsme_rules, tech_staff, points):
    assert run(tsme_rules, tech_staff=tech_staff).criteria["tech_staff"].points == points


@pytest.mark.parametrize(
    ("rd", "points"),
    [
        (600_000, 50),
        (599_999, 40),
        (500_000, 40),
        (499_999, 30),
        (400_000, 30),
        (399_999, 20),
        (300_000, 20),
        (299_999, 10),
        (200_000, 10),
        (199_999, 0),
    ],
)
def test_rd_option_revenue_band_edges(tsme_rules, rd, points):
    result = run(tsme_rules, rd_expense=D(rd))  # total cost is large: option 2 gives 0
    assert result.criteria["rd"].points == points


@pytest.mark.parametrize(
    ("rd", "points"),
    [
        (300_000, 50),
        (299_999, 40),
        (250_000, 40),
        (249_999, 30),
        (200_000, 30),
        (199_999, 20),
        (150_000, 20),
        (149_999, 10),
        (100_000, 10),
        (99_999, 0),
    ],
)
def test_rd_option_cost_band_edges(tsme_rules, rd, points):
    result = run(tsme_rules, rd_expense=D(rd), revenue=D(100_000_000), total_cost=D(1_000_000))
    assert result.criteria["rd"].detail["options"]["total_cost"]["points"] == points


def test_the_better_rd_option_counts_and_both_are_shown(tsme_rules):
    result = run(tsme_rules, rd_expense=D(300_000), revenue=D(10_000_000), total_cost=D(1_000_000))
    rd = result.criteria["rd"]
    assert rd.points == 50
    assert rd.detail["chosen"] == "total_cost"
    assert rd.detail["options"]["revenue"]["points"] == 20


@pytest.mark.parametrize(
    ("one", "two", "points"),
    [(1, 0, 30), (2, 9, 30), (0, 4, 24), (0, 9, 24), (0, 3, 18), (0, 2, 12), (0, 1, 6), (0, 0, 0)],
)
def test_ip_points(tsme_rules, one, two, points):
    assert run(tsme_rules, ip_class_one=one, ip_class_two=two).criteria["ip"].points == points


def test_58_fails(tsme_rules):
    # 12 (tech staff 20%) + 40 (R&D 5%) + 6 (one class II IP) = 58
    result = run(tsme_rules, tech_staff=20, rd_expense=D(500_000), ip_class_one=0, ip_class_two=1)
    assert result.score == 58 and not result.eligible


def test_exactly_60_passes(tsme_rules):
    # 20 + 10 (R&D 2%) + 30 = 60
    result = run(tsme_rules, rd_expense=D(200_000))
    assert result.score == 60 and result.eligible and result.criteria["score"].met


def test_below_60_fails(tsme_rules):
    # 16 + 40 + 0 = 56 (every part is a multiple of 2: 58 is the highest failing total)
    result = run(tsme_rules, tech_staff=29, rd_expense=D(500_000), ip_class_one=0, ip_class_two=0)
    assert result.score == 56 and not result.eligible
    assert result.criteria["score"].gap == 4


def test_a_tech_staff_score_of_zero_fails_even_with_80_points(tsme_rules):
    result = run(tsme_rules, tech_staff=9)
    assert result.score == 80
    assert result.criteria["score"].met is False
    assert result.criteria["tech_staff"].met is False
    assert not result.eligible


@pytest.mark.parametrize(
    ("field", "ok", "over"),
    [
        ("employees", 500, 501),
        ("revenue", D(200_000_000), D("200000000.01")),
        ("total_assets", D(200_000_000), D("200000000.01")),
    ],
)
def test_gates_include_their_bound(tsme_rules, field, ok, over):
    changes = {field: ok}
    if field == "employees":
        changes.update(tech_staff=150)
    assert run(tsme_rules, **changes).criteria[field].met is True
    changes[field] = over
    result = run(tsme_rules, **changes)
    assert result.criteria[field].met is False
    assert not result.eligible


@pytest.mark.parametrize("gate", ["resident_enterprise", "industry_allowed", "clean_record"])
def test_a_failed_gate_blocks_even_a_direct_pass(tsme_rules, gate):
    result = run(tsme_rules, valid_hnte=True, **{gate: False})
    assert result.criteria[gate].met is False and not result.eligible


@pytest.mark.parametrize(
    "route", ["valid_hnte", "national_award_top3_5y", "provincial_rd_institution", "led_standard_5y"]
)
def test_each_direct_pass_route_passes_a_low_score(tsme_rules, route):
    result = run(tsme_rules, tech_staff=0, rd_expense=D(0), ip_class_one=0, **{route: True})
    assert result.score == 0
    assert result.eligible and result.criteria["direct_pass"].value == [route]


def test_unknown_inputs_leave_the_score_unknown_but_a_direct_pass_still_counts(tsme_rules):
    result = run(tsme_rules, ip_class_two=None)
    assert result.criteria["ip"].met is None and result.criteria["ip"].points is None
    assert result.score is None and not result.eligible
    assert run(tsme_rules, ip_class_two=None, valid_hnte=True).eligible


def test_an_unknown_gate_is_not_eligible(tsme_rules):
    result = run(tsme_rules, employees=None, tech_staff=None)
    assert result.criteria["employees"].met is None and not result.eligible


def test_tech_staff_gap_counts_staff_to_move_into_tech_roles(tsme_rules):
    assert run(tsme_rules, tech_staff=7).criteria["tech_staff"].gap == 3


amounts = st.integers(min_value=0, max_value=10**9).map(D)


@given(rd=amounts, more=amounts, revenue=amounts, cost=amounts)
def test_more_rd_never_lowers_the_score(tsme_rules, rd, more, revenue, cost):
    base = replace(FULL, rd_expense=rd, revenue=revenue, total_cost=cost)
    # more R&D is more cost too
    richer = replace(base, rd_expense=rd + more, total_cost=cost + more)
    assert evaluate_tsme(richer, ON, tsme_rules).score >= evaluate_tsme(base, ON, tsme_rules).score


@given(employees=st.integers(1, 500), tech=st.integers(0, 500), more=st.integers(0, 500))
def test_more_tech_staff_never_lowers_the_score(tsme_rules, employees, tech, more):
    tech = min(tech, employees)
    higher = min(tech + more, employees)
    low = evaluate_tsme(replace(FULL, employees=employees, tech_staff=tech), ON, tsme_rules)
    high = evaluate_tsme(replace(FULL, employees=employees, tech_staff=higher), ON, tsme_rules)
    assert high.score >= low.score
    assert high.eligible >= low.eligible


def test_rd_gap_and_threshold_come_from_the_same_option(tsme_rules):
    # Revenue 10M, R&D 100k (1% of revenue, 0 points); total cost 1.05M (9.5%, 0 points).
    # Option 2 is the closer: 10% of cost needs x with (100k + x) / (1.05M + x) >= 10%.
    criterion = run(
        tsme_rules, revenue=D(10_000_000), rd_expense=D(100_000), total_cost=D(1_050_000)
    ).criteria["rd"]
    assert criterion.met is False
    assert criterion.threshold == D("0.10")
    assert criterion.gap == D(5_556)
    assert criterion.detail["chosen"] == "total_cost"
