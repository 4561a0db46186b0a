"""Recording the emails of a figures request, each once: invitations, receipts, sent-back notes.

A row per email and address is recorded before anything is sent; the model's unique constraints
(per submission, kind, occasion and address) make a second call add nothing. The rows are then
handed to the workers on commit, or sent here (``enqueue=False``), by the same outbox as the
deadline reminders (portfolio/services/reminders/, README "Reminders").
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Language
from figures.emails.recipients import Person, contacts_by_firm, staff_by_firm
from figures.emails.rendering import invitation_occasion
from figures.models import FiguresEmail, FiguresEmailKind, FiguresSubmission, SubmissionStatus
from portfolio.models import DeliveryStatus
from portfolio.services.reminders import SendOutcome, outbound_hand_over, outbound_send, outbound_take_waiting

_ADDRESS = re.compile(r"[^\s<>,;:()\"']+@[^\s<>,;:()\"']+")


@dataclass
class Recorded:
    """What a call offered to the outbox (rows a concurrent call recorded first are not doubled)."""

    planned: list[FiguresEmail] = field(default_factory=list)
    cancelled: int = 0
    handed_over: list[int] = field(default_factory=list)
    outcomes: list[SendOutcome] = field(default_factory=list)


def _stamp(moment: datetime.datetime) -> str:
    """An instant as an occasion: the same submit or send-back always gives the same text."""
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S.%fZ")


def _email(submission: FiguresSubmission, kind: str, occasion: str, person: Person, now) -> FiguresEmail:
    return FiguresEmail(
        submission=submission,
        request_id=submission.request_id,
        kind=kind,
        occasion=occasion,
        contact_id=person.contact_id,
        user_id=person.user_id,
        email=person.email,
        language=person.language,
        next_attempt_at=now,
    )


def founders_else_staff(submissions: list[FiguresSubmission]) -> dict[int, list[Person]]:
    """Each submission's firm contacts; for a firm without any, its responsible staff instead."""
    contacts = contacts_by_firm(s.firm_id for s in submissions)
    missing = [s for s in submissions if not contacts.get(s.firm_id)]
    staff = staff_by_firm((s.firm_id, s.request.incubator_id) for s in missing)
    return {
        s.pk: contacts.get(s.firm_id) or staff.get((s.firm_id, s.request.incubator_id), [])
        for s in submissions
    }


def _save(result: Recorded, *, enqueue: bool) -> Recorded:
    FiguresEmail.objects.bulk_create(result.planned, ignore_conflicts=True)
    if enqueue:
        result.handed_over = outbound_hand_over(FiguresEmail)
    return result


def _send_here(result: Recorded, *, enqueue: bool) -> Recorded:
    """Without a worker (``enqueue=False``): send what waits now, after the rows are committed."""
    if not enqueue:
        result.outcomes = outbound_send(FiguresEmail, outbound_take_waiting(FiguresEmail))
    return result


@transaction.atomic
def _record_invitations(submission_ids: Iterable[int], *, enqueue: bool) -> Recorded:
    now = timezone.now()
    submissions = list(
        FiguresSubmission.objects.select_related("request")
        .filter(
            pk__in=set(submission_ids), request__closed=False, link_revoked=False, link_expires_at__gt=now
        )
        .order_by("pk")
    )
    result = Recorded()
    if not submissions:
        return result
    # An invitation of an older link still waiting would carry a dead link: it is cancelled.
    current = {s.pk: invitation_occasion(s.link_version) for s in submissions}
    waiting = FiguresEmail.objects.filter(
        submission__in=submissions, kind=FiguresEmailKind.INVITATION, status=DeliveryStatus.PENDING
    ).values_list("pk", "submission_id", "occasion")
    stale = [pk for pk, submission_id, occasion in waiting if occasion != current[submission_id]]
    if stale:
        result.cancelled = FiguresEmail.objects.filter(pk__in=stale, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.CANCELLED, last_error="a newer link was issued", updated_at=now
        )
    people = founders_else_staff(submissions)
    for s in submissions:
        occasion = invitation_occasion(s.link_version)
        result.planned += [_email(s, FiguresEmailKind.INVITATION, occasion, p, now) for p in people[s.pk]]
    return _save(result, enqueue=enqueue)


