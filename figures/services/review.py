"""Writes of the review: a liaison accepts a firm's submitted answer (its figures become the
firm's yearly figures and Torch facts) or sends it back with a comment.

Acceptance re-validates the answer with the founder's own form, writes only the fields the
request asked for, and leaves a history record on each row it changes whose reason names the
request, who entered the figures and who accepted them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from figures.fields import FIELDS, Storage
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from figures.selectors import figures_user_may_review, review_form
from figures.services.requests import link_expiry
from portfolio.choices import RecordOrigin
from portfolio.models import Firm, YearlyFigures


def request_label(request: FiguresRequest) -> str:
    """How a record names the request it came through (its source; at most 200 characters)."""
    return f"figures request #{request.pk}: {request.incubator.name} {request.year}"[:200]


def _change_reason(submission: FiguresSubmission, user: User) -> str:
    # simple_history keeps 100 characters of a reason; the people are on the rows themselves too.
    entered = submission.submitted_by or "-"
    request = submission.request
    reason = f"figures request #{request.pk} {request.year}; entered: {entered}; accepted: {user.email}"
    return reason[:100]


def _locked(submission: FiguresSubmission) -> FiguresSubmission:
    return (
        FiguresSubmission.objects.select_for_update(of=("self",))
        .select_related("request__incubator", "firm")
        .get(pk=submission.pk)
    )


def _check_reviewer(user: User, submission: FiguresSubmission) -> None:
    if not figures_user_may_review(user, submission.request.incubator_id):
        raise PermissionDenied(_("Only a manager or liaison of this incubator can review answers."))


@transaction.atomic
def submission_accept(*, submission: FiguresSubmission, user: User) -> FiguresSubmission:
    """Accept a submitted answer: its asked-for figures become the firm's for the request's year.

    Refused (ValidationError, nothing saved) when the answer is not submitted or no longer
    passes the founder's form (the errors by field), or when the rows would break a rule of the
    figures themselves (e.g. R&D staff above the employees already recorded).
    """
    submission = _locked(submission)
    _check_reviewer(user, submission)
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted answer can be accepted (this one is: %(status)s).")
            % {"status": submission.get_status_display()}
        )
    form = review_form(submission)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    now = timezone.now()
    request, firm = submission.request, submission.firm
    reason = _change_reason(submission, user)
    # Only the fields asked for are in the form; the people of field 26 stay in the values.
    yearly = {
        name: form.cleaned_data[name] for name in form.field_names if FIELDS[name].storage is Storage.YEAR
    }
    facts = {
        name: form.cleaned_data[name] for name in form.field_names if FIELDS[name].storage is Storage.FIRM
    }

    figures = YearlyFigures.objects.select_for_update().filter(firm=firm, year=request.year).first()
    if figures is None:
        figures = YearlyFigures(firm=firm, year=request.year, origin=RecordOrigin.STAFF)
    for name, value in yearly.items():
        setattr(figures, name, value)
    figures.reported_by = submission.submitted_by
    figures.accepted_by = user
    figures.accepted_at = now
    if figures.origin != RecordOrigin.ARTICLE:  # an article's citation stays its source
        figures.source = request_label(request)
    _save_validated(figures, user, reason, validate=lambda: figures.full_clean(validate_unique=False))

    if facts:
        firm = Firm.objects.select_for_update().get(pk=firm.pk)
        for name, value in facts.items():
            setattr(firm, name, value)
        _save_validated(firm, user, reason, validate=firm.validate_constraints)

    submission.status = SubmissionStatus.ACCEPTED
    submission.reviewed_by, submission.reviewed_at = user, now
    submission._history_user, submission._change_reason = user, "accepted"
    submission.save()
    return submission


def _save_validated(obj, user: User, reason: str, *, validate) -> None:
    try:
        validate()
    except ValidationError as exc:
        raise ValidationError(
            [_("The figures cannot be saved as they are: %(error)s") % {"error": m} for m in exc.messages]
        ) from None
    obj._history_user = user
    obj._change_reason = reason
    obj.save()


@transaction.atomic
def submission_return(*, submission: FiguresSubmission, user: User, comment: str) -> FiguresSubmission:
    """Send a submitted answer back with a comment (required): the founder's page opens again
    with their entries (its link lives at least the grace period from today) and the firm's
    contacts are emailed the comment."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the firm should correct.")})
    submission = _locked(submission)
    _check_reviewer(user, submission)
    if submission.request.closed:
        raise ValidationError(_("This request is closed: the founder's page cannot open again."))
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted answer can be sent back (this one is: %(status)s).")
            % {"status": submission.get_status_display()}
        )
    now = timezone.now()
    submission.status = SubmissionStatus.RETURNED
    submission.review_comment = comment
    submission.reviewed_by, submission.reviewed_at = user, now
    submission.link_expires_at = max(submission.link_expires_at, link_expiry(timezone.localdate()))
    submission._history_user, submission._change_reason = user, "sent back"
    submission.save()
    from figures.emails import figures_returned_record

    figures_returned_record(submission_id=submission.pk)
    return submission
