"""Reading rule sets: the active database rows, or the shipped YAML while the table is empty."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from ladder.engine.rules import RuleSet, load_shipped_rules, rules_in_force


def rulesets_active() -> tuple[RuleSet, ...]:
    """Every active version of every rule, parsed, in one query; the shipped YAML when none.

    The result is a tuple of frozen values: a caller evaluating many firms reads it once and
    passes it on (``rulesets=``), and it can be cached as it is.
    """
    from ladder.models import RuleSet as RuleSetRow

    rows = list(RuleSetRow.objects.filter(active=True))
    if not rows:
        return load_shipped_rules()
    return tuple(row.parsed() for row in rows)


def ruleset_in_force(rule: str, on: datetime.date, *, rulesets: Iterable[RuleSet] | None = None) -> RuleSet:
    """The version of ``rule`` in force on ``on`` (NoRulesInForce if none)."""
    return rules_in_force(rule, on, rulesets_active() if rulesets is None else rulesets)
