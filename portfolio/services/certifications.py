"""Writes around certifications: saving them and keeping their deadlines in step."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from portfolio.choices import CertificationStatus, DatePrecision, DeadlineStatus, ObligationSchedule
from portfolio.models import Certification, Deadline, Obligation
from portfolio.rules.deadlines import ObligationRule, dues, expiry_with_precision
from portfolio.selectors.certifications import certifications_lapsed


def certification_fill_expiry(*, certification: Certification) -> None:
    """Fill an empty expiry from the kind's validity (no save), as precise as the issue date.

    An imprecise expiry is worked out again once the issue date is exact: completing "2023" to
    2023-11-15 makes "2026" 2026-11-14.
    """
    kind = certification.kind
    if not (certification.issued_on and kind.validity_months):
        return
    exact_issue = certification.issued_precision == DatePrecision.DAY
    imprecise_expiry = certification.expires_precision != DatePrecision.DAY
    if certification.expires_on is None or (exact_issue and imprecise_expiry):
        certification.expires_on, certification.expires_precision = expiry_with_precision(
            certification.issued_on, certification.issued_precision, kind.validity_months
        )


_LIVE_STATUSES = (CertificationStatus.GRANTED, CertificationStatus.EXPIRED)


def _superseded(certification: Certification, siblings: list[Certification] | None = None) -> bool:
    """A newer certificate of the same kind for the same firm takes over this one's duties.

    ``siblings``: the firm's other certificates of the kind, when the caller has read them.
    """
    if certification.issued_on is None:
        return False
    if siblings is not None:
        return any(
            other.pk != certification.pk
            and other.status in _LIVE_STATUSES
            and other.issued_on is not None
            and other.issued_on > certification.issued_on
            for other in siblings
        )
    return (
        Certification.objects.filter(
            firm_id=certification.firm_id,
            kind_id=certification.kind_id,
            status__in=_LIVE_STATUSES,
            issued_on__gt=certification.issued_on,
        )
        .exclude(pk=certification.pk)
        .exists()
    )


def _desired_deadlines(
    certification: Certification,
    obligations: list[Obligation],
    today: datetime.date,
    siblings: list[Certification] | None = None,
) -> dict[tuple[int, datetime.date], str]:
    """The deadlines a certificate should have open.

    - granted: every obligation of its kind;
    - expired (lapsed, not renewed): only what falls at expiry (re-apply, renew), so the lapse
      shows as overdue; its yearly reports no longer matter;
    - superseded by a newer certificate of the same kind, or any other status: none.
    """
    if certification.status not in _LIVE_STATUSES or _superseded(certification, siblings):
        return {}
    desired = {}
    for obligation in obligations:
        if certification.status == CertificationStatus.EXPIRED and obligation.schedule != "before_expiry":
            continue
        rule = ObligationRule(
            schedule=obligation.schedule,
            months_before_expiry=obligation.months_before_expiry,
            due_month=obligation.due_month,
            due_day=obligation.due_day,
        )
        windows = {w.year: w.due_on for w in obligation.windows.all()}
        for due in dues(
            rule,
            issued_on=certification.issued_on,
            expires_on=certification.expires_on,
            today=today,
            windows=windows,
            issued_precision=certification.issued_precision,
            expires_precision=certification.expires_precision,
        ):
            desired[(obligation.pk, due.on)] = due.precision
    return desired


@transaction.atomic
def certification_sync_deadlines(
    *, certification: Certification, today: datetime.date | None = None
) -> dict[str, int]:
    """Make the stored deadlines match the certificate's status, dates and kind's obligations.

    Open deadlines that no longer follow (a renewal moved the expiry, the status left
    "granted", a newer certificate of the kind took over) are closed, so no further reminders
    go out for them. Done ones are kept. The other certificates of the firm and kind whose
    deadlines this save may change are re-synced too (``_affected_by``), not all of them.
    """
    today = today or timezone.localdate()
    obligations = _active_obligations(certification.kind_id)
    others = _others(certification)
    counts = _sync_one(certification, today, obligations, siblings=others)
    family = [certification, *others]
    for other in _affected_by(certification, others):
        for key, value in _sync_one(other, today, obligations, siblings=family).items():
            counts[key] += value
    return counts


def _others(certification: Certification) -> list[Certification]:
    """The firm's other dated certificates of the same kind, oldest first (one query)."""
    return list(
        Certification.objects.filter(
            firm_id=certification.firm_id, kind_id=certification.kind_id, issued_on__isnull=False
        )
        .exclude(pk=certification.pk)
        .order_by("issued_on", "pk")
    )


