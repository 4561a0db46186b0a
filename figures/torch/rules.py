"""The Torch return's rule data (figures/rules/torch.yaml): loaded once, checked field by field.

Every problem in the file is one line naming the version and the field path
(``2017-form: filing_windows[1].closes_on: must be a date YYYY-MM-DD``), the same reader the
certification ladder's rule data uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from figures.torch.reader import TorchReader, TorchRulesError
from figures.torch.windows import (
    ExpectedWindow,
    FilingWindow,
    PublishedWindow,
    expected_window,
    published_windows,
    window_for,
)
from portfolio.choices import FinancingKind, Instrument, MentorKind

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "torch.yaml"

ROUNDINGS = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
FIELD_KINDS = ("text", "date", "code", "yes_no", "choice", "money", "area", "count")
# The named computations of the per-incubatee form (figures/torch/rows.py computes them).
COMPUTATIONS = (
    "mentor_in_year",
    "graduated",
    "graduation_date",
    "hnte_in_year",
    "tsme_in_year",
    "hnte_certified_on",
    "hnte_number",
)
# Where a field's value may come from: the model each prefix reads (submission: any key).
SOURCE_MODELS = {"firm": "Firm", "residency": "Residency", "figures": "YearlyFigures"}
# The operations form's computations (figures/torch/operations.py).
OPERATION_COMPUTES = (
    "incubator_area",
    "incubatee_space",
    "staff_members",
    "mentors",
    "incubatees_at_year_end",
    "incubatees_new",
    "graduates_in_year",
    "graduates_cumulative",
    "sum_figures",
    "financed_firms",
    "financing_in_year",
)
OPERATION_UNITS = ("area", "people", "firms", "money")


@dataclass(frozen=True)
class Money:
    """Yuan to the return's unit: ÷ ``yuan_per_unit``, ``decimals`` places, ``rounding``."""

    unit: str
    label: str
    label_en: str
    yuan_per_unit: int
    decimals: int
    rounding: str  # a ROUNDINGS key
    ours: bool
    note: str

    def convert(self, yuan: Decimal | None) -> Decimal | None:
        if yuan is None:
            return None
        exponent = Decimal(1).scaleb(-self.decimals)
        return (Decimal(yuan) / self.yuan_per_unit).quantize(exponent, rounding=ROUNDINGS[self.rounding])


@dataclass(frozen=True)
class Field:
    """One column of the per-incubatee form."""

    number: str
    key: str
    zh: str
    en: str
    kind: str  # a FIELD_KINDS value
    source: str  # "firm.name" ... or "" when computed
    compute: str  # a COMPUTATIONS name or ""
    choices: Mapping[str, str] | None
    required: bool

    @property
    def heading(self) -> str:
        """The heading in the active language (Chinese unless English is active)."""
        return self.en if (get_language() or "").startswith("en") else self.zh


