"""When the emails of a figures request go out: figures/rules/requests.yaml, checked on load.

The days are the incubator's own choice (the file says so); no published rule sets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from ladder.engine.reader import Reader, RuleDataError

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "requests.yaml"


@dataclass(frozen=True)
class RequestEmailRules:
    version: str
    source: str
    reminder_days_before_due: tuple[int, ...]  # ascending
    liaison_note_days_after_due: tuple[int, ...]  # ascending


def _days(r: Reader, raw: Mapping[str, Any], key: str) -> tuple[int, ...]:
    days = r.get(raw, key, "")
    if not isinstance(days, list) or not days:
        raise r.error(key, _("must be a non-empty list of days"))
    values = [r.integer(d, f"{key}[{i}]", minimum=1) for i, d in enumerate(days)]
    if len(set(values)) != len(values):
        raise r.error(key, _("names a day twice"))
    return tuple(sorted(values))


def parse_rules(raw: Any) -> RequestEmailRules:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("version"), str) or not raw["version"].strip():
        raise RuleDataError(_("The figures request rule data needs a non-empty text 'version'."))
    r = Reader(raw["version"])
    r.no_extra(raw, {"version", "source", "reminder_days_before_due", "liaison_note_days_after_due"}, "")
    return RequestEmailRules(
        version=raw["version"],
        source=r.text(*r.at(raw, "", "source")),
        reminder_days_before_due=_days(r, raw, "reminder_days_before_due"),
        liaison_note_days_after_due=_days(r, raw, "liaison_note_days_after_due"),
    )


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> RequestEmailRules:
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))
