"""Read and check the default certification catalogue (catalogue.yaml beside this module).

Pure: no database. The result is plain dictionaries keyed by model field names, so the
service that compares and writes them (services/catalogue.py) works with the current models
and with a migration's historical ones alike.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")

SCHEDULES = ("before_expiry", "yearly", "anniversary")


class CatalogueError(ValueError):
    """Bad catalogue data; the message is one line naming the record and field."""


@dataclass
class WindowSpec:
    year: int
    values: dict


@dataclass
class ObligationSpec:
    code: str
    values: dict
    windows: list[WindowSpec] = field(default_factory=list)


@dataclass
class KindSpec:
    code: str
    values: dict
    obligations: list[ObligationSpec] = field(default_factory=list)


def catalogue_read(path: Path | None = None) -> list[KindSpec]:
    """The catalogue at ``path`` (default: the shipped one), checked field by field."""
    path = path or CATALOGUE_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path.name}: cannot be read: {' '.join(str(exc).split())}") from None
    return catalogue_parse(data)


def catalogue_parse(data: object) -> list[KindSpec]:
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), list):
        raise CatalogueError("catalogue: expected a mapping with a 'kinds' list")
    kinds = [_kind(raw, f"kind #{i + 1}") for i, raw in enumerate(data["kinds"])]
    _unique([k.code for k in kinds], "kind")
    return kinds


class _Fields:
    """Take typed fields from one mapping, naming the record in every error."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: expected a mapping")
        self.raw, self.where, self.seen = raw, where, set()

    def error(self, name: str, problem: str) -> CatalogueError:
        return CatalogueError(f"{self.where} field '{name}': {problem}")

    def get(self, name: str, *, required: bool = True) -> object:
        self.seen.add(name)
        if name not in self.raw:
            if required:
                raise self.error(name, "missing")
            return None
        return self.raw[name]

    def text(self, name: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = self.get(name, required=required)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(name, f"must be text, not {value!r}")
        if max_length and len(value) > max_length:
            raise self.error(name, f"longer than {max_length} characters")
        return value

    def whole(self, name: str, low: int, high: int, *, nullable: bool = False) -> int | None:
        value = self.get(name, required=not nullable)
        if value is None and nullable:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.error(name, f"must be a whole number from {low} to {high}, not {value!r}")
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, not {value!r}")
        return value

    def date(self, name: str, *, nullable: bool = False) -> datetime.date | None:
        value = self.get(name, required=not nullable)
        if value is None and nullable:
            return None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.date.fromisoformat(value)
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise self.error(name, f"must be a date YYYY-MM-DD, not {value!r}")
        return value

    def finish(self, *extra: str) -> None:
        unknown = sorted(set(self.raw) - self.seen - set(extra))
        if unknown:
            raise CatalogueError(f"{self.where}: unknown field(s) {', '.join(unknown)}")


def _kind(raw: object, where: str) -> KindSpec:
    f = _Fields(raw, where)
    code = f.text("code", max_length=40)
    f.where = f"kind '{code}'"
    days = f.get("reminder_days")
    if (
        not isinstance(days, list)
        or not days
        or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 3660 for d in days)
        or len(set(days)) != len(days)
    ):
        raise f.error("reminder_days", f"must be distinct whole numbers of days 0-3660, not {days!r}")
    values = {
        "name": f.text("name", max_length=120),
        "name_en": f.text("name_en", max_length=120),
        "ladder_rank": f.whole("ladder_rank", 1, 9, nullable=True),
        "validity_months": f.whole("validity_months", 1, 1200, nullable=True),
        "reminder_days": days,
        "needs_verification": f.flag("needs_verification"),
        "description": f.text("description", required=False),
        "source": f.text("source", max_length=300),
    }
    obligations_raw = f.get("obligations")
    if not isinstance(obligations_raw, list):
        raise f.error("obligations", "must be a list (empty when the kind has none)")
    f.finish()
    obligations = [
        _obligation(raw, f"kind '{code}' obligation #{i + 1}") for i, raw in enumerate(obligations_raw)
    ]
    _unique([o.code for o in obligations], f"kind '{code}' obligation")
    return KindSpec(code, values, obligations)


def _obligation(raw: object, where: str) -> ObligationSpec:
    f = _Fields(raw, where)
    code = f.text("code", max_length=40)
    f.where = where = f"{where.rsplit(' obligation', 1)[0]} obligation '{code}'"
    schedule = f.text("schedule")
    if schedule not in SCHEDULES:
        raise f.error("schedule", f"must be one of {', '.join(SCHEDULES)}, not {schedule!r}")
    values = {
        "name": f.text("name", max_length=200),
        "name_en": f.text("name_en", max_length=200),
        "schedule": schedule,
        "months_before_expiry": None,
        "due_month": None,
        "due_day": None,
        "is_active": f.flag("is_active"),
        "instructions": f.text("instructions", required=False),
        "instructions_en": f.text("instructions_en", required=False),
        "source": f.text("source", max_length=300),
    }
    if schedule == "before_expiry":
        values["months_before_expiry"] = f.whole("months_before_expiry", 0, 120)
    elif schedule == "yearly":
        values["due_month"] = f.whole("due_month", 1, 12)
        values["due_day"] = f.whole("due_day", 1, 31)
    windows_raw = f.get("windows", required=False) or []
    if not isinstance(windows_raw, list):
        raise f.error("windows", "must be a list")
    if windows_raw and schedule != "yearly":
        raise f.error("windows", "only a yearly obligation has filing windows")
    f.finish()
    windows = [_window(raw, f"{where} window #{i + 1}") for i, raw in enumerate(windows_raw)]
    _unique([w.year for w in windows], f"{where} window")
    return ObligationSpec(code, values, windows)


def _window(raw: object, where: str) -> WindowSpec:
    f = _Fields(raw, where)
    year = f.whole("year", 1990, 2200)
    f.where = f"{where.rsplit(' window', 1)[0]} window {year}"
    values = {
        "opens_on": f.date("opens_on", nullable=True),
        "due_on": f.date("due_on"),
        "source": f.text("source", max_length=200),
    }
    if values["opens_on"] and values["opens_on"] > values["due_on"]:
        raise f.error("opens_on", "a window cannot open after it is due")
    f.finish()
    return WindowSpec(year, values)


def _unique(keys: list, what: str) -> None:
    seen = set()
    for key in keys:
        if key in seen:
            raise CatalogueError(f"{what} '{key}' appears twice")
        seen.add(key)
