"""Building blocks shared by the evaluations: criteria from bounds, flags and ratios."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from ladder.engine.bands import Bound, Number, exact, ratio, shown
from ladder.engine.result import Criterion

CENT = Decimal("0.01")


def first_int(bound: Bound) -> int:
    """The smallest whole number meeting a min bound (71 for "> 70", 365 for ">= 365")."""
    value = exact(bound.value)
    n = math.ceil(value)
    return n if bound.holds(n) else n + 1


def up_to_yuan(x: Fraction) -> Decimal:
    """An amount rounded up to the whole yuan (a gap must be enough, never a cent short)."""
    return Decimal(math.ceil(x))


def money_gap(bound: Bound, value: Decimal) -> Decimal:
    """How much more (min bound) or less (max bound) money meets ``bound``, to the cent."""
    distance = value - bound.value if bound.kind == "max" else bound.value - value
    return (distance + (0 if bound.inclusive else CENT)).quantize(CENT, rounding=ROUND_CEILING)


def count_gap(bound: Bound, value: int) -> int:
    distance = value - bound.value if bound.kind == "max" else bound.value - value
    return math.ceil(distance) + (0 if bound.inclusive else 1)


def flag(name: str, value: bool | None, *, unverified: bool = False) -> Criterion:
    """A yes/no condition: met when the flag is true, unknown when it is not given."""
    return Criterion(name=name, met=value, value=value, threshold=True, unverified=unverified)


def bound_criterion(name: str, value: Number | None, bound: Bound, *, unit: str, unverified: bool = False):
    """A criterion comparing an amount ("cny") or a count ("staff", "count", ...) with a bound."""
    if value is None:
        return Criterion(name=name, met=None, threshold=bound.value, unverified=unverified)
    met = bound.holds(value)
    gap = None
    if not met:
        gap = money_gap(bound, value) if unit == "cny" else count_gap(bound, value)
    return Criterion(
        name=name,
        met=met,
        value=value,
        threshold=bound.value,
        gap=gap,
        gap_unit=unit if gap is not None else None,
        unverified=unverified,
    )


def share_criterion(name: str, share: Decimal | None, bound: Bound, *, unverified: bool = False):
    """A share 0-1 given as such (e.g. high-tech revenue share) against a min bound."""
    if share is None:
        return Criterion(name=name, met=None, threshold=bound.value, unverified=unverified)
    met = bound.holds(share)
    return Criterion(
        name=name,
        met=met,
        value=share,
        threshold=bound.value,
        gap=None if met else Decimal(bound.value) - share,
        gap_unit=None if met else "share",
        unverified=unverified,
    )


def staff_to_convert(bound: Bound, tech_staff: int, employees: int) -> int:
    """Employees to move into tech roles, headcount unchanged, for tech ÷ staff to meet ``bound``."""
    needed = math.ceil(exact(bound.value) * employees)
    if not bound.holds(Fraction(needed, employees)):
        needed += 1
    return max(needed - tech_staff, 0)


def staff_to_hire(bound: Bound, tech_staff: int, employees: int) -> int | None:
    """Tech staff to hire (both counts grow) for tech ÷ staff to meet ``bound``; None if never."""
    share = exact(bound.value)
    if share >= 1:
        return None
    hires = max(math.ceil((share * employees - tech_staff) / (1 - share)), 0)
    while not bound.holds(Fraction(tech_staff + hires, employees + hires)):
        hires += 1
    return hires


def ratio_value(numerator: Number, denominator: Number) -> tuple[Fraction | None, Decimal | None]:
    """(the exact ratio, its display value); both None when the denominator is zero."""
    exact_ratio = ratio(numerator, denominator)
    return exact_ratio, shown(exact_ratio)
