"""Annotations the admin's lists show, each one subquery instead of a query per row."""

from __future__ import annotations

from django.db.models import Min, OuterRef, QuerySet, Subquery

from accounts.models import User
from portfolio.choices import CertificationStatus, DeadlineStatus
from portfolio.models import Certification, Deadline, Firm
from portfolio.selectors.deadlines import residency_incubator_name


def _next_open_deadline(**outer: str) -> Subquery:
    deadlines = (
        Deadline.objects.filter(status=DeadlineStatus.OPEN, **{k: OuterRef(v) for k, v in outer.items()})
        .values(*outer.keys())
        .annotate(next_due=Min("due_on"))
        .values("next_due")
    )
    return Subquery(deadlines[:1])


def _next_open_deadline_precision(**outer: str) -> Subquery:
    """The precision of that earliest open deadline ("day" unless worked out from an imprecise date)."""
    deadlines = Deadline.objects.filter(
        status=DeadlineStatus.OPEN, **{k: OuterRef(v) for k, v in outer.items()}
    ).order_by("due_on", "due_precision")
    return Subquery(deadlines.values("due_precision")[:1])


def firm_list_annotate(queryset: QuerySet[Firm], *, user: User) -> QuerySet[Firm]:
    """Add ``next_deadline_on``, ``incubator_name`` and ``top_certification`` (with its English
    name, ``top_certification_en``) to each firm."""
    top = Certification.objects.filter(
        firm_id=OuterRef("pk"), status=CertificationStatus.GRANTED, kind__ladder_rank__isnull=False
    ).order_by("-kind__ladder_rank", "-issued_on")
    return queryset.annotate(
        next_deadline_on=_next_open_deadline(firm_id="pk"),
        next_deadline_precision=_next_open_deadline_precision(firm_id="pk"),
        incubator_name=residency_incubator_name(user, firm_ref="pk"),
        top_certification=Subquery(top.values("kind__name")[:1]),
        top_certification_en=Subquery(top.values("kind__name_en")[:1]),
    )


def certification_list_annotate(queryset: QuerySet[Certification]) -> QuerySet[Certification]:
    """Add ``next_deadline_on`` (and its precision): the earliest open deadline of each certification."""
    return queryset.annotate(
        next_deadline_on=_next_open_deadline(certification_id="pk"),
        next_deadline_precision=_next_open_deadline_precision(certification_id="pk"),
    )
