"""Reading rule sets: the active database rows, or the shipped YAML while the table is empty."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.db.models import TextField
from django.db.models.functions import Cast

from ladder.engine.rules import RuleSet, load_shipped_rules, parse_ruleset, rules_in_force

# Parsed rule sets by the content of their row: a row is parsed again only once it changed.
_PARSED: dict[tuple, RuleSet] = {}
_PARSED_MAX = 64


def rulesets_active() -> tuple[RuleSet, ...]:
    """Every active version of every rule, parsed, in one query; the shipped YAML when none.

    The result is a tuple of frozen values: a caller evaluating many firms reads it once and
    passes it on (``rulesets=``), and it can be cached as it is. Each row is parsed once per
    process and content: the query reads its JSON as text, and a row whose text is what was
    parsed before gets that parse back (any edit, by the admin or not, changes the text).
    """
    from ladder.models import RuleSet as RuleSetRow

    rows = RuleSetRow.objects.filter(active=True).values_list(
        "rule",
        "version",
        "effective_from",
        "effective_precision",
        "source",
        "notes",
        Cast("unverified", TextField()),
        Cast("data", TextField()),
    )
    parsed = tuple(_parsed(row) for row in rows)
    return parsed or load_shipped_rules()


def _parsed(row: tuple) -> RuleSet:
    found = _PARSED.get(row)
    if found is None:
        rule, version, effective_from, precision, source, notes, unverified, data = row
        raw = {
            "version": version,
            "effective_from": effective_from,
            "effective_precision": precision,
            "source": source,
            "notes": notes,
            "unverified": json.loads(unverified),
            "data": json.loads(data),
        }  # RuleSetRow.as_raw(), from the text
        found = parse_ruleset(raw, rule=rule)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[row] = found
    return found


def ruleset_in_force(rule: str, on: datetime.date, *, rulesets: Iterable[RuleSet] | None = None) -> RuleSet:
    """The version of ``rule`` in force on ``on`` (NoRulesInForce if none)."""
    return rules_in_force(rule, on, rulesets_active() if rulesets is None else rulesets)
