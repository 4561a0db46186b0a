"""Threshold arithmetic of the reminders: pure functions of dates and days."""

from __future__ import annotations

import datetime
from collections.abc import Iterable


def days_left(due_on: datetime.date, today: datetime.date) -> int:
    """Whole calendar days from ``today`` to ``due_on``; 0 on the day itself, negative once past."""
    return (due_on - today).days


def due_threshold(reminder_days: Iterable[int], left: int) -> int | None:
    """The most urgent reminder threshold that ``left`` days have crossed, or None.

    A threshold t is crossed once ``left <= t``; of the crossed ones the most urgent is the
    smallest, i.e. min{t : t >= left}. With [90, 30, 7, 1]: 91 days left -> None, 90 -> 90,
    31 -> 90, 30 -> 30, 8 -> 30, 7 -> 7, 1 -> 1, 0 (due today) -> 1, past (< 0) -> None: an overdue
    deadline is shown in the digest and the admin, never mailed.
    """
    if left < 0:
        return None
    crossed = [t for t in reminder_days if t >= left]
    return min(crossed) if crossed else None
