"""Scoring a cohort by hand: percentiles with ties, stage weights, rounding, bonus and negative
items, completeness and the refusal to score a firm with too little data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from scoring.engine.inputs import FirmRecord, Missing
from scoring.engine.score import (
    COHORT_TOO_SMALL,
    INCOMPLETE,
    NO_REGION,
    STAGE_UNKNOWN,
    Cohort,
    half_up,
    percentiles,
    score_cohort,
)
from tests.scoring.packs import small_pack

YEAR = 2024
COHORT = Cohort("2024/city:青岛", "city", "青岛", YEAR)


def firm(firm_id, founded, rd, revenue=None, revenue_before=None, **records) -> FirmRecord:
    figures = {YEAR: {"rd_expense": Decimal(rd) if rd is not None else None, "revenue": revenue}}
    if revenue_before is not None:
        figures[YEAR - 1] = {"revenue": Decimal(revenue_before)}
    if revenue is not None:
        figures[YEAR]["revenue"] = Decimal(revenue)
    return FirmRecord(
        firm_id=firm_id,
        founded_on=None if founded is None else datetime.date(founded, 6, 1),
        figures=figures,
        **records,
    )


HNTE = {"kind": "hnte", "status": "granted", "issued_on": datetime.date(2023, 1, 1), "expires_on": None}
INCIDENT = {"kind": "environmental_violation", "occurred_on": datetime.date(2024, 3, 1)}


def cohort_of_four() -> list[FirmRecord]:
    """A young (stage weights 50/30/20), B and C mature (40/40/20), D mature without revenue."""
    return [
        firm(1, 2023, 100, 1000, 800, certifications=[HNTE]),
        firm(2, 2015, 300, 2000, 2000, incidents=[INCIDENT]),
        firm(3, 2010, 300, 6000, 4000),
        firm(4, 2020, 50),
    ]


def by_id(results):
    return {r.firm_id: r for r in results}


def test_a_small_cohort_scores_as_worked_out_by_hand():
    # R&D 100, 300, 300, 50: A beats D (1 of 3 others): 33.33; B and C beat A and D and tie with
    # each other: (2 + 1/2) / 3 = 83.33; D: 0. Intensity 0.10, 0.15, 0.05 (D missing): A 50, B 100,
    # C 0. Growth 0.25, 0, 0.5: A 50, B 0, C 100.
    results = by_id(score_cohort(small_pack(), COHORT, cohort_of_four()))
    a, b, c, d = results[1], results[2], results[3], results[4]
    assert [line.contribution for line in a.lines] == [Decimal("16.67"), Decimal("15.00"), Decimal("10.00")]
    assert (a.stage, a.total) == ("young", Decimal("44.67"))  # 41.67 + HNTE bonus 3
    assert [line.contribution for line in b.lines] == [Decimal("33.33"), Decimal("40.00"), Decimal("0.00")]
    assert (b.stage, b.total) == ("mature", Decimal("63.33"))  # 73.33 - incident 10
    assert (c.stage, c.total) == ("mature", Decimal("53.33"))
    assert d.total is None and d.reasons == [INCOMPLETE]


def test_contributions_add_up_to_the_total():
    for result in score_cohort(small_pack(), COHORT, cohort_of_four()):
        if result.total is None:
            continue
        parts = [line.contribution for line in result.lines] + [item.contribution for item in result.items]
        assert sum(parts) == result.total
        groups = result.breakdown(small_pack())["groups"]
        items = sum(item.contribution for item in result.items)
        assert sum(Decimal(g["contribution"]) for g in groups) + items == result.total


def test_normalised_values_are_exact_shares_of_the_others_beaten_ties_counting_half():
    pack = small_pack()
    [rd, *_] = pack.indicators
    values = [Decimal(100), Decimal(300), Decimal(300), Decimal(50), None]
    assert percentiles(rd, values) == [Fraction(100, 3), Fraction(250, 3), Fraction(250, 3), 0, None]


def test_equal_values_all_get_fifty():
    [rd, *_] = small_pack().indicators
    assert percentiles(rd, [Decimal(7)] * 4) == [50] * 4


def test_lower_is_better_reverses_the_ranking():
    raw_pack = small_pack()
    [rd, *_] = raw_pack.indicators
    lower = type(rd)(**{**rd.__dict__, "direction": "lower"})
    assert percentiles(lower, [Decimal(1), Decimal(2), Decimal(3)]) == [100, 50, 0]


def test_adding_a_firm_moves_the_others_percentiles():
    before = by_id(score_cohort(small_pack(), COHORT, cohort_of_four()))
    after = by_id(score_cohort(small_pack(), COHORT, [*cohort_of_four(), firm(5, 2012, 200, 3000, 3000)]))
    # A's R&D of 100 now beats one of four others (D): 25, not 33.33; B's 300 beats three and ties
    # one: (3 + 1/2) / 4 = 87.5.
    assert before[1].lines[0].normalised == Fraction(100, 3)
    assert after[1].lines[0].normalised == 25
    assert after[2].lines[0].normalised == Fraction(175, 2)
    assert after[1].cohort_size == 5 and after[1].lines[0].reporting == 5


def test_a_missing_indicator_scores_nothing_and_names_the_data():
    pack = small_pack(min_completeness="0.40")
    d = by_id(score_cohort(pack, COHORT, cohort_of_four()))[4]
    assert d.total == Decimal("0.00")  # R&D 50 is the lowest; the rest is missing
    assert [line.status for line in d.lines] == ["scored", "missing", "missing"]
    assert [line.contribution for line in d.lines] == [Decimal("0.00")] * 3
    assert d.completeness == Decimal("0.4000")
    assert d.missing == [Missing("figures", "revenue", YEAR), Missing("figures", "revenue", YEAR - 1)]


def test_too_little_data_gives_no_score_rather_than_a_low_one():
    d = by_id(score_cohort(small_pack(), COHORT, cohort_of_four()))[4]
    assert d.total is None and d.status == "no_score"
    assert d.completeness == Decimal("0.4000")  # 40 of the mature stage's 100 points have data
    assert [line.contribution for line in d.lines] == [None, None, None]
    assert Missing("figures", "revenue", YEAR) in d.missing


def test_a_cohort_below_the_floor_gives_no_scores():
    results = score_cohort(small_pack(), COHORT, cohort_of_four()[:2])
    assert all(r.total is None and COHORT_TOO_SMALL in r.reasons for r in results)
    assert all(line.normalised is None for r in results for line in r.lines)


def test_an_indicator_too_few_peers_report_scores_nothing_for_all():
    firms = cohort_of_four()
    firms[2].figures[YEAR]["revenue"] = None  # only A and B report intensity now
    results = by_id(score_cohort(small_pack(), COHORT, firms))
    assert [line.status for line in results[1].lines] == ["scored", "few_peers", "few_peers"]
    assert results[1].lines[1].contribution == Decimal("0.00")
    # A still has the data: its completeness counts it.
    assert results[1].completeness == Decimal("1.0000")


def test_firms_without_a_region_get_no_score():
    results = score_cohort(small_pack(), Cohort("", "city", "", YEAR), cohort_of_four())
    assert all(r.total is None and NO_REGION in r.reasons for r in results)


def test_a_stage_that_cannot_be_decided_gives_no_score_and_names_the_founding_date():
    firms = cohort_of_four()
    firms[0].founded_on = None
    a = by_id(score_cohort(small_pack(), COHORT, firms))[1]
    assert a.total is None and a.reasons == [STAGE_UNKNOWN]
    assert a.missing[0] == Missing("firm", "founded_on")


def test_bonus_is_capped_and_the_capped_part_shown():
    pack = small_pack(bonus_cap="2.5")
    a = by_id(score_cohort(pack, COHORT, cohort_of_four()))[1]
    assert [(i.key, i.contribution) for i in a.items] == [
        ("hnte", Decimal("2.50")),
        ("incident", Decimal("0.00")),
    ]
    assert a.total == Decimal("44.17")


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (Fraction(1, 200), "0.01"),
        (Fraction(1, 201), "0.00"),
        (Fraction(-1, 200), "-0.01"),
        (Fraction(50, 3), "16.67"),
    ],
)
def test_half_up_rounds_exactly(x, expected):
    assert half_up(x) == Decimal(expected)
