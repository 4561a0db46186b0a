"""Scoring a cohort: every member's indicators, percentiles, stage, weights and total at once.

Percentiles: among the cohort's firms that report an indicator (``reporting``), a firm's
normalised value is the share of the *other* reporting firms it does better than, a tie counting
half, from 0 to 100: ``100 * (worse + (equal - 1) / 2) / (reporting - 1)``, where ``equal``
counts the firm itself. So the best of five distinct values gets 100, the middle one 50, the
worst 0; five equal values all get 50. With fewer than the pack's ``min_size`` reporting firms
the indicator scores nothing for anyone ("few_peers"); a cohort smaller than that gets no scores.

A line's contribution is ``weight * normalised / 100``, rounded half up to the cent; the total is
the sum of the rounded contributions and the bonus and negative items, so the lines add up to it
exactly. Completeness is the share of the stage's weight whose indicators the firm has data for,
rounded down to four places (so a shown 0.6000 is never short of 0.60); below the pack's minimum
the firm gets no score, only the list of what is missing.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ladder.engine.bands import shown
from scoring.engine.indicators import Value, assign_stage, indicator_value, item_applies, rank_key
from scoring.engine.inputs import FirmRecord, Missing
from scoring.engine.pack import Indicator, Pack

SCORED, NO_SCORE = "scored", "no_score"
# Why a firm has no score (FirmScore.reasons), in the order they are checked.
NO_FIGURES = "no_figures"  # no closed fiscal year with figures
NO_REGION = "no_region"  # the cohort is by city or incubator, and the firm is in none
COHORT_TOO_SMALL = "cohort_too_small"
STAGE_UNKNOWN = "stage_unknown"
INCOMPLETE = "incomplete"
REASONS = (NO_FIGURES, NO_REGION, COHORT_TOO_SMALL, STAGE_UNKNOWN, INCOMPLETE)
# A line's status.
LINE_SCORED, LINE_MISSING, LINE_FEW_PEERS = "scored", "missing", "few_peers"

CENT = Decimal("0.01")


def half_up(x: Fraction, places: int = 2) -> Decimal:
    """``x`` rounded half away from zero to ``places`` decimals, exactly (no float, no context)."""
    scaled = abs(x) * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if 2 * rest >= scaled.denominator:
        whole += 1
    result = Decimal(whole).scaleb(-places)
    return -result if x < 0 else result


@dataclass(frozen=True)
class Cohort:
    key: str  # e.g. "2024/city:青岛", "2024/incubator:12", "2024/all"; "" when there is none
    by: str
    value: str
    year: int | None

    def as_json(self, size: int, min_size: int) -> dict[str, Any]:
        return {"key": self.key, "by": self.by, "value": self.value, "size": size, "min_size": min_size}


def cohort_key(year: int, by: str, value: Any) -> str:
    return f"{year}/all" if by == "none" else f"{year}/{by}:{value}"


@dataclass(frozen=True)
class Line:
    indicator: Indicator
    value: Value | None
    missing: tuple[Missing, ...]
    reporting: int
    normalised: Fraction | None = None
    weight: Decimal | None = None
    contribution: Decimal | None = None

    @property
    def status(self) -> str:
        if self.value is None:
            return LINE_MISSING
        return LINE_SCORED if self.normalised is not None else LINE_FEW_PEERS

    def as_json(self) -> dict[str, Any]:
        """What was computed; the indicator's label, unit and data come from the pack (describe.py)."""
        return {
            "key": self.indicator.key,
            "value": _shown(self.value, self.indicator.unit),
            "normalised": None if self.normalised is None else str(half_up(self.normalised)),
            "weight": None if self.weight is None else str(self.weight),
            "contribution": None if self.contribution is None else str(self.contribution),
            "status": self.status,
            "reporting": self.reporting,
            "missing": [m.as_json() for m in self.missing],
        }


@dataclass(frozen=True)
class ItemLine:
    key: str
    kind: str  # bonus | negative
    points: Decimal
    applies: bool
    contribution: Decimal | None  # signed: negative items take points off

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "applies": self.applies,
            "contribution": None if self.contribution is None else str(self.contribution),
        }


@dataclass
class FirmResult:
    firm_id: int
    year: int | None
    cohort: Cohort
    cohort_size: int
    stage: str | None = None
    total: Decimal | None = None
    completeness: Decimal | None = None
    reasons: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    items: list[ItemLine] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)

    @property
    def status(self) -> str:
        return SCORED if self.total is not None else NO_SCORE

    def breakdown(self, pack: Pack) -> dict[str, Any]:
        """What was computed, as stored (FirmScore.breakdown): values, normalised values, weights,
        contributions, cohort, stage and missing data, by key. The words around them (labels,
        units, the data each indicator reads, the pack's source) are the pack's, added by
        ``describe.describe`` when shown, so a portfolio's nightly rewrite stays small."""
        groups = []
        for key, _label in pack.groups:
            known = [line.contribution for line in self.lines if line.indicator.group == key]
            known = [p for p in known if p is not None]
            groups.append({"key": key, "contribution": str(sum(known, Decimal("0.00"))) if known else None})
        return {
            "pack": pack.version,
            "year": self.year,
            "cohort": self.cohort.as_json(self.cohort_size, pack.min_cohort),
            "stage": self.stage,
            "completeness": None if self.completeness is None else str(self.completeness),
            "min_completeness": str(pack.min_completeness),
            "reasons": list(self.reasons),
            "groups": groups,
            "lines": [line.as_json() for line in self.lines],
            "items": [item.as_json() for item in self.items],
            "missing": [m.as_json() for m in self.missing],
        }