def _affected_by(certification: Certification, others: list[Certification]) -> list[Certification]:
    """The other certificates of the firm and kind whose deadlines may change with this one.

    Only supersession ties them: a live certificate takes over from every older one. Let
    ``newest`` be the latest issue date of the others that are live. A certificate issued
    before ``newest`` is superseded whatever this one is, so its deadlines are all closed
    already and stay so; one that is not live has none whatever this one is. That leaves the
    live ones issued on or after ``newest`` (one, or a few on the same day), plus any other
    with an open deadline left (a row out of step, e.g. loaded raw, is brought in step too).
    A firm's n-th certificate of a kind thus re-syncs about one other, not n - 1.

    ``others``: :func:`_others`. No query when there are none (the firm's first certificate of
    the kind), else one for their open deadlines.
    """
    if not others:
        return []
    live_dates = [other.issued_on for other in others if other.status in _LIVE_STATUSES]
    newest = max(live_dates, default=None)
    with_open_deadline = set(
        Deadline.objects.filter(
            certification__in=[other.pk for other in others], status=DeadlineStatus.OPEN
        ).values_list("certification_id", flat=True)
    )
    return [
        other
        for other in others
        if (other.status in _LIVE_STATUSES and newest is not None and other.issued_on >= newest)
        or other.pk in with_open_deadline
    ]


def _active_obligations(kind_id: int) -> list[Obligation]:
    return list(Obligation.objects.filter(kind_id=kind_id, is_active=True).prefetch_related("windows"))


def _sync_one(
    certification: Certification,
    today: datetime.date,
    obligations: list[Obligation] | None = None,
    siblings: list[Certification] | None = None,
) -> dict[str, int]:
    if obligations is None:
        obligations = _active_obligations(certification.kind_id)
    desired = _desired_deadlines(certification, obligations, today, siblings)
    existing = {
        (d.obligation_id, d.due_on): d
        for d in Deadline.objects.select_for_update().filter(certification=certification)
    }
    counts = {"created": 0, "closed": 0, "reopened": 0}
    for key, deadline in existing.items():
        if key in desired and deadline.due_precision != desired[key]:
            deadline.due_precision = desired[key]
            deadline.save(update_fields=["due_precision", "updated_at"])
        if key not in desired and deadline.status == DeadlineStatus.OPEN:
            deadline.status = DeadlineStatus.CLOSED
            deadline.note = "superseded"
            deadline.save(update_fields=["status", "note", "updated_at"])
            counts["closed"] += 1
        elif key in desired and deadline.status == DeadlineStatus.CLOSED:
            deadline.status = DeadlineStatus.OPEN
            deadline.note = ""
            deadline.save(update_fields=["status", "note", "updated_at"])
            counts["reopened"] += 1
    new = [
        Deadline(
            certification=certification,
            firm_id=certification.firm_id,
            obligation_id=ob_id,
            due_on=due,
            due_precision=desired[ob_id, due],
        )
        for ob_id, due in sorted(desired.keys() - existing.keys(), key=lambda k: k[1])
    ]
    for deadline in new:
        deadline.save()
    counts["created"] = len(new)
    return counts


