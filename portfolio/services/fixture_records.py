"""Reading one record of the article fixtures: typed values, references, citations, clear errors.

The file format is described in fixtures/README.md. Every error names the section, the
record's key and the YAML field, so a broken fixture can be fixed without reading code.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from portfolio.choices import DatePrecision

SECTION_PREFIXES = {
    "sources": "src-",
    "organisations": "org-",
    "incubators": "inc-",
    "firms": "firm-",
    "residencies": "res-",
    "certifications": "cert-",
    "milestones": "ms-",
    "programmes": "prog-",
    "financing": "fin-",
    "mentors": "mentor-",
    "services": "svc-",
    "white_list": "wl-",
}
_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DIGITS = re.compile(r"^\d+(?:\.\d{1,2})?$")


class FixtureError(Exception):
    """A fixture the loader cannot load; the message names the section, record key and field."""

    def __init__(self, message: str, *, section: str = "", key: str = "", field: str = "") -> None:
        self.section, self.key, self.field = section, key, field
        where = " ".join(
            part
            for part in (section, f"record {key!r}" if key else "", f"field {field!r}" if field else "")
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class Record:
    """One YAML record of a section. Remembers which fields were read so none goes unnoticed."""

    def __init__(self, section: str, index: int, raw: Any, *, known_files: frozenset[str]) -> None:
        self.section = section
        self.known_files = known_files
        if not isinstance(raw, dict):
            raise FixtureError("a record must be a mapping of fields", section=section, key=f"#{index + 1}")
        self.raw = raw
        self._read: set[str] = {"key"}
        key = raw.get("key")
        prefix = SECTION_PREFIXES[section]
        if not isinstance(key, str) or not _KEY.match(key) or not key.startswith(prefix) or len(key) > 80:
            raise FixtureError(
                f"every record needs a kebab-case 'key' starting with {prefix!r} (at most 80 characters)",
                section=section,
                key=str(key) if key else f"#{index + 1}",
                field="key",
            )
        self.key = key

    def error(self, field: str, message: str) -> FixtureError:
        return FixtureError(message, section=self.section, key=self.key, field=field)

    def get(self, field: str, default: Any = None) -> Any:
        self._read.add(field)
        value = self.raw.get(field)
        return default if value is None else value

    def text(self, field: str, *, required: bool = False) -> str:
        value = self.get(field)
        if value is None:
            if required:
                raise self.error(field, "is required")
            return ""
        if not isinstance(value, str):
            raise self.error(field, f"must be text, not {type(value).__name__}")
        if required and not value.strip():
            raise self.error(field, "is required")
        return value.strip()

    def texts(self, field: str, *, required: bool = False) -> list[str]:
        """A text or a list of texts."""
        value = self.get(field)
        values = value if isinstance(value, list) else [] if value is None else [value]
        if any(not isinstance(v, str) or not v.strip() for v in values):
            raise self.error(field, "must be a text or a list of texts")
        if required and not values:
            raise self.error(field, "is required")
        return [v.strip() for v in values]

    def flag(self, field: str) -> bool:
        value = self.get(field, False)
        if not isinstance(value, bool):
            raise self.error(field, "must be true or false")
        return value

    def date(self, field: str) -> tuple[datetime.date | None, str | None]:
        """``{value: "YYYY-MM-DD", precision: ...}`` or null, as (date, precision)."""
        value = self.get(field)
        if value is None:
            return None, None
        if not isinstance(value, dict) or set(value) - {"value", "precision"}:
            raise self.error(
                field, 'must be null or {value: "YYYY-MM-DD", precision: day|month|year|approximate}'
            )
        precision = value.get("precision")
        if precision not in DatePrecision.values:
            allowed = ", ".join(DatePrecision.values)
            raise self.error(field, f"precision must be one of {allowed}, not {precision!r}")
        raw = value.get("value")
        try:
            day = raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw))
        except ValueError:
            raise self.error(field, f"{raw!r} is not a date written YYYY-MM-DD") from None
        if precision == DatePrecision.MONTH and day.day != 1:
            raise self.error(field, f"a month-precision date is the first of the month, not {day}")
        if precision == DatePrecision.YEAR and (day.month, day.day) != (1, 1):
            raise self.error(field, f"a year-precision date is the first of January, not {day}")
        return day, precision

    def amount(self, field: str, value: Any = None) -> Decimal | None:
        """CNY yuan written as digits ("100000000"); null when the article gives none."""
        value = self.get(field) if value is None else value
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int) or not _DIGITS.match(str(value)):
            raise self.error(field, f'{value!r} is not an amount in yuan written as digits, e.g. "5000000"')
        try:
            return Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - the pattern above admits only valid decimals
            raise self.error(field, f"{value!r} is not an amount") from None

    def ref(
        self, field: str, keys: dict[str, Any], *, required: bool = False, value: Any = None
    ) -> str | None:
        """A key of another record (``keys`` is that section's records by key)."""
        value = self.get(field) if value is None else value
        if value is None:
            if required:
                raise self.error(field, "is required")
            return None
        if not isinstance(value, str) or value not in keys:
            raise self.error(field, f"unknown key {value!r}")
        return value

    def refs(self, field: str, keys: dict[str, Any]) -> list[str]:
        value = self.get(field)
        values = value if isinstance(value, list) else [] if value is None else [value]
        return [self.ref(field, keys, value=v) for v in values]  # type: ignore[misc]

    def citation(self) -> tuple[str, str]:
        """(``source``: the cited file names, ``source_quote``: the verbatim quotes)."""
        files = self.texts("source", required=True)
        unknown = [f for f in files if f not in self.known_files]
        if unknown:
            raise self.error("source", f"cites {', '.join(unknown)}, which is not in the 'sources' section")
        quotes = self.texts("quote", required=True)
        return ", ".join(files), "\n".join(quotes)

    def finish(self) -> None:
        """Refuse fields nobody read: the loader must map every field (or put it in the notes)."""
        unread = sorted(set(self.raw) - self._read)
        if unread:
            raise self.error(unread[0], "unknown field: the loader does not know where it belongs")


def notes(*parts: str) -> str:
    """Join the record's note and the facts that have no field of their own, one per line."""
    return "\n".join(part for part in parts if part)
