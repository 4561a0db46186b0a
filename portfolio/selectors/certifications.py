"""Reads about certifications: which have lapsed by a date, and each one's status as of a date.

A certificate past its expiry stays "granted" in the table until the next reminder pass
expires it; readers that show a status (the partner API) use ``with_status_on`` so they never
show a lapsed certificate as granted in between.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from portfolio.choices import CertificationStatus, DatePrecision
from portfolio.models import Certification
from portfolio.rules.deadlines import lapse_cutoff


def lapsed_condition(today: datetime.date) -> Q:
    """Granted, and past the latest day its (possibly imprecise) expiry can stand for."""
    past = Q()
    for precision in DatePrecision.values:
        past |= Q(expires_precision=precision, expires_on__lt=lapse_cutoff(today, precision))
    return Q(status=CertificationStatus.GRANTED) & past


def certifications_lapsed(
    queryset: QuerySet[Certification], *, today: datetime.date
) -> QuerySet[Certification]:
    return queryset.filter(lapsed_condition(today))


def with_status_on(
    queryset: QuerySet[Certification], *, today: datetime.date | None = None
) -> QuerySet[Certification]:
    """Annotates ``status_today``: the status, "expired" for a granted certificate that has lapsed."""
    today = today or timezone.localdate()
    return queryset.annotate(
        status_today=Case(
            When(lapsed_condition(today), then=Value(CertificationStatus.EXPIRED)),
            default=F("status"),
        )
    )
