"""Rule packs: the innovation score's model as versioned data, parsed into frozen values.

The format is described in the header of scoring/packs/default.yaml. Every problem is one line
naming the pack version and the field path (``ours-2025.1: data.indicators.rd_growth.weights:
...``), because the admin shows it as the data field's error, the command prints it, and the
migration's frozen copy passes the same parser in the tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from ladder.engine.bands import Bound
from ladder.engine.reader import Reader, RuleDataError

__all__ = ["Pack", "PackError", "load_shipped_pack", "parse_pack", "raw_shipped_pack", "read_pack_file"]

PackError = RuleDataError
PACKS_DIR = Path(__file__).resolve().parent.parent / "packs"
SHIPPED_PACK = PACKS_DIR / "default.yaml"

LABELS = ("ours", "official", "zone", "bank")
UNITS = ("cny", "share", "count", "ratio")
DIRECTIONS = ("higher", "lower")
COHORT_BY = ("city", "incubator", "none")
NORMALISERS = ("percentile",)
MATCHES = ("any", "all")

# The yearly figures an indicator may read (portfolio.YearlyFigures fields; a test keeps them in
# step with the model), and the quantities derived from them.
FIGURES = (
    "revenue",
    "rd_expense",
    "rd_expense_domestic",
    "high_tech_revenue",
    "total_assets",
    "total_liabilities",
    "total_cost",
    "tax_paid",
    "employees",
    "rd_staff",
    "ip_class1",
    "ip_class2",
    "results_converted",
    "angel_vc_received",
    "net_profit",
    "imports_exports",
    "staff_phd",
    "staff_college",
    "staff_returnees",
    "staff_talent_plan",
    "staff_fresh_graduates",
    "ip_applied",
    "ip_granted",
    "ip_valid",
    "invention_patents",
    "software_copyrights",
    "plant_varieties",
    "ic_layouts",
    "foreign_patents_bought",
    "tech_contracts",
    "tech_contracts_amount",
    "national_projects",
    "provincial_awards",
)
# name -> (minuend, subtrahend)
DERIVED = {"net_assets": ("total_assets", "total_liabilities")}
QUANTITIES = FIGURES + tuple(DERIVED)

FINANCING_KINDS = ("equity", "loan", "government", "insurance", "other")
LOAN_STATUSES = ("applied", "approved", "disbursed", "rejected", "repaid", "defaulted", "compensated")
DISTINCTION_KINDS = ("award", "standard", "rd_institution")
DISTINCTION_LEVELS = ("international", "national", "industry", "provincial", "municipal")
STANDARD_ROLES = ("led", "participated")
INCIDENT_KINDS = (
    "safety_quality_accident",
    "environmental_violation",
    "fraud",
    "research_misconduct",
    "abnormal_operation_list",
    "serious_violation_list",
)


@dataclass(frozen=True)
class Label:
    zh: str
    en: str

    def text(self, language: str | None) -> str:
        return self.en if (language or "").startswith("en") else self.zh

    def as_json(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Compute:
    """How an indicator's value comes from the stored records (see the YAML header)."""

    kind: str  # figure | ratio | growth | financing | certifications
    figure: str = ""  # figure, growth; the numerator of a ratio
    denominator: str = ""  # ratio
    kinds: tuple[str, ...] = ()  # financing kinds; certification kinds (empty: any)
    instruments: tuple[str, ...] = ()  # financing instruments (empty: any)

    def as_json(self) -> dict[str, Any]:
        if self.kind == "figure":
            return {"figure": self.figure}
        if self.kind == "ratio":
            return {"ratio": [self.figure, self.denominator]}
        if self.kind == "growth":
            return {"growth": self.figure}
        if self.kind == "financing":
            return {"financing": {"kinds": list(self.kinds), "instruments": list(self.instruments)}}
        return {"certifications": {"kinds": list(self.kinds)}}


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str
    label: Label
    unit: str
    period_years: int
    direction: str
    data: str
    compute: Compute
    weights: dict[str, Decimal]  # stage -> points


