"""Writes of the staff side: opening a figures request, adding firms to it, changing its due date,
and re-issuing or revoking a founder's link.

Every firm asked gets a submission whose link lives until the due date plus a grace period
(``FIGURES_LINK_GRACE_DAYS``), and an invitation email with its personal link is recorded in the
same transaction (figures.emails; the outbox sends it once the transaction commits). A re-issued
link has a new version, so the old one opens nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from figures.fields import ALL_FIELDS
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from figures.selectors import figures_incubator_firms, figures_user_may_review
from portfolio.models import Incubator


def _invite(submission_ids: list[int]) -> None:
    from figures.emails import figures_invitations_record

    figures_invitations_record(submission_ids=submission_ids)


def _constraint_message(name: str) -> str:
    constraint = next(c for c in FiguresRequest._meta.constraints if c.name == name)
    return str(constraint.violation_error_message)


def link_expiry(due_on: datetime.date, *, today: datetime.date | None = None) -> datetime.datetime:
    """When a link sent for this due date stops working: the end of the grace period's last day
    (counted from today when the due date has passed, so that a late link still opens)."""
    today = today or timezone.localdate()
    last_day = max(due_on, today) + datetime.timedelta(days=settings.FIGURES_LINK_GRACE_DAYS)
    start_of_next = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(start_of_next)


def latest_due_on(today: datetime.date | None = None) -> datetime.date:
    """The latest due date a link can still reach, signed today (links live a bounded time)."""
    today = today or timezone.localdate()
    return today + datetime.timedelta(
        days=settings.FIGURES_LINK_MAX_AGE_DAYS - settings.FIGURES_LINK_GRACE_DAYS
    )


def due_on_error(due_on: datetime.date, today: datetime.date) -> str | None:
    """Why a due date cannot be set today, or None: not in the past, within the links' life."""
    if due_on < today:
        return _("The due date cannot be in the past.")
    if due_on > latest_due_on(today):
        return _(
            "The due date can be at most %(days)d days ahead (the founders' links live at most "
            "%(max)d days, including %(grace)d days of grace after the due date)."
        ) % {
            "days": settings.FIGURES_LINK_MAX_AGE_DAYS - settings.FIGURES_LINK_GRACE_DAYS,
            "max": settings.FIGURES_LINK_MAX_AGE_DAYS,
            "grace": settings.FIGURES_LINK_GRACE_DAYS,
        }
    return None


def _check_due_on(due_on: datetime.date, today: datetime.date, errors: dict) -> None:
    error = due_on_error(due_on, today)
    if error:
        errors["due_on"] = error


