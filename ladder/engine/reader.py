"""The reader that validates rule data, one field at a time, with one-line errors.

Money and shares are quoted decimal strings ("0.05", "200000000"); a YAML or JSON float is
refused because 0.1 as a float is not 0.1, and a band edge must be exact.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ladder.engine.bands import Band, BandTable, Bound


class RuleDataError(ValueError):
    """Invalid rule data; the message is one line naming the version and the field path."""


class Reader:
    def __init__(self, version: str):
        self.version = version

    def error(self, path: str, problem: str) -> RuleDataError:
        return RuleDataError(
            _("%(version)s: %(path)s: %(problem)s")
            % {"version": self.version, "path": path, "problem": problem}
        )

    def mapping(self, value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(path, _("must be a mapping"))
        return value

    def no_extra(self, value: Mapping[str, Any], allowed: set[str], path: str) -> None:
        extra = sorted(set(value) - allowed)
        if extra:
            where = f"{path}.{extra[0]}" if path else str(extra[0])
            raise self.error(where, _("is not a known field"))

    def get(self, value: Mapping[str, Any], key: str, path: str) -> Any:
        if key not in value:
            raise self.error(f"{path}.{key}" if path else key, _("is missing"))
        return value[key]

    def at(self, value: Mapping[str, Any], path: str, key: str) -> tuple[Any, str]:
        """The value under ``key`` and its path, for the typed readers: ``r.integer(*r.at(...))``."""
        return self.get(value, key, path), f"{path}.{key}" if path else key

    def text(self, value: Any, path: str, *, required: bool = True) -> str:
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(path, _("must be a non-empty text") if required else _("must be a text"))
        return value

    def list_of_text(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(path, _("must be a list of texts"))
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(path, _("must be true or false"))
        return value

    def integer(self, value: Any, path: str, *, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(path, _("must be a whole number of at least %(min)d") % {"min": minimum})
        return value

    def decimal(self, value: Any, path: str) -> Decimal | int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite():
                return number
        raise self.error(path, _('must be a whole number or a decimal in quotes, e.g. "0.05"'))

    def date(self, value: Any, path: str) -> datetime.date:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(path, _("must be a date YYYY-MM-DD"))

    def bound(self, value: Any, path: str, *, kind: str | None = None) -> Bound:
        value = self.mapping(value, path)
        self.no_extra(value, {"min", "max", "inclusive"}, path)
        kinds = [k for k in ("min", "max") if k in value]
        if len(kinds) != 1:
            raise self.error(path, _("needs exactly one of min or max"))
        if kind is not None and kinds[0] != kind:
            raise self.error(path, _("must be a %(kind)s bound") % {"kind": kind})
        inclusive = self.boolean(self.get(value, "inclusive", path), f"{path}.inclusive")
        return Bound(kinds[0], self.decimal(value[kinds[0]], f"{path}.{kinds[0]}"), inclusive)

    def points(self, value: Any, path: str) -> tuple[int, int]:
        if isinstance(value, list) and len(value) == 2:
            low, high = (self.integer(v, f"{path}[{i}]") for i, v in enumerate(value))
            if low > high:
                raise self.error(path, _("a range must go from low to high"))
            return low, high
        single = self.integer(value, path)
        return single, single

    def table(self, value: Any, path: str) -> BandTable:
        value = self.mapping(value, path)
        self.no_extra(value, {"max", "otherwise", "bands"}, path)
        cap = self.integer(self.get(value, "max", path), f"{path}.max")
        otherwise = self.integer(self.get(value, "otherwise", path), f"{path}.otherwise")
        raw_bands = self.get(value, "bands", path)
        if not isinstance(raw_bands, list) or not raw_bands:
            raise self.error(f"{path}.bands", _("must be a non-empty list"))
        bands = []
        for i, raw in enumerate(raw_bands):
            where = f"{path}.bands[{i}]"
            raw = self.mapping(raw, where)
            self.no_extra(raw, {"min", "inclusive", "points"}, where)
            lower = self.bound({k: raw[k] for k in ("min", "inclusive") if k in raw}, where, kind="min")
            low, high = self.points(self.get(raw, "points", where), f"{where}.points")
            if high > cap:
                raise self.error(f"{where}.points", _("exceeds the table's max %(max)d") % {"max": cap})
            if bands and not _below(lower, bands[-1].lower):
                raise self.error(f"{where}.min", _("bands must go from the highest bound down"))
            bands.append(Band(lower, low, high))
        return BandTable(tuple(bands), otherwise, cap)

    def names(self, value: Any, path: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        names = self.list_of_text(value, path)
        for name in names:
            if name not in allowed:
                raise self.error(
                    path,
                    _("%(name)s is not one of %(choices)s") % {"name": name, "choices": ", ".join(allowed)},
                )
        if len(set(names)) != len(names):
            raise self.error(path, _("names an item twice"))
        return tuple(names)


def _below(lower: Bound, previous: Bound) -> bool:
    """Whether band ``lower`` starts strictly below ``previous`` (so the previous one is reachable)."""
    if lower.value != previous.value:
        return lower.value < previous.value
    return lower.inclusive and not previous.inclusive