@dataclass(frozen=True)
class Stage:
    key: str
    label: Label
    match: str  # any | all
    age_years: Bound | None
    revenue: Bound | None

    @property
    def is_default(self) -> bool:
        return self.age_years is None and self.revenue is None


@dataclass(frozen=True)
class Condition:
    """When a bonus or negative item applies (see the YAML header)."""

    kind: str  # certification | distinction | incident | loan
    kinds: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    years: int = 1


@dataclass(frozen=True)
class Item:
    key: str
    label: Label
    points: Decimal
    when: Condition


@dataclass(frozen=True)
class Pack:
    version: str
    label: str  # ours | official | zone | bank
    title: Label
    source: str
    notes: str
    unverified: tuple[str, ...]
    scale: Decimal
    min_completeness: Decimal
    cohort_by: str
    min_cohort: int
    normaliser: str
    groups: tuple[tuple[str, Label], ...]
    stages: tuple[Stage, ...]
    indicators: tuple[Indicator, ...]
    bonus: tuple[Item, ...]
    bonus_cap: Decimal
    negative: tuple[Item, ...]
    negative_cap: Decimal

    @property
    def group_labels(self) -> dict[str, Label]:
        return dict(self.groups)

    @property
    def years_needed(self) -> int:
        """How many years up to the score year the indicators and items read."""
        items = (*self.bonus, *self.negative)
        return max([i.period_years for i in self.indicators] + [i.when.years for i in items] + [1])

    def is_unverified(self, path: str) -> bool:
        return _is_unverified(self.unverified, path)

    def summary(self) -> dict[str, Any]:
        """What a score records of the pack it used."""
        return {
            "version": self.version,
            "label": self.label,
            "title": self.title.as_json(),
            "source": self.source,
            "unverified": list(self.unverified),
        }


@lru_cache(maxsize=1024)
def _is_unverified(unverified: tuple[str, ...], path: str) -> bool:
    return any(u == path or u.startswith(path + ".") or path.startswith(u + ".") for u in unverified)


# --- parsing ------------------------------------------------------------------------------------

TOP_FIELDS = {"version", "label", "title", "source", "notes", "unverified", "data"}
DATA_FIELDS = {
    "scale",
    "min_completeness",
    "cohort",
    "normaliser",
    "groups",
    "stages",
    "indicators",
    "bonus_cap",
    "bonus",
    "negative_cap",
    "negative",
}


