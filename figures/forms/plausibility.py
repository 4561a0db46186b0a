"""Plausibility warnings on a figures form, from figures/rules/plausibility.yaml: our own
thresholds (not an official rule), versioned in the file; a warning never blocks a submission
the founder has confirmed."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from figures.fields import FIELDS
from figures.forms.inputs import grouped_number

if TYPE_CHECKING:
    from figures.forms import FiguresForm

PLAUSIBILITY_PATH = Path(__file__).resolve().parent.parent / "rules" / "plausibility.yaml"


@dataclass(frozen=True)
class FigureWarning:
    field: str
    code: str
    message: str


WARNING_MESSAGES = {
    "much_higher": _(
        "More than %(ratio)s times last year's figure (%(previous)s). "
        "Check that it is in yuan and for the whole year."
    ),
    "much_lower": _(
        "Less than %(ratio)s times last year's figure (%(previous)s). "
        "Check that it is in yuan, not 万元, and for the whole year."
    ),
    "unchanged": _("Exactly last year's figure (%(previous)s): check that you updated it."),
    "small_amount": _("Under %(below)s yuan. If you meant 万元, enter the amount in yuan (1.2万 is 12000)."),
    "granted_over_applied": _(
        "More IP granted (%(value)s) than applied for this year (%(over)s). "
        "That is possible when earlier applications were granted; please check."
    ),
    "held_over_valid": _(
        "Invention patents, software copyrights, plant varieties and IC layouts together (%(value)s) "
        "are more than all valid IP held (%(over)s)."
    ),
    "profit_over_revenue": _("Net profit (%(value)s) is more than sales revenue (%(over)s); please check."),
    "class1_over_valid": _(
        "Class I and class II IP together (%(value)s) are more than all valid IP held (%(over)s)."
    ),
}


class PlausibilityRulesError(ValueError):
    pass


@dataclass(frozen=True)
class PlausibilityRules:
    version: str
    source: str
    max_ratio: decimal.Decimal
    min_ratio: decimal.Decimal
    change_fields: dict[str, decimal.Decimal]
    unchanged: tuple[str, ...]
    small_below: decimal.Decimal
    small_fields: tuple[str, ...]
    larger_than: tuple[tuple[str, tuple[str, ...], str], ...]


def _decimal(data: Any, where: str) -> decimal.Decimal:
    try:
        return decimal.Decimal(str(data))
    except decimal.InvalidOperation:
        raise PlausibilityRulesError(f"plausibility.yaml {where}: not a number: {data!r}") from None


def _known(names: Any, where: str) -> tuple[str, ...]:
    if not isinstance(names, list) or any(name not in FIELDS for name in names):
        raise PlausibilityRulesError(f"plausibility.yaml {where}: unknown field in {names!r}")
    return tuple(names)


def parse_plausibility(data: Any) -> PlausibilityRules:
    """The rules from the file's data; one-line errors naming the place."""
    if not isinstance(data, dict):
        raise PlausibilityRulesError("plausibility.yaml: not a mapping")
    try:
        change = data["change_from_last_year"]
        larger = []
        for index, item in enumerate(data["larger_than"]):
            if item["code"] not in WARNING_MESSAGES:
                raise PlausibilityRulesError(
                    f"plausibility.yaml larger_than[{index}]: no message for {item['code']!r}"
                )
            larger.append(
                (item["code"], _known(item["sum"], f"larger_than[{index}]"), _known([item["over"]], "")[0])
            )
        return PlausibilityRules(
            version=str(data["version"]),
            source=str(data["source"]),
            max_ratio=_decimal(change["max_ratio"], "max_ratio"),
            min_ratio=_decimal(change["min_ratio"], "min_ratio"),
            change_fields={
                name: _decimal(change["fields"][name], f"change_from_last_year.{name}")
                for name in _known(list(change["fields"]), "change_from_last_year.fields")
            },
            unchanged=_known(data["unchanged_from_last_year"], "unchanged_from_last_year"),
            small_below=_decimal(data["small_amount"]["below"], "small_amount.below"),
            small_fields=_known(data["small_amount"]["fields"], "small_amount.fields"),
            larger_than=tuple(larger),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise PlausibilityRulesError(f"plausibility.yaml: missing or malformed {error}") from None


@lru_cache(maxsize=1)
def plausibility_rules() -> PlausibilityRules:
    with PLAUSIBILITY_PATH.open(encoding="utf-8") as handle:
        return parse_plausibility(yaml.safe_load(handle))


def plausibility_warnings(form: FiguresForm) -> list[FigureWarning]:
    """The warnings on the form's clean fields, in catalogue order of the warned field."""
    rules = plausibility_rules()
    clean = {name: form.cleaned_data.get(name) for name in form.field_names if name not in form.errors}
    found: list[FigureWarning] = []

    def warn(name: str, code: str, **params: Any) -> None:
        found.append(FigureWarning(name, code, gettext(WARNING_MESSAGES[code]) % params))

    for name, value in clean.items():
        if value is None or isinstance(value, bool) or not isinstance(value, int | decimal.Decimal):
            continue
        before = getattr(form.previous, name, None)
        if before is not None and name in rules.change_fields and before >= rules.change_fields[name] > 0:
            if value > before * rules.max_ratio:
                warn(
                    name,
                    "much_higher",
                    ratio=grouped_number(rules.max_ratio),
                    previous=grouped_number(before),
                )
            elif value < before * rules.min_ratio:
                warn(
                    name, "much_lower", ratio=grouped_number(rules.min_ratio), previous=grouped_number(before)
                )
        if before is not None and name in rules.unchanged and before != 0 and value == before:
            warn(name, "unchanged", previous=grouped_number(before))
        if name in rules.small_fields and 0 < value < rules.small_below:
            warn(name, "small_amount", below=grouped_number(rules.small_below))
    for code, parts, over in rules.larger_than:
        if not any(part in clean for part in parts) and over not in clean:
            continue
        values = [form._value(part) for part in parts]
        total = form._value(over)
        if total is None or any(v is None for v in values) or over in form.errors:
            continue
        if any(part in form.errors for part in parts):
            continue
        if sum(values) > total:
            target = next((part for part in parts if part in clean), over)
            warn(target, code, value=grouped_number(sum(values)), over=grouped_number(total))
    order = {name: index for index, name in enumerate(form.field_names)}
    return sorted(found, key=lambda w: order.get(w.field, len(order)))
