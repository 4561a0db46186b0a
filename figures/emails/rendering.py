"""What the figures emails say, and their declaration to the outbox (portfolio/services/reminders).

Founders' copies carry only their own link (the signed link of their submission); staff copies
(a liaison in a firm's place, the liaison's note, the managers' filing reminder) link to the admin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from figures.emails.recipients import staff_by_firm
from figures.links import submission_url
from figures.models import (
    FiguresEmail,
    FiguresEmailKind,
    FiguresRequest,
    FiguresSubmission,
    SubmissionStatus,
    TorchFilingEmail,
)
from portfolio.models import DeliveryStatus, YearlyFigures
from portfolio.services.reminders import send_day

# A firm still owes its figures while its submission is in one of these.
WAITING = (SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# Emails sent in a firm's place when it has no contact (flagged so in the staff copy).
FOR_THE_FIRM = (FiguresEmailKind.INVITATION, FiguresEmailKind.REMINDER, FiguresEmailKind.RETURNED)


def invitation_occasion(link_version: int) -> str:
    """An invitation is sent once per link version: a re-issued link gets its own."""
    return f"link-{link_version}"


def localized(obj, field_name: str, language: str) -> str:
    chinese = getattr(obj, field_name)
    return chinese if language != "en" else (getattr(obj, f"{field_name}_en", "") or chinese)


def admin_url(*candidates: tuple[str, list]) -> str:
    """The first of the admin pages that exists, as a link in an email; else the admin's index."""
    for name, args in candidates:
        try:
            return settings.SITE_URL + reverse(name, args=args)
        except NoReverseMatch:
            continue
    return settings.SITE_URL + reverse("admin:index")


def submission_admin_url(submission_id: int, request_id: int) -> str:
    return admin_url(
        ("admin:figures_figuressubmission_change", [submission_id]),
        ("admin:figures_figuresrequest_change", [request_id]),
    )


def request_admin_url(request_id: int) -> str:
    return admin_url(("admin:figures_figuresrequest_change", [request_id]))


def field_label(name: str) -> str:
    try:
        return str(YearlyFigures._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def missing_by_staff(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], list[FiguresSubmission]]:
    """(request, staff address) -> the request's submissions still waiting whose firm that person is
    responsible for (three queries whatever the number of pairs)."""
    pairs = set(pairs)
    request_ids = {request_id for request_id, _ in pairs}
    submissions = list(
        FiguresSubmission.objects.select_related("firm", "request")
        .filter(request_id__in=request_ids, status__in=WAITING)
        .order_by("firm__name", "pk")
    )
    staff = staff_by_firm((s.firm_id, s.request.incubator_id) for s in submissions)
    found: dict[tuple[int, str], list[FiguresSubmission]] = defaultdict(list)
    for s in submissions:
        for person in staff.get((s.firm_id, s.request.incubator_id), []):
            if (s.request_id, person.email) in pairs:
                found[(s.request_id, person.email)].append(s)
    return found


def figures_email_context(row: FiguresEmail) -> dict:
    request = row.request
    submission = row.submission
    language = row.language
    to_staff = row.user_id is not None
    today = timezone.localdate()
    context = {
        "row": row,
        "kind": row.kind,
        "to_staff": to_staff,
        "in_place_of_firm": to_staff and row.kind in FOR_THE_FIRM,
        "incubator": localized(request.incubator, "name", language),
        "year": request.year,
        "due_on": request.due_on,
        "days_left": (request.due_on - today).days,
        "message": request.message,
    }
    if submission is not None:
        context["firm_name"] = localized(submission.firm, "name", language)
        context["link"] = (
            submission_admin_url(submission.pk, request.pk) if to_staff else submission_url(submission)
        )
        context["link_expires_at"] = submission.link_expires_at
        context["review_comment"] = submission.review_comment
        context["submitted_at"] = submission.submitted_at
        context["submitted"] = [
            (field_label(name), value)
            for name, value in (submission.values or {}).items()
            if value not in ("", None)
        ]
    if row.kind == FiguresEmailKind.LIAISON_MISSING:
        missing = missing_by_staff([(request.pk, row.email)]).get((request.pk, row.email), [])
        context["link"] = request_admin_url(request.pk)
        context["days_overdue"] = (today - request.due_on).days
        context["missing"] = [
            {
                "firm_name": localized(s.firm, "name", language),
                "status": s.get_status_display(),
                "url": submission_admin_url(s.pk, request.pk),
            }
            for s in missing
        ]
    return context


