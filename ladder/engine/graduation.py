"""Graduation from incubation, any one route (国科发区〔2018〕300号)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ladder.engine.common import bound_criterion, flag, money_gap
from ladder.engine.inputs import GraduationInputs
from ladder.engine.result import Criterion, Evaluation
from ladder.engine.rule_data import IncubationData
from ladder.engine.rules import RuleSet


def evaluate_graduation(inputs: GraduationInputs, on: datetime.date, ruleset: RuleSet) -> Evaluation:
    data: IncubationData = ruleset.data
    criteria = {
        "hnte": flag("hnte", inputs.hnte),
        "angel_vc": bound_criterion(
            "angel_vc",
            inputs.cumulative_angel_vc,
            data.angel_vc,
            unit="cny",
            unverified=ruleset.is_unverified("data.graduation.angel_vc"),
        ),
        # Only closed fiscal years count: a year not yet over has no revenue to add up.
        "revenue_two_years": _revenue(
            {year: amount for year, amount in inputs.yearly_revenues.items() if year < on.year}, data, ruleset
        ),
        "listed_or_acquired": flag("listed_or_acquired", inputs.listed_or_acquired),
    }
    return Evaluation(
        rule="graduation",
        on=on,
        rules_version=ruleset.version,
        rules_source=ruleset.source,
        eligible=any(c.met is True for c in criteria.values()),
        score=None,
        criteria=criteria,
    )


def best_consecutive(yearly: dict[int, Decimal], span: int) -> tuple[Decimal, tuple[int, ...]] | None:
    """The largest revenue over ``span`` consecutive years all present, and those years."""
    windows = [
        tuple(range(start, start + span))
        for start in sorted(yearly)
        if all(year in yearly for year in range(start, start + span))
    ]
    if not windows:
        return None
    best = max(windows, key=lambda years: sum(yearly[y] for y in years))
    return sum((yearly[y] for y in best), Decimal(0)), best


def _revenue(yearly: dict[int, Decimal], data: IncubationData, ruleset: RuleSet) -> Criterion:
    bound = data.revenue_two_years
    unverified = ruleset.is_unverified("data.graduation.revenue_two_years")
    if not yearly:
        return Criterion(name="revenue_two_years", met=None, threshold=bound.value, unverified=unverified)
    found = best_consecutive(yearly, data.consecutive_years)
    if found is None:  # the years given are not consecutive: they never add up
        return Criterion(name="revenue_two_years", met=False, threshold=bound.value, unverified=unverified)
    total, years = found
    met = bound.holds(total)
    return Criterion(
        name="revenue_two_years",
        met=met,
        value=total,
        threshold=bound.value,
        gap=None if met else money_gap(bound, total),
        gap_unit=None if met else "cny",
        unverified=unverified,
        detail={"years": list(years)},
    )
