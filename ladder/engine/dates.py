"""Calendar months, with end-of-month clamping (31 January + 1 month = 28/29 February)."""

from __future__ import annotations

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months(start: datetime.date, end: datetime.date) -> int:
    """The largest m (negative when ``end`` is before ``start``) with add_months(start, m) <= end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while add_months(start, months) > end:
        months -= 1
    while add_months(start, months + 1) <= end:
        months += 1
    return months
