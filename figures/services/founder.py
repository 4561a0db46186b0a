"""Writes of the founder's page: keep a draft, submit.

Both lock the submission's row first, so a submit racing a draft (or a replayed submit) sees the
other's outcome: once submitted or accepted, nothing from the link changes the submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from figures.emails import figures_receipt_record
from figures.fields import fields_for
from figures.forms import FiguresForm
from figures.models import FiguresSubmission, SubmissionStatus
from portfolio.models import YearlyFigures

# Statuses in which the link only shows what was sent.
LOCKED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
# Longest text kept per field of a draft (a draft keeps whatever was typed, within reason).
MAX_DRAFT_VALUE_LENGTH = 200
SUBMITTED_BY_MAX_LENGTH = 200


class SubmissionLocked(Exception):
    """The submission was already submitted or accepted: the link can no longer change it."""


def typed_values(names: list[str], values: Mapping[str, Any] | None) -> dict[str, str]:
    """What was typed into ``names``, as text fit to store in JSON: other keys dropped, NUL
    characters and unpaired surrogates removed (PostgreSQL's jsonb refuses them), each cut to a
    sane length. Nothing else is changed, so a draft shows exactly what was typed."""
    if not isinstance(values, Mapping):
        return {}
    result: dict[str, str] = {}
    for name in names:
        raw = values.get(name)
        if isinstance(raw, list):  # a QueryDict's lists; the last value, as a form reads it
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        text = raw if isinstance(raw, str) else str(raw)
        text = text.encode("utf-8", "ignore").decode("utf-8").replace("\x00", "")
        result[name] = text[:MAX_DRAFT_VALUE_LENGTH]
    return result


def _locked(submission: FiguresSubmission) -> FiguresSubmission:
    row = (
        FiguresSubmission.objects.select_for_update(of=("self",))
        .select_related("request", "firm")
        .get(pk=submission.pk)
    )
    if row.status in LOCKED_STATUSES:
        raise SubmissionLocked
    return row


def _refresh(submission: FiguresSubmission, row: FiguresSubmission) -> None:
    for name in ("values", "status", "submitted_at", "submitted_by", "updated_at"):
        setattr(submission, name, getattr(row, name))


def figures_form_for(
    submission: FiguresSubmission, *, data: Mapping[str, Any] | None = None, initial: dict | None = None
) -> FiguresForm:
    """The request's form for this submission, with last year's and this year's stored figures
    (two queries)."""
    year = submission.request.year
    stored = {
        f.year: f for f in YearlyFigures.objects.filter(firm_id=submission.firm_id, year__in=(year - 1, year))
    }
    return FiguresForm(
        fields_for(submission.request),
        previous=stored.get(year - 1),
        current=stored.get(year),
        firm=submission.firm,
        data=data,
        initial=initial,
    )


@transaction.atomic
def submission_save_draft(*, submission: FiguresSubmission, values: Mapping[str, Any]) -> None:
    """Keep what was typed, valid or not, as the draft. Raises SubmissionLocked once submitted."""
    row = _locked(submission)
    row.values = typed_values(fields_for(row.request), values)
    row.status = SubmissionStatus.DRAFT
    row.save(update_fields=["values", "status", "updated_at"])
    _refresh(submission, row)


@transaction.atomic
def submission_submit(
    *,
    submission: FiguresSubmission,
    values: Mapping[str, Any],
    submitted_by: str,
    confirm_warnings: bool | str,
) -> FiguresForm:
    """Validate and submit. Returns the bound form; ``form.saved`` says whether it was submitted.

    On any error nothing is saved. With warnings, ``confirm_warnings`` must be True or the
    warnings' key (``form.warnings_key()``) the founder saw, else nothing is saved either. On
    success the cleaned values are kept as text, the status is submitted, and the receipt email
    is recorded once the transaction commits. Raises SubmissionLocked once submitted.
    """
    row = _locked(submission)
    form = figures_form_for(row, data=typed_values(fields_for(row.request), values))
    form.saved = False
    if not form.is_valid():
        return form
    if form.warnings and confirm_warnings is not True and confirm_warnings != form.warnings_key():
        return form
    row.values = form.values_as_text()
    row.status = SubmissionStatus.SUBMITTED
    row.submitted_at = timezone.now()
    row.submitted_by = submitted_by.replace("\x00", "")[:SUBMITTED_BY_MAX_LENGTH]
    row.save(update_fields=["values", "status", "submitted_at", "submitted_by", "updated_at"])
    _refresh(submission, row)
    submission_id = row.pk
    # Robust: the figures are in; a failure to record the receipt is logged, not the founder's error.
    transaction.on_commit(lambda: figures_receipt_record(submission_id=submission_id), robust=True)
    form.saved = True
    return form
