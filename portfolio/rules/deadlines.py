"""Deadline dates that follow from a certificate and its kind's obligations: pure functions."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ObligationRule:
    schedule: str  # "before_expiry" | "yearly"
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