@dataclass(frozen=True)
class OperationItem:
    """One item of the operations form; ``compute`` empty: the portfolio cannot compute it."""

    number: str
    key: str
    zh: str
    en: str
    unit: str  # an OPERATION_UNITS value
    compute: str
    field: str
    kinds: tuple[str, ...]
    reason: str

    @property
    def heading(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh


@dataclass(frozen=True)
class Computations:
    mentor_kinds: tuple[str, ...]
    hnte_kind: str
    tsme_kind: str
    angel_vc_instruments: tuple[str, ...]


@dataclass(frozen=True)
class TorchRules:
    version: str
    source: str
    unverified: tuple[str, ...]
    manager_reminder_days: tuple[int, ...]
    filing_windows: tuple[PublishedWindow, ...]
    expected_window: ExpectedWindow
    money: Money
    yes_no: Mapping[bool, str]
    fields: tuple[Field, ...]
    computations: Computations
    operations: tuple[OperationItem, ...]

    def is_unverified(self, path: str) -> bool:
        """Whether ``path`` ("fields.tsme", "money") or a path above it is listed as unverified."""
        return any(path == u or path.startswith(u + ".") for u in self.unverified)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    def window_for(self, report_year: int) -> FilingWindow:
        return window_for(self.filing_windows, self.expected_window, report_year)


def _money(r: TorchReader, value: Any) -> Money:
    path = "money"
    value = r.mapping(value, path)
    r.no_extra(
        value, {"unit", "label", "label_en", "yuan_per_unit", "decimals", "rounding", "ours", "note"}, path
    )
    decimals = r.integer(*r.at(value, path, "decimals"))
    if decimals > 4:
        raise r.error("money.decimals", _("must be between 0 and 4"))
    rounding = r.text(*r.at(value, path, "rounding"))
    if rounding not in ROUNDINGS:
        raise r.error("money.rounding", _("must be one of %(choices)s") % {"choices": ", ".join(ROUNDINGS)})
    return Money(
        unit=r.text(*r.at(value, path, "unit")),
        label=r.text(*r.at(value, path, "label")),
        label_en=r.text(*r.at(value, path, "label_en")),
        yuan_per_unit=r.integer(*r.at(value, path, "yuan_per_unit"), minimum=1),
        decimals=decimals,
        rounding=rounding,
        ours=r.boolean(*r.at(value, path, "ours")),
        note=r.text(*r.at(value, path, "note")),
    )


def _text_map(r: TorchReader, value: Any, path: str) -> dict[str, str]:
    value = r.mapping(value, path)
    return {str(k): r.text(v, f"{path}.{k}") for k, v in value.items()}


def _source(r: TorchReader, value: Any, path: str) -> str:
    source = r.text(value, path)
    prefix, _dot, name = source.partition(".")
    if not name or (prefix not in SOURCE_MODELS and prefix != "submission"):
        raise r.error(path, _("must be firm.<field>, residency.<field>, figures.<field> or submission.<key>"))
    if prefix in SOURCE_MODELS:
        model = apps.get_model("portfolio", SOURCE_MODELS[prefix])
        if name not in {f.name for f in model._meta.concrete_fields}:
            raise r.error(path, _("%(model)s has no field %(name)s") % {"model": prefix, "name": name})
    return source


def _fields(r: TorchReader, value: Any, choices: Mapping[str, Mapping[str, str]]) -> tuple[Field, ...]:
    if not isinstance(value, list) or not value:
        raise r.error("fields", _("must be a non-empty list"))
    fields: list[Field] = []
    allowed = {"number", "key", "zh", "en", "kind", "source", "compute", "choices", "required"}
    for i, raw in enumerate(value):
        path = f"fields[{i}]"
        raw = r.mapping(raw, path)
        r.no_extra(raw, allowed, path)
        number, key = r.text(*r.at(raw, path, "number")), r.text(*r.at(raw, path, "key"))
        if any(f.number == number for f in fields) or any(f.key == key for f in fields):
            raise r.error(path, _("repeats the number or key of an earlier field"))
        kind = r.text(*r.at(raw, path, "kind"))
        if kind not in FIELD_KINDS:
            raise r.error(
                f"{path}.kind", _("must be one of %(choices)s") % {"choices": ", ".join(FIELD_KINDS)}
            )
        if ("source" in raw) == ("compute" in raw):
            raise r.error(path, _("needs exactly one of source or compute"))
        compute = r.text(raw["compute"], f"{path}.compute") if "compute" in raw else ""
        if compute and compute not in COMPUTATIONS:
            raise r.error(
                f"{path}.compute", _("must be one of %(choices)s") % {"choices": ", ".join(COMPUTATIONS)}
            )
        field_choices = None
        if kind == "choice":
            name = r.text(*r.at(raw, path, "choices"))
            if name not in choices:
                raise r.error(f"{path}.choices", _("is not a list under choices"))
            field_choices = choices[name]
        elif "choices" in raw:
            raise r.error(f"{path}.choices", _("applies to choice fields only"))
        fields.append(
            Field(
                number=number,
                key=key,
                zh=r.text(*r.at(raw, path, "zh")),
                en=r.text(*r.at(raw, path, "en")),
                kind=kind,
                source=_source(r, raw["source"], f"{path}.source") if "source" in raw else "",
                compute=compute,
                choices=field_choices,
                required=r.boolean(*r.at(raw, path, "required")),
            )
        )
    return tuple(fields)


def _computations(r: TorchReader, value: Any) -> Computations:
    path = "computations"
    value = r.mapping(value, path)
    r.no_extra(value, {*COMPUTATIONS, "angel_vc_cross_check"}, path)
    for name in (*COMPUTATIONS, "angel_vc_cross_check"):
        r.mapping(*r.at(value, path, name))
    mentor = value["mentor_in_year"]
    cross_check = value["angel_vc_cross_check"]
    kinds = {}
    for name in ("hnte_in_year", "tsme_in_year", "hnte_certified_on", "hnte_number"):
        r.no_extra(value[name], {"kind"}, f"{path}.{name}")
        kinds[name] = r.text(*r.at(value[name], f"{path}.{name}", "kind"))
    if len({kinds["hnte_in_year"], kinds["hnte_certified_on"], kinds["hnte_number"]}) != 1:
        raise r.error(f"{path}.hnte_number.kind", _("must name the kind of hnte_in_year"))
    return Computations(
        mentor_kinds=r.names(
            *r.at(mentor, f"{path}.mentor_in_year", "mentor_kinds"), tuple(MentorKind.values)
        ),
        hnte_kind=kinds["hnte_in_year"],
        tsme_kind=kinds["tsme_in_year"],
        angel_vc_instruments=r.names(
            *r.at(cross_check, f"{path}.angel_vc_cross_check", "instruments"), tuple(Instrument.values)
        ),
    )


def _operations(r: TorchReader, value: Any) -> tuple[OperationItem, ...]:
    if not isinstance(value, list) or not value:
        raise r.error("operations", _("must be a non-empty list"))
    figures = {f.name for f in apps.get_model("portfolio", "YearlyFigures")._meta.concrete_fields}
    items: list[OperationItem] = []
    allowed = {"number", "key", "zh", "en", "unit", "compute", "field", "kinds", "reason"}
    for i, raw in enumerate(value):
        path = f"operations[{i}]"
        raw = r.mapping(raw, path)
        r.no_extra(raw, allowed, path)
        number, key = r.text(*r.at(raw, path, "number")), r.text(*r.at(raw, path, "key"))
        if any(item.number == number or item.key == key for item in items):
            raise r.error(path, _("repeats the number or key of an earlier item"))
        unit = r.text(*r.at(raw, path, "unit"))
        if unit not in OPERATION_UNITS:
            raise r.error(
                f"{path}.unit", _("must be one of %(choices)s") % {"choices": ", ".join(OPERATION_UNITS)}
            )
        compute = r.get(raw, "compute", path)
        reason = ""
        if compute is None:
            reason = r.text(*r.at(raw, path, "reason"))
        elif compute not in OPERATION_COMPUTES:
            raise r.error(
                f"{path}.compute",
                _("must be empty or one of %(choices)s") % {"choices": ", ".join(OPERATION_COMPUTES)},
            )
        field = r.text(raw["field"], f"{path}.field") if "field" in raw else ""
        if (compute == "sum_figures") != bool(field) or (field and field not in figures):
            raise r.error(f"{path}.field", _("sum_figures needs a field of the yearly figures, and only it"))
        kinds = r.names(raw["kinds"], f"{path}.kinds", tuple(FinancingKind.values)) if "kinds" in raw else ()
        if (compute in ("financed_firms", "financing_in_year")) != bool(kinds):
            raise r.error(f"{path}.kinds", _("financing items need financing kinds, and only they"))
        items.append(
            OperationItem(
                number=number,
                key=key,
                zh=r.text(*r.at(raw, path, "zh")),
                en=r.text(*r.at(raw, path, "en")),
                unit=unit,
                compute=compute or "",
                field=field,
                kinds=kinds,
                reason=reason,
            )
        )
    return tuple(items)


def parse_rules(raw: Any) -> TorchRules:
    """TorchRules from the file's mapping; TorchRulesError (one line) when anything is wrong."""
    if not isinstance(raw, Mapping):
        raise TorchRulesError(_("The Torch rule data must be a mapping of version, source, ..."))
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise TorchRulesError(_("The Torch rule data needs a non-empty text 'version'."))
    r = TorchReader(version)
    r.no_extra(
        raw,
        {
            "version",
            "source",
            "unverified",
            "manager_reminder_days",
            "filing_windows",
            "expected_window",
            "money",
            "yes_no",
            "choices",
            "computations",
            "fields",
            "operations",
        },
        "",
    )
    days = r.get(raw, "manager_reminder_days", "")
    if not isinstance(days, list) or not days:
        raise r.error("manager_reminder_days", _("must be a non-empty list of days"))
    reminder_days = tuple(r.integer(d, f"manager_reminder_days[{i}]") for i, d in enumerate(days))
    if len(set(reminder_days)) != len(reminder_days):
        raise r.error("manager_reminder_days", _("names a day twice"))
    yes_no = _text_map(r, *r.at(raw, "", "yes_no"))
    if set(yes_no) != {"true", "false"}:
        raise r.error("yes_no", _('needs exactly "true" and "false"'))
    choices_raw = r.mapping(*r.at(raw, "", "choices"))
    choices = {str(name): _text_map(r, v, f"choices.{name}") for name, v in choices_raw.items()}
    return TorchRules(
        version=version,
        source=r.text(*r.at(raw, "", "source")),
        unverified=tuple(r.list_of_text(*r.at(raw, "", "unverified"))),
        manager_reminder_days=tuple(sorted(reminder_days, reverse=True)),
        filing_windows=published_windows(r, r.get(raw, "filing_windows", "")),
        expected_window=expected_window(r, r.get(raw, "expected_window", "")),
        money=_money(r, r.get(raw, "money", "")),
        yes_no={True: yes_no["true"], False: yes_no["false"]},
        fields=_fields(r, r.get(raw, "fields", ""), choices),
        computations=_computations(r, r.get(raw, "computations", "")),
        operations=_operations(r, r.get(raw, "operations", "")),
    )


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_PATH) -> TorchRules:
    """The rule data in ``path`` (the shipped file by default), parsed once per process."""
    with open(path, encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle))


def filing_window(report_year: int) -> FilingWindow:
    """(opens_on, closes_on, published, source) of the return on ``report_year``: the published
    window when the data has one, else the expected window (published False)."""
    return load_rules().window_for(report_year)
