import datetime
from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction

import pytest

from ladder.engine.hnte import evaluate_hnte
from ladder.engine.innovation import evaluate_innovation, growth_rate
from ladder.engine.inputs import HnteInputs, InnovationInputs

ON = datetime.date(2025, 6, 1)
FULL = InnovationInputs(
    ip_class_one=1,
    ip_class_two=0,
    conversions=(5, 5, 5),
    net_assets=(D(100), D(135), D("182.25")),
    revenues=(D(100), D(135), D("182.25")),
    ip_advancement=8,
    ip_core_support=8,
    ip_how_obtained=6,
    ip_standards_bonus=2,
    rd_management=6,
    rd_institution=6,
    conversion_incentives=4,
    training_rewards=4,
)


def run(rules, **changes):
    return evaluate_innovation(replace(FULL, **changes), ON, rules)


@pytest.mark.parametrize(
    ("one", "two", "points"),
    [
        (1, 0, (7, 8)),
        (0, 5, (5, 6)),
        (0, 4, (3, 4)),
        (0, 3, (3, 4)),
        (0, 2, (1, 2)),
        (0, 1, (1, 2)),
        (0, 0, (0, 0)),
    ],
)
def test_ip_quantity_bands(hnte_rules, one, two, points):
    c = run(hnte_rules, ip_class_one=one, ip_class_two=two).criteria["ip_quantity"]
    assert (c.points, c.points_max) == points


@pytest.mark.parametrize(
    ("conversions", "points"),
    [
        ((5, 5, 5), (25, 30)),
        ((5, 5, 4), (19, 24)),
        ((4, 4, 4), (19, 24)),
        ((4, 4, 3), (13, 18)),
        ((3, 3, 3), (13, 18)),
        ((3, 3, 2), (7, 12)),
        ((2, 2, 2), (7, 12)),
        ((2, 1, 2), (1, 6)),
        ((1, 1, 1), (1, 6)),
        ((1, 1, 0), (0, 0)),
        ((0, 0, 0), (0, 0)),
        ((5,), (25, 30)),
    ],
)
def test_conversion_bands_on_the_yearly_average(hnte_rules, conversions, points):
    c = run(hnte_rules, conversions=conversions).criteria["conversion"]
    assert (c.points, c.points_max) == points


@pytest.mark.parametrize(
    ("rate", "points"),
    [
        ("0.35", (9, 10)),
        ("0.3499", (7, 8)),
        ("0.25", (7, 8)),
        ("0.2499", (5, 6)),
        ("0.15", (5, 6)),
        ("0.1499", (3, 4)),
        ("0.05", (3, 4)),
        ("0.0499", (1, 2)),
        ("0.0001", (1, 2)),
        ("0", (0, 0)),
        ("-0.5", (0, 0)),
    ],
)
def test_growth_bands(hnte_rules, rate, points):
    # two equal yearly growths r: ½((1+r) + (1+r)) − 1 = r
    x2 = 1000 * (1 + D(rate))
    values = (D(1000), x2, x2 * (1 + D(rate)))
    c = run(hnte_rules, net_assets=values).criteria["net_asset_growth"]
    assert (c.points, c.points_max) == points


def test_growth_formula_three_years():
    assert growth_rate((D(100), D(120), D(180)), True) == ("rate", Fraction(35, 100))  # ½(1.2 + 1.5) − 1


def test_growth_year_one_zero_uses_x3_over_x2():
    assert growth_rate((D(0), D(100), D(150)), True) == ("rate", Fraction(1, 2))


def test_growth_year_two_zero_scores_zero(hnte_rules):
    assert growth_rate((D(100), D(0), D(150)), True) == ("zero", None)
    c = run(hnte_rules, revenues=(D(100), D(0), D(150))).criteria["sales_growth"]
    assert c.points == 0 and c.met is False


def test_two_year_firms_use_x2_over_x1_and_are_unverified(hnte_rules):
    assert growth_rate((D(100), D(150)), True) == ("rate", Fraction(1, 2))
    c = run(hnte_rules, revenues=(D(100), D(150))).criteria["sales_growth"]
    assert c.points == 9 and c.unverified


def test_one_year_is_unknown():
    assert growth_rate((D(100),), True) == ("unknown", None)


def test_full_marks_are_capped_per_block_and_self_assessed_parts_are_marked(hnte_rules):
    result = run(hnte_rules)
    assert result.extra["blocks"]["ip"] == (30, 30)  # 7..8 + 8 + 8 + 6 + 2 = 31..32, capped at 30
    assert result.score == 30 + 25 + 20 + 18 and result.extra["points_max"] == 100
    assert result.criteria["ip_advancement"].self_assessed
    assert not result.criteria["conversion"].self_assessed


def test_a_missing_part_makes_the_score_unknown(hnte_rules):
    result = run(hnte_rules, training_rewards=None)
    assert result.score is None and result.criteria["training_rewards"].met is None


NO_ORGANISATION = {"rd_management": 0, "rd_institution": 0, "conversion_incentives": 0, "training_rewards": 0}


@pytest.mark.parametrize(("advancement", "low", "met"), [(4, 70, False), (5, 71, True)])
def test_computed_score_70_fails_71_passes_on_the_conservative_low_end(hnte_rules, advancement, low, met):
    # IP block 7 + advancement + 8 + 6 + 2, conversion 25, organisation 0, growth 18
    inputs = replace(FULL, ip_advancement=advancement, **NO_ORGANISATION)
    hnte = evaluate_hnte(HnteInputs(innovation=inputs), ON, hnte_rules).criteria["innovation_score"]
    assert hnte.points == low and hnte.met is met
    assert hnte.points_max > 70  # the high end would pass: eligibility uses the low end
    assert hnte.self_assessed


def test_a_given_score_wins_over_the_parts(hnte_rules):
    hnte = evaluate_hnte(HnteInputs(innovation_score=75, innovation=FULL), ON, hnte_rules)
    assert hnte.criteria["innovation_score"].points == 75


@pytest.mark.parametrize(
    "values",
    [(D(-1_000_000), D(-2_000_000), D(-4_000_000)), (D(100), D(-50), D(200)), (D(-100), D(50), D(200))],
)
def test_negative_net_assets_score_zero_not_a_growth(values):
    # −1M → −2M → −4M is getting worse, yet the quotients would read as 100% growth.
    assert growth_rate(values, True) == ("zero", None)
