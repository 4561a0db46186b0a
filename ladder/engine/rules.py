"""Rule sets: versioned rule data parsed into typed, frozen values.

A rule set is one version of one rule family's data (``tsme``, ``hnte``, ``incubation``), with
the date it takes effect and the documents it comes from. The shipped versions live in
``ladder/rules/*.yaml`` (format in their header comment); the database may hold edited copies
(``ladder.models.RuleSet``), validated by the same parser. Every problem is one line naming the
version and the field path, because the admin shows it as the ``data`` field's error.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from ladder.engine.reader import Reader, RuleDataError
from ladder.engine.rule_data import DATA_PARSERS

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

# The family of rule data each evaluation reads.
RULE_FAMILY = {
    "tsme": "tsme",
    "hnte": "hnte",
    "graduation": "incubation",
    "incubation_clock": "incubation",
    "incubation_entry": "incubation",
}
FAMILIES = ("tsme", "hnte", "incubation")
PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class RuleSet:
    rule: str  # a family: "tsme" | "hnte" | "incubation"
    version: str
    effective_from: datetime.date
    effective_precision: str  # "day" | "month" | "year"
    source: str
    notes: str
    unverified: tuple[str, ...]  # field paths, e.g. "effective_from", "data.clock.extended_fields"
    data: Any  # TsmeData | HnteData | IncubationData

    def is_unverified(self, path: str) -> bool:
        """Whether the value at ``path`` ("data.clock") or anything under or above it is unverified."""
        return _is_unverified(self.unverified, path)


@lru_cache(maxsize=4096)
def _is_unverified(unverified: tuple[str, ...], path: str) -> bool:
    # Asked for every criterion of every firm: the answer depends on the two strings only.
    return any(u == path or u.startswith(path + ".") or path.startswith(u + ".") for u in unverified)


def parse_ruleset(raw: Mapping[str, Any], *, rule: str | None = None) -> RuleSet:
    """A RuleSet from a dict (a YAML item or a database row's values); RuleDataError if invalid."""
    if not isinstance(raw, Mapping):
        raise RuleDataError(_("A rule version must be a mapping of version, effective_from, ... and data."))
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise RuleDataError(_("A rule version needs a non-empty text 'version'."))
    r = Reader(version)
    allowed = {
        "rule",
        "version",
        "effective_from",
        "effective_precision",
        "source",
        "notes",
        "unverified",
        "data",
    }
    r.no_extra(raw, allowed, "")
    rule = rule or raw.get("rule")
    if rule not in FAMILIES:
        raise r.error("rule", _("must be one of %(choices)s") % {"choices": ", ".join(FAMILIES)})
    effective_from = r.date(raw.get("effective_from"), "effective_from")
    precision = raw.get("effective_precision")
    if precision not in PRECISIONS:
        raise r.error(
            "effective_precision", _("must be one of %(choices)s") % {"choices": ", ".join(PRECISIONS)}
        )
    unverified = r.list_of_text(raw.get("unverified", []), "unverified")
    data = raw.get("data")
    for path in unverified:
        if path != "effective_from" and not _resolves(raw, path):
            raise r.error(
                "unverified", _("names %(path)s, which is not a field of this version") % {"path": path}
            )
    return RuleSet(
        rule=rule,
        version=version,
        effective_from=effective_from,
        effective_precision=precision,
        source=r.text(raw.get("source"), "source"),
        notes=r.text(raw.get("notes", ""), "notes", required=False),
        unverified=tuple(unverified),
        data=DATA_PARSERS[rule](r, data),
    )


def _resolves(raw: Mapping[str, Any], path: str) -> bool:
    node: Any = raw
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True


def read_rules_file(path: Path, *, rule: str) -> list[RuleSet]:
    with path.open(encoding="utf-8") as handle:
        items = yaml.safe_load(handle)
    if not isinstance(items, list):
        raise RuleDataError(_("%(file)s must hold a list of versions.") % {"file": path.name})
    rulesets = [parse_ruleset(item, rule=rule) for item in items]
    _check_unique(rulesets)
    return rulesets


def raw_shipped_rules() -> dict[str, list[dict]]:
    """The YAML items by family, as plain dicts (dates as date objects)."""
    result = {}
    for family in FAMILIES:
        with (RULES_DIR / f"{family}.yaml").open(encoding="utf-8") as handle:
            result[family] = yaml.safe_load(handle)
    return result


def load_shipped_rules() -> tuple[RuleSet, ...]:
    """Every version of every family shipped in ladder/rules/*.yaml."""
    rulesets: list[RuleSet] = []
    for family in FAMILIES:
        rulesets += read_rules_file(RULES_DIR / f"{family}.yaml", rule=family)
    _check_unique(rulesets)
    return tuple(rulesets)


def _check_unique(rulesets: Iterable[RuleSet]) -> None:
    seen: dict[str, RuleSet] = {}
    dates: dict[tuple[str, datetime.date], RuleSet] = {}
    for rs in rulesets:
        if rs.version in seen:
            raise RuleDataError(_("%(version)s: version appears twice") % {"version": rs.version})
        if (rs.rule, rs.effective_from) in dates:
            other = dates[(rs.rule, rs.effective_from)]
            raise RuleDataError(
                _("%(version)s: effective_from: %(other)s takes effect on the same day")
                % {"version": rs.version, "other": other.version}
            )
        seen[rs.version] = rs
        dates[(rs.rule, rs.effective_from)] = rs


class NoRulesInForce(LookupError):
    pass


def rules_in_force(rule: str, on: datetime.date, rulesets: Iterable[RuleSet]) -> RuleSet:
    """The version of ``rule``'s family with the latest effective_from on or before ``on``.

    ``rule`` may be an evaluation ("graduation") or a family ("incubation").
    """
    family = RULE_FAMILY.get(rule, rule)
    candidates = [rs for rs in rulesets if rs.rule == family and rs.effective_from <= on]
    if not candidates:
        raise NoRulesInForce(
            _("No %(rule)s rules were in force on %(on)s.") % {"rule": family, "on": on.isoformat()}
        )
    return max(candidates, key=lambda rs: rs.effective_from)
