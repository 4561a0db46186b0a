"""Indicator values, stages and bonus/negative items of one firm for one score year.

A value is exact: an int (counts), a Decimal (yuan) or a Fraction (ratios, growth). A value that
cannot be computed is None, with the stored data it lacks (``Missing``): never a zero.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from scoring.engine.inputs import FirmRecord, Missing, certification_in_force
from scoring.engine.pack import DERIVED, Condition, Indicator, Item, Pack, Stage

Value = int | Decimal | Fraction


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _quantity(firm: FirmRecord, name: str, year: int) -> tuple[Value | None, list[Missing]]:
    """A figure of ``year`` (or a derived quantity) and what is missing for it."""
    row = firm.figures.get(year, {})
    if name in DERIVED:
        left, right = DERIVED[name]
        missing = [Missing("figures", f, year) for f in (left, right) if row.get(f) is None]
        if missing:
            return None, missing
        return row[left] - row[right], []
    value = row.get(name)
    return (None, [Missing("figures", name, year)]) if value is None else (value, [])


def indicator_value(indicator: Indicator, firm: FirmRecord, year: int) -> tuple[Value | None, list[Missing]]:
    compute = indicator.compute
    if compute.kind == "figure":
        return _quantity(firm, compute.figure, year)
    if compute.kind == "ratio":
        numerator, missing = _quantity(firm, compute.figure, year)
        denominator, missing_too = _quantity(firm, compute.denominator, year)
        missing += missing_too
        if missing:
            return None, missing
        if denominator <= 0:
            problem = "zero" if denominator == 0 else "not_positive"
            return None, [Missing("figures", compute.denominator, year, problem)]
        return Fraction(numerator) / Fraction(denominator), []
    if compute.kind == "growth":
        now, missing = _quantity(firm, compute.figure, year)
        before, missing_too = _quantity(firm, compute.figure, year - 1)
        missing += missing_too
        if missing:
            return None, missing
        if before <= 0:
            problem = "zero" if before == 0 else "not_positive"
            return None, [Missing("figures", compute.figure, year - 1, problem)]
        return (Fraction(now) - Fraction(before)) / Fraction(before), []
    if compute.kind == "financing":
        first = year - indicator.period_years + 1
        total = Decimal("0.00")
        for event in firm.financing:
            if (
                event["kind"] in compute.kinds
                and (not compute.instruments or event["instrument"] in compute.instruments)
                and event["currency"] == "CNY"
                and event["amount"] is not None
                and event["occurred_on"] is not None
                and first <= event["occurred_on"].year <= year
            ):
                total += event["amount"]
        return total, []
    # certifications: distinct kinds in force at the end of the year
    day = year_end(year)
    kinds = {
        row["kind"]
        for row in firm.certifications
        if (not compute.kinds or row["kind"] in compute.kinds) and certification_in_force(row, day)
    }
    return len(kinds), []


def age_years(founded_on: datetime.date, year: int) -> int:
    """Whole years from founding to 31 December of ``year`` (0 for a firm founded later)."""
    return max(year - founded_on.year, 0)


def _holds(stage: Stage, firm: FirmRecord, year: int) -> tuple[bool | None, list[Missing]]:
    """Whether the stage's conditions hold: True, False, or None when data decides it and is missing."""
    results: list[bool | None] = []
    missing: list[Missing] = []
    if stage.age_years is not None:
        if firm.founded_on is None:
            results.append(None)
            missing.append(Missing("firm", "founded_on"))
        else:
            results.append(stage.age_years.holds(age_years(firm.founded_on, year)))
    if stage.revenue is not None:
        revenue = firm.figures.get(year, {}).get("revenue")
        if revenue is None:
            results.append(None)
            missing.append(Missing("figures", "revenue", year))
        else:
            results.append(stage.revenue.holds(revenue))
    if stage.match == "any":
        if True in results:
            return True, []
        return (None, missing) if None in results else (False, [])
    if False in results:
        return False, []
    return (None, missing) if None in results else (True, [])


def assign_stage(pack: Pack, firm: FirmRecord, year: int) -> tuple[Stage | None, list[Missing]]:
    """The first stage whose conditions hold; None (with the missing data) when a stage before it
    cannot be decided."""
    for stage in pack.stages:
        if stage.is_default:
            return stage, []
        holds, missing = _holds(stage, firm, year)
        if holds is None:
            return None, missing
        if holds:
            return stage, []
    raise AssertionError("the parser guarantees a default stage")


def item_applies(item: Item, firm: FirmRecord, year: int) -> bool:
    when: Condition = item.when
    first = year - when.years + 1
    if when.kind == "certification":
        day = year_end(year)
        return any(
            row["kind"] in when.kinds and certification_in_force(row, day) for row in firm.certifications
        )
    if when.kind == "distinction":
        return any(
            row["kind"] in when.kinds
            and (not when.levels or row["level"] in when.levels)
            and (not when.roles or row["role"] in when.roles)
            and row["year"] is not None
            and first <= row["year"] <= year
            for row in firm.distinctions
        )
    if when.kind == "incident":
        return any(
            row["kind"] in when.kinds and first <= row["occurred_on"].year <= year for row in firm.incidents
        )
    return any(
        row["kind"] == "loan"
        and row["loan_status"] in when.statuses
        and (row["occurred_on"] is None or first <= row["occurred_on"].year <= year)
        for row in firm.financing
    )


def rank_key(indicator: Indicator, value: Any) -> Any:
    """The value as ranked: larger is better."""
    return -value if indicator.direction == "lower" else value