def _shown(value: Value | None, unit: str) -> Any:
    if value is None:
        return None
    if isinstance(value, Fraction):
        return str(shown(value))
    if isinstance(value, Decimal):
        return str(value.quantize(CENT)) if unit == "cny" else str(value)
    return value


def no_figures_result(firm: FirmRecord) -> FirmResult:
    return FirmResult(
        firm_id=firm.firm_id, year=None, cohort=Cohort("", "", "", None), cohort_size=0, reasons=[NO_FIGURES]
    )


def percentiles(indicator: Indicator, values: list[Value | None]) -> list[Fraction | None]:
    """Each value's normalised value among the non-missing ones (see the module docstring);
    None for a missing value. The caller decides whether enough firms report."""
    keys = sorted(rank_key(indicator, v) for v in values if v is not None)
    others = len(keys) - 1
    result: list[Fraction | None] = []
    for value in values:
        if value is None or others < 1:
            result.append(None)
            continue
        key = rank_key(indicator, value)
        worse = bisect_left(keys, key)
        equal = bisect_right(keys, key) - worse
        result.append(Fraction(2 * worse + equal - 1, 2 * others) * 100)
    return result


def score_cohort(pack: Pack, cohort: Cohort, firms: list[FirmRecord]) -> list[FirmResult]:
    """Every firm of one cohort (same score year, same region), scored against the others.

    ``cohort.key == ""`` means the firms could not be placed in a cohort (no region): each is
    evaluated alone for its values and stage, and gets no score.
    """
    year = cohort.year
    assert year is not None
    size = len(firms)
    placed = cohort.key != ""
    values = {ind.key: [indicator_value(ind, firm, year) for firm in firms] for ind in pack.indicators}
    normalised: dict[str, list[Fraction | None]] = {}
    reporting: dict[str, int] = {}
    for ind in pack.indicators:
        column = [v for v, _missing in values[ind.key]]
        reporting[ind.key] = sum(v is not None for v in column) if placed else 0
        comparable = placed and size >= pack.min_cohort and reporting[ind.key] >= pack.min_cohort
        normalised[ind.key] = percentiles(ind, column) if comparable else [None] * size
    results = []
    for n, firm in enumerate(firms):
        lines = [
            Line(
                indicator=ind,
                value=values[ind.key][n][0],
                missing=tuple(values[ind.key][n][1]),
                reporting=reporting[ind.key],
                normalised=normalised[ind.key][n],
            )
            for ind in pack.indicators
        ]
        results.append(_score_firm(pack, firm, cohort, size, lines))
    return results


def _score_firm(pack: Pack, firm: FirmRecord, cohort: Cohort, size: int, lines: list[Line]) -> FirmResult:
    year = cohort.year
    stage, stage_missing = assign_stage(pack, firm, year)
    missing: list[Missing] = []
    for found in [*stage_missing, *(m for line in lines for m in line.missing)]:
        if found not in missing:
            missing.append(found)
    result = FirmResult(
        firm_id=firm.firm_id,
        year=year,
        cohort=cohort,
        cohort_size=size,
        stage=None if stage is None else stage.key,
        missing=missing,
    )
    if cohort.key == "":
        result.reasons.append(NO_REGION)
    elif size < pack.min_cohort:
        result.reasons.append(COHORT_TOO_SMALL)
    if stage is None:
        result.reasons.append(STAGE_UNKNOWN)
        result.lines = lines
        result.items = _items(pack, firm, year, scored=False)
        return result
    with_data = sum(
        (line.indicator.weights[stage.key] for line in lines if line.value is not None), Decimal(0)
    )
    completeness = Fraction(with_data) / Fraction(pack.scale)
    result.completeness = Decimal(math.floor(completeness * 10_000)).scaleb(-4)
    if completeness < pack.min_completeness:
        result.reasons.append(INCOMPLETE)
    scored = not result.reasons
    result.lines = [_weighted(line, stage.key, scored) for line in lines]
    result.items = _items(pack, firm, year, scored=scored)
    if scored:
        parts = [line.contribution for line in result.lines] + [item.contribution for item in result.items]
        result.total = sum(parts, Decimal("0.00"))
    return result


def _weighted(line: Line, stage: str, scored: bool) -> Line:
    weight = line.indicator.weights[stage]
    contribution = None
    if scored:
        if line.normalised is None:
            contribution = Decimal("0.00")
        else:
            contribution = half_up(Fraction(weight) * line.normalised / 100)
    return Line(
        indicator=line.indicator,
        value=line.value,
        missing=line.missing,
        reporting=line.reporting,
        normalised=line.normalised,
        weight=weight,
        contribution=contribution,
    )


def _items(pack: Pack, firm: FirmRecord, year: int, *, scored: bool) -> list[ItemLine]:
    """Bonus items add, negative items take off, each kind up to its cap (items in pack order:
    the one that reaches the cap counts in part, later ones not at all)."""
    lines = []
    for kind, items, cap, sign in (
        ("bonus", pack.bonus, pack.bonus_cap, 1),
        ("negative", pack.negative, pack.negative_cap, -1),
    ):
        room = cap
        for item in items:
            applies = item_applies(item, firm, year)
            contribution = None
            if scored:
                counted = min(item.points, room) if applies else Decimal(0)
                room -= counted
                contribution = (sign * counted).quantize(CENT) if counted else Decimal("0.00")
            lines.append(ItemLine(item.key, kind, item.points, applies, contribution))
    return lines
