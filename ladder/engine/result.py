"""What an evaluation returns: one Criterion per rule condition, and the Evaluation around them.

A criterion is met (True), not met (False) or unknown (None: an input it needs is missing).
``value`` and ``threshold`` are what the rule compares (Decimal shares 0-1, Decimal yuan, int
counts, dates); ``gap`` is how far a criterion that is not met is from being met, in
``gap_unit`` ("cny", "staff", "points", "share", "days", "date", "months"), for the plain-terms
text staff read ("5% needs 240,000 CNY more", "2 more tech staff", "eligible from 2026-03-01").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

GAP_UNITS = ("cny", "staff", "points", "share", "days", "date", "months", "count")


@dataclass(frozen=True)
class Criterion:
    name: str
    met: bool | None
    value: Any = None
    threshold: Any = None
    points: int | None = None
    points_max: int | None = None
    gap: Decimal | int | datetime.date | None = None
    gap_unit: str | None = None
    # The rule data behind this criterion is marked unverified in its rule set.
    unverified: bool = False
    # The value is the firm's own self-assessment (HNTE expert-scored parts), not computed.
    self_assessed: bool = False
    # Free detail for the panel, e.g. both TSME R&D options or the innovation-score parts.
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def exceeds_cap(self) -> bool:
        """A cap (staff, revenue, assets) exceeded: the gap is the excess, which growing the
        firm does not close."""
        numbers = (int, Decimal)
        return (
            isinstance(self.value, numbers)
            and not isinstance(self.value, bool)
            and isinstance(self.threshold, numbers)
            and self.value > self.threshold
        )


@dataclass(frozen=True)
class Evaluation:
    rule: str  # "tsme" | "hnte" | "graduation" | "incubation_clock" | "incubation_entry"
    on: datetime.date
    rules_version: str  # RuleSet.version used, e.g. "tsme-2022"
    rules_source: str  # RuleSet.source: the documents
    eligible: bool
    score: int | None
    criteria: dict[str, Criterion]  # in the order staff read them
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. months_left, over_limit, eligible_from

    @property
    def unknown(self) -> list[str]:
        return [name for name, c in self.criteria.items() if c.met is None]

    @property
    def failing(self) -> list[str]:
        return [name for name, c in self.criteria.items() if c.met is False]

    def as_json(self, *, id: str | None = None, full: bool = False) -> dict[str, Any]:
        """See ``ladder.engine.jsonio.evaluation_json``."""
        from ladder.engine.jsonio import evaluation_json  # jsonio imports this module

        return evaluation_json(self, id=id, full=full)
