"""Bounds and band tables, compared exactly.

Ratios are compared as fractions (``Fraction(numerator, denominator)``), never as floats or as
rounded Decimals: a firm exactly at 5.00% must pass, one yuan short must not. Displayed ratios
are rounded toward minus infinity to ``DISPLAY_PLACES`` so that a shown value never looks like
it meets a "min" bound it misses.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from functools import cached_property

Number = int | Decimal | Fraction

DISPLAY_PLACES = Decimal("0.000001")


def exact(x: Number) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


def ratio(numerator: Number, denominator: Number) -> Fraction | None:
    """numerator ÷ denominator, exactly; None when the denominator is zero."""
    if not denominator:
        return None
    return exact(numerator) / exact(denominator)


def shown(x: Fraction | None) -> Decimal | None:
    """A ratio for display: 6 places, rounded down (see the module docstring)."""
    if x is None:
        return None
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(DISPLAY_PLACES, rounding=ROUND_FLOOR)


@dataclass(frozen=True)
class Bound:
    """``min``: the value must be at least (inclusive) or above (exclusive) ``value``;
    ``max``: at most (inclusive) or below (exclusive) it."""

    kind: str  # "min" | "max"
    value: Decimal | int
    inclusive: bool

    def holds(self, x: Number) -> bool:
        # int and Decimal compare exactly with each other; only a Fraction needs the bound as
        # one. Converting every Decimal to a Fraction cost most of a 10,000-firm evaluation.
        bound = self.fraction if isinstance(x, Fraction) else self.value
        if self.kind == "min":
            return x >= bound if self.inclusive else x > bound
        return x <= bound if self.inclusive else x < bound

    @cached_property
    def fraction(self) -> Fraction:
        return exact(self.value)

    def as_json(self) -> dict:
        return {self.kind: self.value, "inclusive": self.inclusive}


@dataclass(frozen=True)
class Band:
    lower: Bound  # always kind "min"
    points: int
    points_max: int  # == points unless the band gives a range (HNTE expert-scored)


@dataclass(frozen=True)
class BandTable:
    bands: tuple[Band, ...]  # highest first
    otherwise: int
    max: int

    def band_for(self, x: Number) -> Band | None:
        for band in self.bands:
            if band.lower.holds(x):
                return band
        return None

    def points(self, x: Number) -> tuple[int, int]:
        """(points, points_max) for ``x``."""
        band = self.band_for(x)
        if band is None:
            return self.otherwise, self.otherwise
        return band.points, band.points_max

    @property
    def lowest_scoring(self) -> Bound | None:
        """The smallest lower bound that gives more than ``otherwise``."""
        scoring = [b for b in self.bands if b.points > self.otherwise]
        return scoring[-1].lower if scoring else None
