"""Reads of the figures app for staff: what a staff member sees of the requests, who may review,
the progress of a request, and the figures a submission is compared with.

Scope follows the portfolio's rule (portfolio.selectors.scope): staff see the requests of the
incubators they belong to, superusers see all. Reviewing (accepting, sending back, opening a
request, re-issuing or revoking a link) is for the managers and liaisons of the request's
incubator; a counsellor sees the pages but acts on none of them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import IncubatorMembership, StaffRole, User
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from portfolio.models import Firm, Incubator, Residency, YearlyFigures
from portfolio.selectors.scope import scope_to_incubators, user_sees_everything

# The roles that may open requests and review answers; the others only look.
REVIEWER_ROLES = (StaffRole.MANAGER, StaffRole.LIAISON)
# Not yet submitted: the firm still owes an answer (a sent-back answer counts as owed again).
MISSING_STATUSES = (SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def figures_requests_for_user(user: User) -> QuerySet[FiguresRequest]:
    return scope_to_incubators(FiguresRequest.objects.all(), user)


def figures_submissions_for_user(user: User) -> QuerySet[FiguresSubmission]:
    return scope_to_incubators(FiguresSubmission.objects.all(), user, "request__incubator")


def figures_reviewer_incubator_ids(user: User) -> list[int] | None:
    """The incubators whose requests the user may act on; None: all of them (a superuser).

    Cached on the user object for the request, like the scope's own list.
    """
    if user_sees_everything(user):
        return None
    cached = getattr(user, "_figures_reviewer_ids_cache", None)
    if cached is None:
        cached = list(
            IncubatorMembership.objects.filter(user_id=user.pk, role__in=REVIEWER_ROLES).values_list(
                "incubator_id", flat=True
            )
        )
        user._figures_reviewer_ids_cache = cached
    return cached


def figures_user_may_review(user: User, incubator_id: int | None = None) -> bool:
    """May the user act on this incubator's requests (or, without one, on any incubator's)?"""
    if not user.is_active:
        return False
    ids = figures_reviewer_incubator_ids(user)
    if ids is None:
        return True
    return bool(ids) if incubator_id is None else incubator_id in ids


def figures_incubators_for_reviewer(user: User) -> QuerySet[Incubator]:
    """The incubators the user may open a request for."""
    ids = figures_reviewer_incubator_ids(user)
    incubators = Incubator.objects.all()
    return incubators if ids is None else incubators.filter(pk__in=ids)


def figures_residents(*, incubator: Incubator | int, year: int) -> QuerySet[Firm]:
    """The firms in residence at the incubator at some time during the year."""
    stays = Residency.objects.filter(incubator=incubator, entered_on__lte=datetime.date(year, 12, 31)).filter(
        Q(exited_on__isnull=True) | Q(exited_on__gte=datetime.date(year, 1, 1))
    )
    return Firm.objects.filter(pk__in=stays.values("firm_id")).order_by("name")


def figures_incubator_firms(*, incubator: Incubator | int) -> QuerySet[Firm]:
    """The firms that may be asked: every firm with a stay (open or past) at the incubator."""
    return Firm.objects.filter(
        pk__in=Residency.objects.filter(incubator=incubator).values("firm_id")
    ).order_by("name")


@dataclass(frozen=True)
class Progress:
    """How far a request has come; the counts of each status and the share of each."""

    not_started: int = 0
    draft: int = 0
    submitted: int = 0
    returned: int = 0
    accepted: int = 0

    @property
    def total(self) -> int:
        return self.not_started + self.draft + self.submitted + self.returned + self.accepted

    @property
    def missing(self) -> int:
        return self.not_started + self.draft + self.returned

    def percent(self, count: int) -> float:
        return round(100 * count / self.total, 1) if self.total else 0.0

    @property
    def segments(self) -> list[dict]:
        """The bar's parts in drawing order (done first), with their status, label and share."""
        parts = [
            (SubmissionStatus.ACCEPTED, self.accepted),
            (SubmissionStatus.SUBMITTED, self.submitted),
            (SubmissionStatus.RETURNED, self.returned),
            (SubmissionStatus.DRAFT, self.draft),
            (SubmissionStatus.NOT_STARTED, self.not_started),
        ]
        return [
            {"status": status.value, "label": status.label, "count": count, "percent": self.percent(count)}
            for status, count in parts
        ]

    @property
    def done_percent(self) -> int:
        """Accepted or submitted, in whole percent (what the bar's caption says)."""
        return round(self.percent(self.accepted + self.submitted))


