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
from figures.fields import FIELDS, Field, Kind, Storage, as_text, fields_for
from figures.forms import FiguresForm, grouped_number
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from figures.services.founder import figures_form_for
from portfolio.models import Firm, Incubator, Residency
from portfolio.selectors.scope import scope_to_incubators, user_sees_everything

# The roles that may open requests and review answers; the others only look.
REVIEWER_ROLES = (StaffRole.MANAGER, StaffRole.LIAISON)
# Not yet submitted: the firm still owes an answer (a sent-back answer counts as owed again).
MISSING_STATUSES = (SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# The submission list's status filter: "missing" first, then each status.
STATUS_FILTER_CHOICES = (
    ("missing", _("Missing (not yet submitted)")),
    *SubmissionStatus.choices,
)


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


def review_form(submission: FiguresSubmission) -> FiguresForm:
    """The founder's form over the submitted values, validated as the founder's page does."""
    return figures_form_for(submission, data=submission.values)


@dataclass(frozen=True)
class ReviewRow:
    name: str
    label: str
    submitted: str
    previous: str
    current: str
    warnings: list[str]

    @property
    def changed(self) -> bool:
        """The submitted value differs from the one on record (there is one on record)."""
        return self.current != "" and self.submitted != self.current


@dataclass(frozen=True)
class Review:
    rows: list[ReviewRow]
    warnings: list[str]
    errors: list[str]


def submission_review(submission: FiguresSubmission) -> Review:
    """What the review page shows: each asked field's submitted value beside last year's and the
    year's current figure (a firm-level field: the firm's current value), the founder's form's
    warnings and its errors (an answer with errors cannot be accepted). Two queries."""
    form = review_form(submission)
    valid = form.is_valid()
    names = fields_for(submission.request)
    warnings: dict[str, list[str]] = {}
    for warning in form.warnings:
        warnings.setdefault(warning.field, []).append(warning.message)
    rows = []
    for name in names:
        field = FIELDS[name]
        source = {Storage.YEAR: form.current, Storage.FIRM: submission.firm}.get(field.storage)
        previous = form.previous if field.storage is Storage.YEAR else None
        submitted = submission.values.get(name, "")
        if valid:  # the cleaned value, as the record will hold it
            submitted = as_text(form.cleaned_data.get(name))
        rows.append(
            ReviewRow(
                name=name,
                label=str(field.label),
                submitted=_display(field, submitted),
                previous=_display(field, as_text(getattr(previous, name, None))),
                current=_display(field, as_text(getattr(source, name, None))),
                warnings=warnings.get(name, []),
            )
        )
    errors = [
        f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
        for name, messages in form.errors.items()
        for message in messages
    ]
    return Review(
        rows=rows, warnings=[f"{FIELDS[w.field].label}: {w.message}" for w in form.warnings], errors=errors
    )


def _display(field: Field, text: str) -> str:
    """A stored or submitted value as staff read it: choices by their label, yes/no in words,
    amounts grouped by thousands."""
    if text in ("", None):
        return ""
    if field.kind is Kind.CHOICE:
        return str(dict(field.choices).get(text, text))
    if field.kind is Kind.YES_NO:
        return str({"yes": _("Yes"), "no": _("No")}.get(text, text))
    if field.kind in (Kind.AMOUNT, Kind.COUNT):
        return grouped_number(text)
    return text