def certifications_expire_lapsed(*, today: datetime.date | None = None) -> int:
    """Mark granted certificates whose expiry has passed as expired; returns how many this call
    expired. An imprecise expiry ("2026") lapses once the latest day it can stand for has passed.

    Their yearly duties close and what falls at expiry stays open as overdue. Run daily, and
    at the start of each reminder pass; safe to run any number of times, and at the same time:
    each certificate is re-read under a row lock that a concurrent pass skips, still granted, so
    only one pass expires it and writes its history row.
    """
    today = today or timezone.localdate()
    count = 0
    candidates = certifications_lapsed(Certification.objects.all(), today=today)
    for pk in list(candidates.values_list("pk", flat=True)):
        with transaction.atomic():
            certification = candidates.select_for_update(skip_locked=True).filter(pk=pk).first()
            if certification is None:  # another pass holds it or has expired it
                continue
            certification.status = CertificationStatus.EXPIRED
            certification.save(update_fields=["status", "updated_at"])
        count += 1
    return count


@transaction.atomic
def certification_save(*, certification: Certification) -> Certification:
    """Validate and save a certification, then bring its deadlines in step."""
    certification_fill_expiry(certification=certification)
    certification.full_clean()
    certification.save()  # the post_save signal brings the deadlines in step
    return certification


@transaction.atomic
def certification_renew(
    *,
    certification: Certification,
    issued_on: datetime.date,
    expires_on: datetime.date | None = None,
    number: str = "",
) -> Certification:
    """Record a renewal as a new certificate; the old one expires and its open deadlines close."""
    certification.status = CertificationStatus.EXPIRED
    certification.save(update_fields=["status", "updated_at"])
    renewed = Certification(
        firm_id=certification.firm_id,
        kind_id=certification.kind_id,
        status=CertificationStatus.GRANTED,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        issuer=certification.issuer,
    )
    return certification_save(certification=renewed)


@transaction.atomic
def deadline_mark_done(
    *, deadline: Deadline, user: User | None = None, done_on: datetime.date | None = None
) -> Deadline:
    """The obligation was met: no further reminders for this deadline.

    A membership's yearly review (an anniversary, no expiry) then gets its next one at once.
    """
    deadline = (
        Deadline.objects.select_for_update().select_related("obligation", "certification").get(pk=deadline.pk)
    )
    if deadline.status != DeadlineStatus.DONE:
        deadline.status = DeadlineStatus.DONE
        deadline.done_on = done_on or timezone.localdate()
        deadline.done_by = user
        deadline.save(update_fields=["status", "done_on", "done_by", "updated_at"])
        certification = deadline.certification
        if (
            deadline.obligation.schedule == ObligationSchedule.ANNIVERSARY
            and certification.expires_on is None
        ):
            after = max(timezone.localdate(), deadline.due_on + datetime.timedelta(days=1))
            _sync_one(certification, after)
    return deadline


def kind_sync_deadlines_batch(
    *, kind_id: int, after_id: int = 0, batch_size: int, today: datetime.date | None = None
) -> tuple[int, int | None]:
    """After a kind's rules changed: re-sync the next ``batch_size`` certificates of the kind
    with an id above ``after_id``, each in its own transaction.

    Returns how many were synced and the last id when more may follow (None at the end).
    Safe to run twice: a certificate already in step is left as it is.
    """
    today = today or timezone.localdate()
    obligations = _active_obligations(kind_id)
    batch = list(Certification.objects.filter(kind_id=kind_id, pk__gt=after_id).order_by("pk")[:batch_size])
    for certification in batch:
        with transaction.atomic():
            _sync_one(certification, today, obligations)
    last = batch[-1].pk if len(batch) == batch_size else None
    return len(batch), last


def kind_queue_deadline_sync(*, kind_id: int) -> None:
    """Queue the re-sync of a kind's deadlines once the current transaction commits.

    Never inline: a kind may have a million certificates, and an admin save must return.
    """
    from portfolio.tasks import kind_sync_deadlines  # the tasks module imports this one

    transaction.on_commit(lambda: kind_sync_deadlines.delay(kind_id))