def parse_pack(raw: Any) -> Pack:
    """A Pack from a mapping (the YAML file, or a database row's fields); PackError if invalid."""
    if not isinstance(raw, Mapping):
        raise PackError(_("A pack must be a mapping of version, label, title, source ... and data."))
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise PackError(_("A pack needs a non-empty text 'version'."))
    r = Reader(version)
    r.no_extra(raw, TOP_FIELDS, "")
    label = r.text(r.get(raw, "label", ""), "label")
    if label not in LABELS:
        raise r.error("label", _one_of(LABELS))
    unverified = tuple(r.list_of_text(raw.get("unverified", []), "unverified"))
    for path in unverified:
        if not _resolves(raw, path):
            raise r.error(
                "unverified", _("names %(path)s, which is not a field of this pack") % {"path": path}
            )
    data = r.mapping(r.get(raw, "data", ""), "data")
    r.no_extra(data, DATA_FIELDS, "data")
    scale = _positive(r, *r.at(data, "data", "scale"))
    min_completeness = r.decimal(*r.at(data, "data", "min_completeness"))
    if not 0 < min_completeness <= 1:
        raise r.error("data.min_completeness", _('must be a share above 0 and at most 1, e.g. "0.60"'))
    cohort = r.mapping(*r.at(data, "data", "cohort"))
    r.no_extra(cohort, {"by", "min_size"}, "data.cohort")
    cohort_by = r.get(cohort, "by", "data.cohort")
    if cohort_by not in COHORT_BY:
        raise r.error("data.cohort.by", _one_of(COHORT_BY))
    normaliser = r.mapping(*r.at(data, "data", "normaliser"))
    r.no_extra(normaliser, {"method"}, "data.normaliser")
    method = r.get(normaliser, "method", "data.normaliser")
    if method not in NORMALISERS:
        raise r.error("data.normaliser.method", _one_of(NORMALISERS))
    groups = _groups(r, r.get(data, "groups", "data"))
    stages = _stages(r, r.get(data, "stages", "data"))
    stage_keys = tuple(s.key for s in stages)
    indicators = _indicators(r, r.get(data, "indicators", "data"), {g for g, _l in groups}, stage_keys)
    for stage in stage_keys:
        total = sum((i.weights[stage] for i in indicators), Decimal(0))
        if total != scale:
            raise r.error(
                "data.indicators",
                _("the weights of stage %(stage)s add up to %(total)s, not the scale %(scale)s")
                % {"stage": stage, "total": total, "scale": scale},
            )
    return Pack(
        version=version,
        label=label,
        title=_label(r, r.get(raw, "title", ""), "title"),
        source=r.text(r.get(raw, "source", ""), "source"),
        notes=r.text(raw.get("notes", ""), "notes", required=False),
        unverified=unverified,
        scale=scale,
        min_completeness=Decimal(min_completeness),
        cohort_by=cohort_by,
        min_cohort=r.integer(*r.at(cohort, "data.cohort", "min_size"), minimum=2),
        normaliser=method,
        groups=groups,
        stages=stages,
        indicators=indicators,
        bonus=_items(r, data.get("bonus", []), "data.bonus"),
        bonus_cap=_points(r, data.get("bonus_cap", 0), "data.bonus_cap"),
        negative=_items(r, data.get("negative", []), "data.negative"),
        negative_cap=_points(r, data.get("negative_cap", 0), "data.negative_cap"),
    )


def _one_of(choices: tuple[str, ...]) -> str:
    return _("must be one of %(choices)s") % {"choices": ", ".join(choices)}


def _positive(r: Reader, value: Any, path: str) -> Decimal:
    number = _points(r, value, path)
    if number <= 0:
        raise r.error(path, _("must be above 0"))
    return number


def _points(r: Reader, value: Any, path: str) -> Decimal:
    number = Decimal(r.decimal(value, path))
    if number < 0:
        raise r.error(path, _("cannot be negative"))
    return number


def _label(r: Reader, value: Any, path: str) -> Label:
    value = r.mapping(value, path)
    r.no_extra(value, {"zh", "en"}, path)
    return Label(zh=r.text(*r.at(value, path, "zh")), en=r.text(*r.at(value, path, "en")))


def _keyed_list(r: Reader, value: Any, path: str) -> list[tuple[str, str, Mapping]]:
    """(key, path, item) of a list of mappings with unique ``key``s; the path names the key."""
    if not isinstance(value, list):
        raise r.error(path, _("must be a list"))
    seen, result = set(), []
    for i, item in enumerate(value):
        item = r.mapping(item, f"{path}[{i}]")
        key = r.text(r.get(item, "key", f"{path}[{i}]"), f"{path}[{i}].key")
        if key in seen:
            raise r.error(f"{path}.{key}", _("the key appears twice"))
        seen.add(key)
        result.append((key, f"{path}.{key}", item))
    return result


def _groups(r: Reader, value: Any) -> tuple[tuple[str, Label], ...]:
    groups = []
    for key, where, item in _keyed_list(r, value, "data.groups"):
        r.no_extra(item, {"key", "label"}, where)
        groups.append((key, _label(r, r.get(item, "label", where), f"{where}.label")))
    if not groups:
        raise r.error("data.groups", _("must be a non-empty list"))
    return tuple(groups)


