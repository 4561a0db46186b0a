"""Reads about deadlines for the admin: what falls due soon across a staff member's firms."""

from __future__ import annotations

import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from portfolio.choices import DeadlineStatus
from portfolio.models import Deadline, Residency
from portfolio.selectors.scope import scope_to_incubators, scope_to_user

UPCOMING_WINDOWS = (30, 90, 180, 365)
DEFAULT_UPCOMING_DAYS = 90


def open_deadlines_due_by(queryset: QuerySet[Deadline], *, until: datetime.date) -> QuerySet[Deadline]:
    """Open deadlines due on or before ``until``, overdue ones included."""
    return queryset.filter(status=DeadlineStatus.OPEN, due_on__lte=until)


def residency_incubator_name(user: User, firm_ref: str = "firm_id") -> Subquery:
    """The incubator name of the firm's most recent residency the user may see (one value)."""
    residencies = scope_to_incubators(Residency.objects.filter(firm_id=OuterRef(firm_ref)), user)
    return Subquery(
        residencies.order_by(F("exited_on").desc(nulls_first=True), "-entered_on").values("incubator__name")[
            :1
        ]
    )


def deadlines_upcoming_for_user(
    *, user: User, days: int = DEFAULT_UPCOMING_DAYS, today: datetime.date | None = None
) -> QuerySet[Deadline]:
    """Open deadlines of the user's firms due within ``days`` (overdue ones first), soonest first."""
    today = today or timezone.localdate()
    queryset = open_deadlines_due_by(Deadline.objects.all(), until=today + datetime.timedelta(days=days))
    return (
        scope_to_user(queryset, user)
        .select_related("firm", "certification__kind", "obligation")
        .annotate(incubator_name=residency_incubator_name(user))
        .order_by("due_on", "firm__name", "pk")
    )
