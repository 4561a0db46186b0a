"""Small renderers shared by the admin pages: due dates with days left, incubation clock."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portfolio.choices import DatePrecision
from portfolio.rules.deadlines import days_left


def due_html(
    due_on: datetime.date | None, today: datetime.date | None = None, precision: str | None = "day"
) -> str:
    """``2026-05-31 · 12 days left``, or the date in red with ``overdue by 3 days``; a date worked
    out from an imprecise one is ``≈ 2026-01-01 · approximate, please complete the date``."""
    if due_on is None:
        return "-"
    if precision not in (None, "day"):
        return format_html(
            '<span class="deadline-approximate" style="color:#8a6d00">≈ {} · {}</span>',
            due_on.isoformat(),
            _("approximate, please complete the date"),
        )
    left = days_left(due_on, today or timezone.localdate())
    if left < 0:
        late = -left
        return format_html(
            '<span class="deadline-overdue" style="color:#ba2121;font-weight:bold">{} · {}</span>',
            due_on.isoformat(),
            ngettext("overdue by %(n)d day", "overdue by %(n)d days", late) % {"n": late},
        )
    if left == 0:
        return format_html('<span style="color:#ba2121">{} · {}</span>', due_on.isoformat(), _("due today"))
    return format_html(
        "{} · {}", due_on.isoformat(), ngettext("%(n)d day left", "%(n)d days left", left) % {"n": left}
    )


def date_with_precision(day: datetime.date | None, precision: str) -> str:
    """``2023-12-01``, or ``≈ 2023-01-01 (Year)`` for a date stored as its period's first day."""
    if day is None:
        return "-"
    if precision == "day":
        return day.isoformat()
    return format_html(
        '<span class="date-approximate" style="color:#8a6d00">≈ {} ({})</span>',
        day.isoformat(),
        DatePrecision(precision).label,
    )


def incubation_clock_html(months_in: int, months_left: int | None, limit: int) -> str:
    """``14 / 48 months, 34 left``, marked when over the limit."""
    if months_left is None:
        return format_html("{}", _("%(in)d months (exited)") % {"in": months_in})
    if months_left < 0:
        return format_html(
            '<span class="incubation-over-limit" style="color:#ba2121;font-weight:bold">{}</span>',
            _("%(in)d / %(limit)d months: over the limit by %(over)d")
            % {"in": months_in, "limit": limit, "over": -months_left},
        )
    return format_html(
        "{}",
        _("%(in)d / %(limit)d months, %(left)d left")
        % {"in": months_in, "limit": limit, "left": months_left},
    )