def _stages(r: Reader, value: Any) -> tuple[Stage, ...]:
    stages = []
    items = _keyed_list(r, value, "data.stages")
    if not items:
        raise r.error("data.stages", _("must be a non-empty list"))
    for n, (key, where, item) in enumerate(items):
        r.no_extra(item, {"key", "label", "match", "age_years", "revenue"}, where)
        age = item.get("age_years")
        revenue = item.get("revenue")
        stage = Stage(
            key=key,
            label=_label(r, r.get(item, "label", where), f"{where}.label"),
            match=item.get("match", "any"),
            age_years=None if age is None else r.bound(age, f"{where}.age_years"),
            revenue=None if revenue is None else r.bound(revenue, f"{where}.revenue"),
        )
        if stage.match not in MATCHES:
            raise r.error(f"{where}.match", _one_of(MATCHES))
        last = n == len(items) - 1
        if stage.is_default != last:
            raise r.error(
                where, _("the last stage, and only the last, has no conditions (it takes the rest)")
            )
        stages.append(stage)
    return tuple(stages)


def _indicators(r: Reader, value: Any, groups: set[str], stages: tuple[str, ...]) -> tuple[Indicator, ...]:
    indicators = []
    fields = {"key", "group", "label", "unit", "period_years", "direction", "data", "compute", "weights"}
    items = _keyed_list(r, value, "data.indicators")
    if not items:
        raise r.error("data.indicators", _("must be a non-empty list"))
    for key, where, item in items:
        r.no_extra(item, fields, where)
        group = r.get(item, "group", where)
        if group not in groups:
            raise r.error(f"{where}.group", _("%(group)s is not one of the pack's groups") % {"group": group})
        unit = r.get(item, "unit", where)
        if unit not in UNITS:
            raise r.error(f"{where}.unit", _one_of(UNITS))
        direction = item.get("direction", "higher")
        if direction not in DIRECTIONS:
            raise r.error(f"{where}.direction", _one_of(DIRECTIONS))
        period = r.integer(*r.at(item, where, "period_years"), minimum=1)
        weights = r.mapping(*r.at(item, where, "weights"))
        r.no_extra(weights, set(stages), f"{where}.weights")
        indicators.append(
            Indicator(
                key=key,
                group=group,
                label=_label(r, r.get(item, "label", where), f"{where}.label"),
                unit=unit,
                period_years=period,
                direction=direction,
                data=r.text(*r.at(item, where, "data")),
                compute=_compute(r, r.get(item, "compute", where), f"{where}.compute", period),
                weights={
                    s: _points(r, r.get(weights, s, f"{where}.weights"), f"{where}.weights.{s}")
                    for s in stages
                },
            )
        )
    return tuple(indicators)


def _quantity(r: Reader, value: Any, path: str) -> str:
    if value not in QUANTITIES:
        raise r.error(path, _("%(name)s is not a yearly figure the engine knows") % {"name": value})
    return value


def _compute(r: Reader, value: Any, path: str, period: int) -> Compute:
    value = r.mapping(value, path)
    kinds = ("figure", "ratio", "growth", "financing", "certifications")
    r.no_extra(value, set(kinds), path)
    if len(value) != 1:
        raise r.error(path, _("needs exactly one of %(kinds)s") % {"kinds": ", ".join(kinds)})
    [(kind, spec)] = value.items()
    where = f"{path}.{kind}"
    wanted_period = {"figure": 1, "ratio": 1, "growth": 2, "certifications": 1}.get(kind)
    if wanted_period is not None and period != wanted_period:
        raise r.error(
            where.rsplit(".compute", 1)[0] + ".period_years",
            _("must be %(n)d for a %(kind)s indicator") % {"n": wanted_period, "kind": kind},
        )
    if kind in ("figure", "growth"):
        return Compute(kind=kind, figure=_quantity(r, spec, where))
    if kind == "ratio":
        if not isinstance(spec, list) or len(spec) != 2:
            raise r.error(where, _("must be a list of two figures: [numerator, denominator]"))
        return Compute(
            kind=kind,
            figure=_quantity(r, spec[0], f"{where}[0]"),
            denominator=_quantity(r, spec[1], f"{where}[1]"),
        )
    spec = r.mapping(spec, where)
    if kind == "financing":
        r.no_extra(spec, {"kinds", "instruments"}, where)
        return Compute(
            kind=kind,
            kinds=r.names(*r.at(spec, where, "kinds"), FINANCING_KINDS),
            instruments=tuple(r.list_of_text(spec.get("instruments", []), f"{where}.instruments")),
        )
    r.no_extra(spec, {"kinds"}, where)
    return Compute(kind=kind, kinds=tuple(r.list_of_text(*r.at(spec, where, "kinds"))))


