"""Writing rule sets: bringing the database in line with the shipped YAML."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.db import transaction

from ladder.engine.rules import FAMILIES, load_shipped_rules, raw_shipped_rules
from ladder.models import RuleSet

COMPARED = ("rule", "effective_from", "effective_precision", "source", "notes", "unverified", "data")


@dataclass(frozen=True)
class RuleChange:
    action: str  # "add" | "change" | "extra" (in the database only: never deleted)
    version: str
    fields: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        if self.action == "add":
            return f"+ {self.version}: only in the YAML, will be added"
        if self.action == "extra":
            return f"= {self.version}: only in the database, kept"
        return f"~ {self.version}: differs in {', '.join(self.fields)}"


def _normal(value):
    return json.loads(json.dumps(value, sort_keys=True, default=_iso))


def _iso(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _shipped_rows() -> dict[str, dict]:
    load_shipped_rules()  # validates every version before anything is compared or written
    rows = {}
    for family in FAMILIES:
        for item in raw_shipped_rules()[family]:
            rows[item["version"]] = {"rule": family, "notes": "", "unverified": [], **item}
    return rows


def ruleset_diff() -> list[RuleChange]:
    shipped = _shipped_rows()
    changes = []
    existing = {row.version: row for row in RuleSet.objects.all()}
    for version, wanted in shipped.items():
        row = existing.get(version)
        if row is None:
            changes.append(RuleChange("add", version))
            continue
        differing = tuple(f for f in COMPARED if _normal(getattr(row, f)) != _normal(wanted[f]))
        if differing:
            changes.append(RuleChange("change", version, differing))
    changes += [RuleChange("extra", version) for version in existing if version not in shipped]
    return changes


@transaction.atomic
def ruleset_apply() -> list[RuleChange]:
    """Write the YAML's versions (adds and changes) in one transaction; database-only ones stay."""
    shipped = _shipped_rows()
    changes = ruleset_diff()
    for change in changes:
        if change.action == "extra":
            continue
        wanted = shipped[change.version]
        values = {f: wanted[f] for f in COMPARED}
        values["effective_from"] = _as_date(values["effective_from"])
        row = RuleSet.objects.filter(version=change.version).first() or RuleSet(version=change.version)
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
    return changes


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