def figures_invitations_record(*, submission_ids: Iterable[int], enqueue: bool = True) -> Recorded:
    """One invitation per contact of each firm (who receives reminders and has an address), for the
    submission's current link version; a firm without such a contact: its liaison (else the
    incubator's managers) gets it in the firm's place, flagged so. Submissions of a closed request,
    or whose link is revoked or expired, get none. Calling again for the same link version adds
    nothing; after a re-issue (a new version) the new link is sent and a waiting older one cancelled.
    """
    return _send_here(_record_invitations(list(submission_ids), enqueue=enqueue), enqueue=enqueue)


def _submitter(submitted_by: str, language: str) -> Person | None:
    """The address the founder gave with their name ("张三 <zhang@example.org>"), if any."""
    match = _ADDRESS.search(submitted_by or "")
    if not match:
        return None
    address = match.group(0).strip(".").lower()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return Person(address, language)


def _current_language() -> str:
    active = translation.get_language() or ""
    return Language.ENGLISH if active.startswith("en") else Language.CHINESE


@transaction.atomic
def _record_receipt(submission_id: int, *, language: str, enqueue: bool) -> Recorded:
    result = Recorded()
    submission = (
        FiguresSubmission.objects.select_related("request")
        .filter(pk=submission_id, status=SubmissionStatus.SUBMITTED, submitted_at__isnull=False)
        .first()
    )
    if submission is None:
        return result
    now = timezone.now()
    people = list(contacts_by_firm([submission.firm_id]).get(submission.firm_id, []))
    submitter = _submitter(submission.submitted_by, language)
    if submitter and submitter.email not in {p.email for p in people}:
        people.append(submitter)
    occasion = _stamp(submission.submitted_at)
    result.planned = [_email(submission, FiguresEmailKind.RECEIPT, occasion, p, now) for p in people]
    return _save(result, enqueue=enqueue)


def figures_receipt_record(
    *, submission_id: int, language: str | None = None, enqueue: bool = True
) -> Recorded:
    """A receipt of a submit (what was submitted) to the firm's contacts and to the address the
    submitter gave, in ``language`` for the submitter (default: the language active now, the
    founder page's). Once per submit: ``occasion`` is the submit's time, so a second call for the
    same submit adds nothing and a submit after a send-back gets its own receipt. Only a
    submission that is submitted now gets one.
    """
    language = language or _current_language()
    return _send_here(_record_receipt(submission_id, language=language, enqueue=enqueue), enqueue=enqueue)


@transaction.atomic
def _record_returned(submission_id: int, *, enqueue: bool) -> Recorded:
    result = Recorded()
    submission = (
        FiguresSubmission.objects.select_related("request")
        .filter(pk=submission_id, status=SubmissionStatus.RETURNED)
        .first()
    )
    if submission is None:
        return result
    now = timezone.now()
    occasion = _stamp(submission.reviewed_at or submission.updated_at)
    people = founders_else_staff([submission])[submission.pk]
    result.planned = [_email(submission, FiguresEmailKind.RETURNED, occasion, p, now) for p in people]
    return _save(result, enqueue=enqueue)


def figures_returned_record(*, submission_id: int, enqueue: bool = True) -> Recorded:
    """The firm's contacts are told their figures were sent back, with the liaison's comment and
    their link (a firm without contacts: its liaison, flagged). Once per send-back (``occasion``
    is the review's time); only a submission that is sent back now gets one.
    """
    return _send_here(_record_returned(submission_id, enqueue=enqueue), enqueue=enqueue)