def _items(r: Reader, value: Any, path: str) -> tuple[Item, ...]:
    items = []
    for key, where, item in _keyed_list(r, value, path):
        r.no_extra(item, {"key", "label", "points", "when"}, where)
        items.append(
            Item(
                key=key,
                label=_label(r, r.get(item, "label", where), f"{where}.label"),
                points=_positive(r, *r.at(item, where, "points")),
                when=_condition(r, r.get(item, "when", where), f"{where}.when"),
            )
        )
    return tuple(items)


def _condition(r: Reader, value: Any, path: str) -> Condition:
    value = r.mapping(value, path)
    kinds = ("certification", "distinction", "incident", "loan")
    r.no_extra(value, set(kinds), path)
    if len(value) != 1:
        raise r.error(path, _("needs exactly one of %(kinds)s") % {"kinds": ", ".join(kinds)})
    [(kind, spec)] = value.items()
    where = f"{path}.{kind}"
    spec = r.mapping(spec, where)
    if kind == "certification":
        r.no_extra(spec, {"kinds"}, where)
        names = r.list_of_text(*r.at(spec, where, "kinds"))
        if not names:
            raise r.error(f"{where}.kinds", _("must be a non-empty list"))
        return Condition(kind=kind, kinds=tuple(names))
    years = r.integer(*r.at(spec, where, "years"), minimum=1)
    if kind == "distinction":
        r.no_extra(spec, {"kinds", "levels", "roles", "years"}, where)
        return Condition(
            kind=kind,
            kinds=r.names(*r.at(spec, where, "kinds"), DISTINCTION_KINDS),
            levels=r.names(spec.get("levels", []), f"{where}.levels", DISTINCTION_LEVELS),
            roles=r.names(spec.get("roles", []), f"{where}.roles", STANDARD_ROLES),
            years=years,
        )
    if kind == "incident":
        r.no_extra(spec, {"kinds", "years"}, where)
        return Condition(kind=kind, kinds=r.names(*r.at(spec, where, "kinds"), INCIDENT_KINDS), years=years)
    r.no_extra(spec, {"statuses", "years"}, where)
    return Condition(kind=kind, statuses=r.names(*r.at(spec, where, "statuses"), LOAN_STATUSES), years=years)


def _resolves(raw: Mapping[str, Any], path: str) -> bool:
    """Whether a dotted path names a field; in a list of mappings, a part names an item's key."""
    node: Any = raw
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list):
            found = [item for item in node if isinstance(item, Mapping) and item.get("key") == part]
            if not found:
                return False
            node = found[0]
        else:
            return False
    return True


# --- files --------------------------------------------------------------------------------------


def raw_shipped_pack() -> dict:
    """The shipped pack as a plain mapping (as the YAML file holds it)."""
    return read_raw(SHIPPED_PACK)


def read_raw(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if not isinstance(raw, dict):
        raise PackError(_("%(file)s must hold one pack (a mapping).") % {"file": path.name})
    return raw


def read_pack_file(path: Path) -> Pack:
    return parse_pack(read_raw(path))


def load_shipped_pack() -> Pack:
    return read_pack_file(SHIPPED_PACK)