def figures_emails_with_content(emails: QuerySet[FiguresEmail]) -> QuerySet[FiguresEmail]:
    return emails.select_related("request__incubator", "submission__firm")


def figures_email_refusals(rows: list[FiguresEmail]) -> dict[int, tuple[str, str]]:
    """What must not go out any more, read at claim time (a few queries for the whole batch):
    anything but a receipt or a sent-back note of a closed request; an invitation of a revoked or
    replaced link; a reminder once the firm submitted ("reminders stop once submitted"); a
    liaison's note once every firm of theirs has submitted."""
    submissions = {
        pk: (status, version, revoked)
        for pk, status, version, revoked in FiguresSubmission.objects.filter(
            pk__in={r.submission_id for r in rows if r.submission_id}
        ).values_list("pk", "status", "link_version", "link_revoked")
    }
    closed = set(
        FiguresRequest.objects.filter(pk__in={r.request_id for r in rows}, closed=True).values_list(
            "pk", flat=True
        )
    )
    notes = [r for r in rows if r.kind == FiguresEmailKind.LIAISON_MISSING and r.request_id not in closed]
    missing = missing_by_staff((r.request_id, r.email) for r in notes) if notes else {}
    cancel = DeliveryStatus.CANCELLED
    refused = {}
    for row in rows:
        status, version, revoked = submissions.get(row.submission_id, (None, None, False))
        if row.kind in (FiguresEmailKind.RECEIPT, FiguresEmailKind.RETURNED):
            continue
        if row.request_id in closed:
            refused[row.pk] = (cancel, "the request is closed")
        elif row.kind == FiguresEmailKind.INVITATION and (
            revoked or row.occasion != invitation_occasion(version)
        ):
            refused[row.pk] = (cancel, "the link was revoked or a newer one issued")
        elif row.kind == FiguresEmailKind.REMINDER and status not in WAITING:
            refused[row.pk] = (cancel, "the firm submitted meanwhile")
        elif row.kind == FiguresEmailKind.REMINDER and revoked:
            refused[row.pk] = (cancel, "the link was revoked")
        elif row.kind == FiguresEmailKind.LIAISON_MISSING and not missing.get((row.request_id, row.email)):
            refused[row.pk] = (cancel, "every firm has submitted")
    return refused


def torch_filing_context(row: TorchFilingEmail) -> dict:
    return {
        "row": row,
        "incubator": localized(row.incubator, "name", row.language),
        "report_year": row.report_year,
        "filing_year": row.report_year + 1,
        "opens_on": row.opens_on,
        "closes_on": row.closes_on,
        "published": row.published,
        "source": row.source,
        "days_left": (row.closes_on - send_day(row)).days,
        "threshold": row.threshold,
        "link": admin_url(("admin:app_list", ["figures"])),
    }


def torch_filing_emails_with_content(emails: QuerySet[TorchFilingEmail]) -> QuerySet[TorchFilingEmail]:
    return emails.select_related("incubator")


def torch_filing_refusals(rows: list[TorchFilingEmail]) -> dict[int, tuple[str, str]]:
    """A reminder that could not go out before its window closed is cancelled."""
    return {
        row.pk: (DeliveryStatus.CANCELLED, "the filing window closed before the reminder could be sent")
        for row in rows
        if row.closes_on < send_day(row)
    }