def _check_firms(incubator_id: int, firm_ids: Iterable[int], errors: dict) -> list[int]:
    ids = sorted({int(pk) for pk in firm_ids})
    if not ids:
        errors["firm_ids"] = _("Choose at least one firm.")
        return ids
    known = set(
        figures_incubator_firms(incubator=incubator_id).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if len(known) != len(ids):
        errors["firm_ids"] = _("Only firms hosted by this incubator can be asked (%(count)d are not).") % {
            "count": len(ids) - len(known)
        }
    return ids


def _normalised_fields(field_names: Iterable[str], errors: dict) -> list[str]:
    """The names in the catalogue's order; [] when every field is asked (the model's "all")."""
    names = list(dict.fromkeys(field_names))
    catalogue = ALL_FIELDS
    unknown = [name for name in names if name not in catalogue]
    if unknown:
        errors["field_names"] = _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
        return []
    if not names:
        errors["field_names"] = _("Ask for at least one field.")
        return []
    if set(names) == set(catalogue):
        return []
    return [name for name in catalogue if name in names]


def _submissions_create(request: FiguresRequest, firm_ids: list[int]) -> list[FiguresSubmission]:
    expires = link_expiry(request.due_on)
    submissions = [
        FiguresSubmission(request=request, firm_id=firm_id, link_expires_at=expires) for firm_id in firm_ids
    ]
    # save() rather than bulk_create: each submission gets its first history record.
    for submission in submissions:
        submission.save()
    _invite([s.pk for s in submissions])
    return submissions


@transaction.atomic
def figures_request_open(
    *,
    incubator: Incubator,
    year: int,
    due_on: datetime.date,
    field_names: Iterable[str],
    firm_ids: Iterable[int],
    message: str,
    created_by: User,
    today: datetime.date | None = None,
) -> FiguresRequest:
    """Open a request: one submission per firm, each with its link, each firm's contacts invited.

    Refuses (ValidationError by argument: year, due_on, field_names, firm_ids) a due date in
    the past or beyond the links' life, a firm the incubator does not host, an unknown field, a
    second request for the same incubator and year; nothing is saved then.
    """
    if not figures_user_may_review(created_by, incubator.pk):
        raise PermissionDenied(_("Only a manager or liaison of this incubator can open a figures request."))
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not 1949 <= year <= today.year:
        errors["year"] = _("The year must be between 1949 and this year.")
    elif FiguresRequest.objects.filter(incubator=incubator, year=year).exists():
        errors["year"] = _constraint_message("figures_request_one_per_incubator_year")
    _check_due_on(due_on, today, errors)
    fields = _normalised_fields(field_names, errors)
    ids = _check_firms(incubator.pk, firm_ids, errors)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            request = FiguresRequest.objects.create(
                incubator=incubator,
                year=year,
                due_on=due_on,
                fields=fields,
                message=message.strip(),
                created_by=created_by,
            )
    except IntegrityError:  # another request for the same year won the race
        raise ValidationError(
            {"year": _constraint_message("figures_request_one_per_incubator_year")}
        ) from None
    _submissions_create(request, ids)
    return request


@transaction.atomic
def figures_request_add_firms(
    *, request: FiguresRequest, firm_ids: Iterable[int], user: User
) -> list[FiguresSubmission]:
    """Ask more firms: each gets a submission and an invitation, as when the request opened."""
    if not figures_user_may_review(user, request.incubator_id):
        raise PermissionDenied(_("Only a manager or liaison of this incubator can add firms."))
    request = FiguresRequest.objects.select_for_update().get(pk=request.pk)
    errors: dict[str, str] = {}
    if request.closed:
        raise ValidationError({"firm_ids": _("This request is closed: it takes no more firms.")})
    ids = _check_firms(request.incubator_id, firm_ids, errors)
    if errors:
        raise ValidationError(errors)
    already = set(request.submissions.filter(firm_id__in=ids).values_list("firm_id", flat=True))
    if already:
        raise ValidationError({"firm_ids": _("This firm is already part of this request.")})
    return _submissions_create(request, ids)


@transaction.atomic
def figures_request_update(
    *,
    request: FiguresRequest,
    due_on: datetime.date,
    message: str,
    closed: bool,
    user: User,
    today: datetime.date | None = None,
) -> FiguresRequest:
    """Change the due date, the message or whether the request is closed. A new due date moves
    the expiry of every live link that has not been answered and accepted."""
    if not figures_user_may_review(user, request.incubator_id):
        raise PermissionDenied(_("Only a manager or liaison of this incubator can change this request."))
    request = FiguresRequest.objects.select_for_update().get(pk=request.pk)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if due_on != request.due_on:
        _check_due_on(due_on, today, errors)
    if errors:
        raise ValidationError(errors)
    moved = due_on != request.due_on
    request.due_on, request.message, request.closed = due_on, message.strip(), closed
    request.save(update_fields=["due_on", "message", "closed", "updated_at"])
    if moved:
        expires = link_expiry(due_on, today=today)
        for submission in request.submissions.filter(link_revoked=False).exclude(
            status=SubmissionStatus.ACCEPTED
        ):
            submission.link_expires_at = expires
            _save_with_history(submission, user, f"due date moved to {due_on.isoformat()}")
    return request


def _save_with_history(submission: FiguresSubmission, user: User, reason: str) -> None:
    submission._history_user = user
    submission._change_reason = reason[:100]
    submission.save()


def _locked(submission: FiguresSubmission) -> FiguresSubmission:
    return FiguresSubmission.objects.select_for_update().select_related("request").get(pk=submission.pk)


@transaction.atomic
def submission_link_reissue(*, submission: FiguresSubmission, user: User) -> FiguresSubmission:
    """A new link for the firm (a new version: the old link is dead), valid until the due date
    plus grace (or grace from today when that has passed), sent in a new invitation."""
    if not figures_user_may_review(user, submission.request.incubator_id):
        raise PermissionDenied(_("Only a manager or liaison of this incubator can re-issue a link."))
    submission = _locked(submission)
    if submission.request.closed:
        raise ValidationError(_("This request is closed: its links cannot be re-issued."))
    if submission.status == SubmissionStatus.ACCEPTED:
        raise ValidationError(_("This answer has been accepted: there is nothing left to enter."))
    submission.link_version += 1
    submission.link_revoked = False
    submission.link_expires_at = link_expiry(submission.request.due_on)
    _save_with_history(submission, user, f"link re-issued (version {submission.link_version})")
    _invite([submission.pk])
    return submission


@transaction.atomic
def submission_link_revoke(*, submission: FiguresSubmission, user: User) -> FiguresSubmission:
    """The firm's link stops working at once (what was saved stays); re-issuing gives a new one."""
    if not figures_user_may_review(user, submission.request.incubator_id):
        raise PermissionDenied(_("Only a manager or liaison of this incubator can revoke a link."))
    submission = _locked(submission)
    if submission.link_revoked:
        return submission
    submission.link_version += 1
    submission.link_revoked = True
    _save_with_history(submission, user, "link revoked")
    return submission