def _status_counts() -> dict[str, Count]:
    return {
        f"n_{status.value}": Count("submissions", filter=Q(submissions__status=status.value))
        for status in SubmissionStatus
    }


def figures_requests_with_progress(queryset: QuerySet[FiguresRequest]) -> QuerySet[FiguresRequest]:
    """Annotate each request with its count of submissions in each status (one query)."""
    return queryset.annotate(**_status_counts())


def progress_of(request: FiguresRequest) -> Progress:
    """The request's progress: from its annotations when present, else one query."""
    if hasattr(request, "n_not_started"):
        return Progress(**{s.value: getattr(request, f"n_{s.value}") for s in SubmissionStatus})
    counts = dict(
        request.submissions.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return Progress(**{s.value: counts.get(s.value, 0) for s in SubmissionStatus})


def figures_request_submissions(request: FiguresRequest) -> QuerySet[FiguresSubmission]:
    """The firms of a request with their status, for the progress page (one query)."""
    return request.submissions.select_related("firm", "reviewed_by").order_by("firm__name", "pk")


@dataclass(frozen=True)
class ReviewFigures:
    """What a submission is compared with: last year's figures and the year's current ones."""

    previous: YearlyFigures | None
    current: YearlyFigures | None


def figures_for_review(submission: FiguresSubmission) -> ReviewFigures:
    year = submission.request.year
    rows = {
        f.year: f for f in YearlyFigures.objects.filter(firm_id=submission.firm_id, year__in=[year - 1, year])
    }
    return ReviewFigures(previous=rows.get(year - 1), current=rows.get(year))


STATUS_FILTER_CHOICES = (
    ("missing", _("Missing (not yet submitted)")),
    *SubmissionStatus.choices,
)


def review_form(submission: FiguresSubmission, previous: YearlyFigures | None = None):
    """The founder's form over the submitted values, as the founder's page validates them."""
    from figures.fields import fields_for
    from figures.forms import FiguresForm

    if previous is None:
        previous = YearlyFigures.objects.filter(
            firm_id=submission.firm_id, year=submission.request.year - 1
        ).first()
    names = [field.name for field in fields_for(submission.request)]
    return FiguresForm(names, previous=previous, firm=submission.firm, data=submission.values)


@dataclass(frozen=True)
class ReviewRow:
    name: str
    label: str
    submitted: str
    previous: object
    current: object
    changed: bool


@dataclass(frozen=True)
class Review:
    rows: list[ReviewRow]
    warnings: list[str]
    errors: list[str]
    figures: ReviewFigures


def submission_review(submission: FiguresSubmission) -> Review:
    """What the review page shows: each asked field's submitted value beside last year's and the
    year's current figure (the firm's own value for a firm-level field), the form's warnings,
    and its errors (an answer with errors cannot be accepted)."""
    from figures.fields import fields_for

    figures = figures_for_review(submission)
    form = review_form(submission, previous=figures.previous)
    valid = form.is_valid()
    rows = []
    for field in fields_for(submission.request):
        yearly = _is_yearly(field.name)
        previous = getattr(figures.previous, field.name, None) if yearly else None
        source = figures.current if yearly else submission.firm
        current = getattr(source, field.name, None) if source is not None else None
        submitted = submission.values.get(field.name, "")
        rows.append(
            ReviewRow(
                name=field.name,
                label=str(field.label),
                submitted=str(submitted),
                previous=previous,
                current=current,
                changed=current is not None and str(submitted).strip() not in ("", str(current)),
            )
        )
    errors = (
        []
        if valid
        else [
            f"{form.fields[n].label if n in form.fields else n}: {m}"
            for n, ms in form.errors.items()
            for m in ms
        ]
    )
    return Review(
        rows=rows, warnings=[str(w) for w in getattr(form, "warnings", [])], errors=errors, figures=figures
    )


def _is_yearly(name: str) -> bool:
    try:
        YearlyFigures._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a firm-level field
        return False
    return True
