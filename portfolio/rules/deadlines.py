"""Deadline dates that follow from a certificate and its kind's obligations: pure functions.

Dates may be imprecise: a date known only to the month, the year, or approximately is stored
as its period's first day with a precision ("month", "year", "approximate"; "day" when exact).
What follows from such a date keeps that precision: ``dues`` marks every due date that holds
for any day of the period as exact, and the others (a date that shifts, or that applies or not
depending on the unknown day) with the input's precision, at the earliest possible day.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass

DAY = "day"
# Coarser last; an approximate date is read as a year-wide range from its stored day.
PRECISION_ORDER = ("day", "month", "year", "approximate")


@dataclass(frozen=True)
class ObligationRule:
    schedule: str  # "before_expiry" | "yearly" | "anniversary"
    months_before_expiry: int | None = None
    due_month: int | None = None
    due_day: int | None = None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole months, clamped to the month's end (31 Aug - 6 months = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def yearly_date(year: int, month: int, day: int) -> datetime.date:
    """The fixed date in ``year``, clamped (29 Feb in a common year is 28 Feb)."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    on: datetime.date  # the earliest possible day when imprecise
    precision: str = DAY


def period_end(day: datetime.date, precision: str) -> datetime.date:
    """The latest day an imprecise date stored as its period's first day can stand for."""
    if precision == DAY:
        return day
    if precision == "month":
        return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)
    # year (stored as 1 January) or approximate (read as a year from the stored day)
    return add_months(day, 12) - datetime.timedelta(days=1)


def coarsest(*precisions: str) -> str:
    return max(precisions, key=PRECISION_ORDER.index)


def dues(
    rule: ObligationRule,
    *,
    issued_on: datetime.date | None,
    expires_on: datetime.date | None,
    today: datetime.date,
    windows: Mapping[int, datetime.date] | None = None,
    issued_precision: str = DAY,
    expires_precision: str = DAY,
) -> list[Due]:
    """Every due date of one obligation for one certificate, oldest first, with its precision.

    Worked out for the earliest and the latest day the imprecise dates can stand for: a date due
    under both is exact; one due under only one of them, or falling on different days, carries
    the coarsest input precision (at its earliest day). With exact dates this is ``due_dates``.
    """
    precision = coarsest(issued_precision if issued_on else DAY, expires_precision if expires_on else DAY)
    if rule.schedule == "anniversary":
        return _anniversaries(issued_on, expires_on, today, issued_precision if issued_on else DAY)
    early = due_dates(rule, issued_on=issued_on, expires_on=expires_on, today=today, windows=windows)
    if precision == DAY:
        return [Due(day) for day in early]
    late = due_dates(
        rule,
        issued_on=issued_on and period_end(issued_on, issued_precision),
        expires_on=expires_on and period_end(expires_on, expires_precision),
        today=today,
        windows=windows,
    )
    if rule.schedule == "before_expiry":
        return [Due(a, DAY if a == b else precision) for a, b in zip(early, late, strict=True)]
    both = set(early) & set(late)
    return [Due(day, DAY if day in both else precision) for day in sorted(set(early) | set(late))]


def _anniversaries(
    issued_on: datetime.date | None, expires_on: datetime.date | None, today: datetime.date, precision: str
) -> list[Due]:
    """A yearly review on the issue date's anniversaries, up to the expiry; without an expiry
    (a membership that lasts until it is revoked) only the next one, within a year of today."""
    if issued_on is None:
        return []
    found = []
    years = 1
    while True:
        day = add_months(issued_on, 12 * years)
        if expires_on is not None and day > expires_on:
            break
        if expires_on is not None or day >= today:
            found.append(Due(day, precision))
            if expires_on is None:
                break
        years += 1
    return found


def due_dates(
    rule: ObligationRule,
    *,
    issued_on: datetime.date | None,
    expires_on: datetime.date | None,
    today: datetime.date,
    windows: Mapping[int, datetime.date] | None = None,
) -> list[datetime.date]:
    """Every due date of one obligation for one certificate, oldest first.

    - before expiry: one date, ``months_before_expiry`` months before the expiry date;
    - yearly: the fixed date (or that year's published window) in every year after the issue
      date up to and including the expiry date; a certificate with no expiry gets its dates up
      to a year ahead of ``today``.
    """
    if rule.schedule == "before_expiry":
        if expires_on is None or rule.months_before_expiry is None:
            return []
        return [add_months(expires_on, -rule.months_before_expiry)]
    if rule.schedule == "yearly":
        if issued_on is None or rule.due_month is None or rule.due_day is None:
            return []
        windows = windows or {}
        end = expires_on or add_months(today, 12)
        dates = []
        for year in range(issued_on.year, end.year + 1):
            due = windows.get(year) or yearly_date(year, rule.due_month, rule.due_day)
            if issued_on < due <= end:
                dates.append(due)
        return dates
    raise ValueError(f"unknown obligation schedule {rule.schedule!r}")


def days_left(due_on: datetime.date, today: datetime.date) -> int:
    """Whole calendar days from ``today`` to ``due_on``; 0 on the day itself, negative once past.

    The one count the reminders (thresholds, emails) and the admin (due dates, overdue marks) use.
    """
    return (due_on - today).days


def expiry_from_validity(issued_on: datetime.date, validity_months: int) -> datetime.date:
    """The last day of validity: three years from 2023-12-01 is valid through 2026-11-30."""
    return add_months(issued_on, validity_months) - datetime.timedelta(days=1)


def expiry_with_precision(
    issued_on: datetime.date, issued_precision: str, validity_months: int
) -> tuple[datetime.date, str]:
    """The expiry and its precision: an issue date known to the year 2023 gives "2026" (stored as
    2026-01-01, precision year), never a day nobody stated."""
    if issued_precision == DAY:
        return expiry_from_validity(issued_on, validity_months), DAY
    return add_months(issued_on, validity_months), issued_precision


def lapse_cutoff(today: datetime.date, precision: str) -> datetime.date:
    """A granted certificate has lapsed by ``today`` when its stored expiry is before this day:
    only once the latest day an imprecise expiry can stand for has passed."""
    if precision == DAY:
        return today
    if precision == "month":
        return today.replace(day=1)
    if precision == "year":
        return today.replace(month=1, day=1)
    return add_months(today, -12) + datetime.timedelta(days=1)


def has_lapsed(expires_on: datetime.date | None, precision: str, today: datetime.date) -> bool:
    return expires_on is not None and expires_on < lapse_cutoff(today, precision)
