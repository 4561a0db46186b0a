"""The Torch return's rule data (figures/rules/torch.yaml): loaded once, checked field by field.

Every problem in the file is one line naming the version and the field path
(``2017-form: filing_windows[1].closes_on: must be a date YYYY-MM-DD``), the same reader the
certification ladder's rule data uses.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from django.utils.translation import gettext as _

from ladder.engine.reader import Reader, RuleDataError

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "torch.yaml"


class TorchRulesError(RuleDataError):
    """Invalid Torch rule data; the message is one line naming the version and the field path."""


class FilingWindow(NamedTuple):
    """When a report year's return is filed. ``published`` is False for the expected window of a
    year without a published notice (and for dates marked unverified)."""

    opens_on: datetime.date
    closes_on: datetime.date
    published: bool
    source: str


@dataclass(frozen=True)
class PublishedWindow:
    report_year: int
    opens_on: datetime.date
    closes_on: datetime.date
    region: str
    source: str
    unverified: bool


@dataclass(frozen=True)
class ExpectedWindow:
    opens_month: int
    opens_day: int
    closes_month: int
    closes_day: int
    source: str


@dataclass(frozen=True)
class TorchRules:
    version: str
    source: str
    money_unit: str
    manager_reminder_days: tuple[int, ...]
    filing_windows: tuple[PublishedWindow, ...]
    expected_window: ExpectedWindow

    def window_for(self, report_year: int) -> FilingWindow:
        for window in self.filing_windows:
            if window.report_year == report_year:
                source = f"{window.region}: {window.source}" if window.region else window.source
                return FilingWindow(window.opens_on, window.closes_on, not window.unverified, source)
        expected = self.expected_window
        filed_in = report_year + 1
        return FilingWindow(
            datetime.date(filed_in, expected.opens_month, expected.opens_day),
            datetime.date(filed_in, expected.closes_month, expected.closes_day),
            False,
            expected.source,
        )


class _Reader(Reader):
    def error(self, path: str, problem: str) -> TorchRulesError:
        return TorchRulesError(str(super().error(path, problem)))


def _month_day(r: _Reader, value: Any, path: str) -> tuple[int, int]:
    value = r.mapping(value, path)
    r.no_extra(value, {"month", "day"}, path)
    month = r.integer(*r.at(value, path, "month"), minimum=1)
    day = r.integer(*r.at(value, path, "day"), minimum=1)
    try:
        datetime.date(2001, month, day)  # not a leap year: 29 February is refused
    except ValueError:
        raise r.error(path, _("is not a day of the year")) from None
    return month, day


def _windows(r: _Reader, value: Any) -> tuple[PublishedWindow, ...]:
    if not isinstance(value, list):
        raise r.error("filing_windows", _("must be a list"))
    windows: list[PublishedWindow] = []
    for i, raw in enumerate(value):
        path = f"filing_windows[{i}]"
        raw = r.mapping(raw, path)
        r.no_extra(raw, {"report_year", "opens_on", "closes_on", "region", "source", "unverified"}, path)
        year = r.integer(*r.at(raw, path, "report_year"), minimum=1949)
        opens_on = r.date(*r.at(raw, path, "opens_on"))
        closes_on = r.date(*r.at(raw, path, "closes_on"))
        if closes_on < opens_on:
            raise r.error(f"{path}.closes_on", _("is before opens_on"))
        if opens_on.year <= year:
            raise r.error(f"{path}.opens_on", _("must be after the report year"))
        if any(w.report_year == year for w in windows):
            raise r.error(f"{path}.report_year", _("has a window already"))
        windows.append(
            PublishedWindow(
                report_year=year,
                opens_on=opens_on,
                closes_on=closes_on,
                region=r.text(raw.get("region", ""), f"{path}.region", required=False),
                source=r.text(*r.at(raw, path, "source")),
                unverified=r.boolean(*r.at(raw, path, "unverified")),
            )
        )
    return tuple(windows)


def parse_rules(raw: Any) -> TorchRules:
    """TorchRules from the file's mapping; TorchRulesError (one line) when anything is wrong."""
    if not isinstance(raw, Mapping):
        raise TorchRulesError(_("The Torch rule data must be a mapping of version, source, ..."))
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise TorchRulesError(_("The Torch rule data needs a non-empty text 'version'."))
    r = _Reader(version)
    days = r.get(raw, "manager_reminder_days", "")
    if not isinstance(days, list) or not days:
        raise r.error("manager_reminder_days", _("must be a non-empty list of days"))
    reminder_days = tuple(r.integer(d, f"manager_reminder_days[{i}]") for i, d in enumerate(days))
    if len(set(reminder_days)) != len(reminder_days):
        raise r.error("manager_reminder_days", _("names a day twice"))
    expected = r.mapping(*r.at(raw, "", "expected_window"))
    r.no_extra(expected, {"opens", "closes", "source"}, "expected_window")
    opens = _month_day(r, *r.at(expected, "expected_window", "opens"))
    closes = _month_day(r, *r.at(expected, "expected_window", "closes"))
    if closes < opens:
        raise r.error("expected_window.closes", _("is before opens"))
    return TorchRules(
        version=version,
        source=r.text(*r.at(raw, "", "source")),
        money_unit=r.text(*r.at(raw, "", "money_unit")),
        manager_reminder_days=tuple(sorted(reminder_days, reverse=True)),
        filing_windows=_windows(r, r.get(raw, "filing_windows", "")),
        expected_window=ExpectedWindow(
            *opens, *closes, source=r.text(*r.at(expected, "expected_window", "source"))
        ),
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
