"""When a report year's return is filed: the published windows by report year, else the expected
window (the pattern of earlier years), from the rule data's filing_windows and expected_window.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from figures.torch.reader import TorchReader


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


def window_for(
    published: tuple[PublishedWindow, ...], expected: ExpectedWindow, report_year: int
) -> FilingWindow:
    """The published window of ``report_year``, else the expected one early in the next year."""
    for window in published:
        if window.report_year == report_year:
            source = f"{window.region}: {window.source}" if window.region else window.source
            return FilingWindow(window.opens_on, window.closes_on, not window.unverified, source)
    filed_in = report_year + 1
    return FilingWindow(
        datetime.date(filed_in, expected.opens_month, expected.opens_day),
        datetime.date(filed_in, expected.closes_month, expected.closes_day),
        False,
        expected.source,
    )


def _month_day(r: TorchReader, value: Any, path: str) -> tuple[int, int]:
    value = r.mapping(value, path)
    r.no_extra(value, {"month", "day"}, path)
    month = r.integer(*r.at(value, path, "month"), minimum=1)
    day = r.integer(*r.at(value, path, "day"), minimum=1)
    try:
        datetime.date(2001, month, day)  # not a leap year: 29 February is refused
    except ValueError:
        raise r.error(path, _("is not a day of the year")) from None
    return month, day


def published_windows(r: TorchReader, value: Any) -> tuple[PublishedWindow, ...]:
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


def expected_window(r: TorchReader, value: Any) -> ExpectedWindow:
    path = "expected_window"
    value = r.mapping(value, path)
    r.no_extra(value, {"opens", "closes", "source"}, path)
    opens = _month_day(r, *r.at(value, path, "opens"))
    closes = _month_day(r, *r.at(value, path, "closes"))
    if closes < opens:
        raise r.error(f"{path}.closes", _("is before opens"))
    return ExpectedWindow(*opens, *closes, source=r.text(*r.at(value, path, "source")))
