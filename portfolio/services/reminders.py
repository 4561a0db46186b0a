"""Reminders before certification deadlines: record each one once, send it once.

The pass (hourly, from Celery beat) records one ReminderDelivery per deadline, threshold and
address (a unique constraint makes a second pass a no-op), then hands the waiting ones to the
workers on commit. A worker claims each row under a row lock and a lease before it talks to
SMTP and records the outcome right after, so a message is sent twice only if the worker dies
between the SMTP server's "250" and that one UPDATE (README, "Reminders").
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portfolio.choices import DeadlineStatus
from portfolio.models import Deadline, DeliveryStatus, DigestDelivery, ReminderDelivery
from portfolio.selectors.reminders import (
    digest_content,
    digest_recipients,
    digests_for_sending,
    open_deadlines_between,
    recipients_for_firms,
    recorded_reminders,
    reminder_days_by_kind,
    reminder_deliveries_for_sending,
)
from portfolio.services.certifications import certifications_expire_lapsed

logger = logging.getLogger(__name__)

Outbound = type[ReminderDelivery] | type[DigestDelivery]


# --- Threshold arithmetic (pure) ---


def days_left(due_on: datetime.date, today: datetime.date) -> int:
    """Whole calendar days from ``today`` to ``due_on``; 0 on the day itself, negative once past."""
    return (due_on - today).days


def due_threshold(reminder_days: Iterable[int], left: int) -> int | None:
    """The most urgent reminder threshold that ``left`` days have crossed, or None.

    A threshold t is crossed once ``left <= t``; of the crossed ones the most urgent is the
    smallest, i.e. min{t : t >= left}. With [90, 30, 7, 1]: 91 days left -> None, 90 -> 90,
    31 -> 90, 30 -> 30, 8 -> 30, 7 -> 7, 1 -> 1, 0 (due today) -> 1, past (< 0) -> None: an overdue
    deadline is shown in the digest and the admin, never mailed.
    """
    if left < 0:
        return None
    crossed = [t for t in reminder_days if t >= left]
    return min(crossed) if crossed else None


# --- The pass ---


@dataclass(frozen=True)
class Planned:
    deadline_id: int
    email: str
    threshold: int
    days_left: int
    recipient_kind: str


@dataclass
class PassResult:
    today: datetime.date
    expired: int = 0  # lapsed certificates marked expired at the start of the pass
    scanned: int = 0
    planned: list[Planned] = field(default_factory=list)
    recorded: int = 0
    superseded: int = 0
    unreachable: list[int] = field(default_factory=list)
    handed_over: list[int] = field(default_factory=list)
    outcomes: list[SendOutcome] = field(default_factory=list)


def reminders_record(
    *,
    today: datetime.date,
    dry_run: bool = False,
    progress: Callable[[PassResult], None] | None = None,
) -> PassResult:
    """Record the reminders due on ``today``: the most urgent crossed threshold of each open
    deadline, for each recipient, unless that or a more urgent one is recorded already.

    Catch-up falls out of the rule: after days without a pass only the current threshold is
    recorded, and a pending reminder of an older threshold is cancelled as superseded.
    """
    result = PassResult(today=today)
    days_by_kind = reminder_days_by_kind(list(settings.REMINDER_DEFAULT_DAYS))
    horizon = max((max(days) for days in days_by_kind.values() if days), default=0)
    batches = open_deadlines_between(
        first=today, last=today + datetime.timedelta(days=horizon), batch_size=settings.REMINDER_BATCH_SIZE
    )
    for batch in batches:
        result.scanned += len(batch)
        due = []
        for row in batch:
            left = days_left(row.due_on, today)
            threshold = due_threshold(days_by_kind.get(row.kind_id, ()), left)
            if threshold is not None:
                due.append((row, threshold, left))
        if due:
            _record_batch(due, today=today, dry_run=dry_run, result=result)
        if progress:
            progress(result)
    return result


def _record_batch(due: list, *, today: datetime.date, dry_run: bool, result: PassResult) -> None:
    recorded = recorded_reminders(row.id for row, _, _ in due)
    recipients = recipients_for_firms(row.firm_id for row, _, _ in due)
    now = timezone.now()
    new: list[ReminderDelivery] = []
    superseded: list[int] = []
    for row, threshold, left in due:
        people = recipients[row.firm_id]
        targets = [(p, False) for p in people.contacts]
        seen = {p.email for p in people.contacts}
        targets += [(p, not people.contacts) for p in people.staff if p.email not in seen]
        if not targets:
            result.unreachable.append(row.id)
            continue
        for person, in_place_of_firm in targets:
            earlier = recorded.get((row.id, person.email), [])
            if any(t <= threshold for t, _, _ in earlier):
                continue
            superseded += [pk for t, pk, status in earlier if status == DeliveryStatus.PENDING]
            result.planned.append(Planned(row.id, person.email, threshold, left, person.kind))
            new.append(
                ReminderDelivery(
                    deadline_id=row.id,
                    threshold=threshold,
                    days_left=left,
                    for_date=today,
                    recipient_kind=person.kind,
                    contact_id=person.contact_id,
                    user_id=person.user_id,
                    firm_has_no_contact=in_place_of_firm,
                    email=person.email,
                    language=person.language,
                    next_attempt_at=now,
                )
            )
    if dry_run or not new:
        return
    with transaction.atomic():
        if superseded:
            result.superseded += ReminderDelivery.objects.filter(
                pk__in=superseded, status=DeliveryStatus.PENDING
            ).update(status=DeliveryStatus.CANCELLED, last_error="superseded by a more urgent reminder")
        # A concurrent pass may have recorded the same rows: the constraint keeps one.
        ReminderDelivery.objects.bulk_create(new, ignore_conflicts=True)
    result.recorded += len(new)


def reminder_pass(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    enqueue: bool = True,
    progress: Callable[[PassResult], None] | None = None,
) -> PassResult:
    """Expire lapsed certificates, record what fell due, then hand every waiting reminder to the
    workers (or send it here).

    A certificate whose expiry date has passed becomes expired first, so its yearly duties close
    before the pass reads the open deadlines (what falls at expiry stays open, and overdue).
    A dry run does the same and rolls all of it back: it shows what a real pass would record.
    """
    today = today or timezone.localdate()
    if dry_run:
        with transaction.atomic():
            expired = certifications_expire_lapsed(today=today)
            result = reminders_record(today=today, dry_run=True, progress=progress)
            transaction.set_rollback(True)
        result.expired = expired
        return result
    expired = certifications_expire_lapsed(today=today)
    result = reminders_record(today=today, progress=progress)
    result.expired = expired
    if enqueue:
        result.handed_over = outbound_hand_over(ReminderDelivery)
    else:
        result.outcomes = outbound_send(ReminderDelivery, outbound_take_waiting(ReminderDelivery))
    return result


# --- Handing over to the workers ---


def _waiting(now: datetime.datetime, *, requeue: bool) -> Q:
    lease_start = now - datetime.timedelta(seconds=settings.REMINDER_SENDING_LEASE_SECONDS)
    pending = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    if requeue:
        stale = now - datetime.timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
        pending &= Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stale)
    return pending | Q(status=DeliveryStatus.SENDING, claimed_at__lt=lease_start)


def outbound_take_waiting(model: Outbound, *, requeue: bool = True) -> list[int]:
    """Ids of the emails to send now, marked as handed over (two passes split them, skip_locked).

    Waiting: pending and due, not handed over recently (a lost task is handed over again after
    REMINDER_REQUEUE_AFTER_SECONDS); or claimed by a sender whose lease ran out (it died).
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(_waiting(now, requeue=requeue))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)
        )
        for start in range(0, len(ids), 5000):
            model.objects.filter(pk__in=ids[start : start + 5000]).update(enqueued_at=now)
    return ids


def outbound_hand_over(model: Outbound, ids: list[int] | None = None) -> list[int]:
    """Queue the waiting emails (or ``ids``) in tasks of REMINDER_SEND_BATCH_SIZE, on commit."""
    from portfolio.tasks import deliver_digests, deliver_reminders

    ids = outbound_take_waiting(model) if ids is None else ids
    task = deliver_reminders if model is ReminderDelivery else deliver_digests
    size = settings.REMINDER_SEND_BATCH_SIZE
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        transaction.on_commit(lambda chunk=chunk: task.delay(chunk))
    return ids


def outbound_resend(model: Outbound, ids: Iterable[int]) -> int:
    """Staff re-send failed emails: back to pending with a fresh count of attempts."""
    now = timezone.now()
    with transaction.atomic():
        qs = model.objects.select_for_update().filter(pk__in=list(ids), status=DeliveryStatus.FAILED)
        if model is ReminderDelivery:
            qs = qs.filter(deadline__status=DeadlineStatus.OPEN)
        chosen = list(qs.values_list("id", flat=True))
        model.objects.filter(pk__in=chosen).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, enqueued_at=now, updated_at=now
        )
        outbound_hand_over(model, chosen)
    return len(chosen)


# --- Sending ---


@dataclass(frozen=True)
class SendOutcome:
    id: int
    email: str
    status: str
    subject: str = ""
    error: str = ""


class TransientError(Exception):
    pass


def classify_error(exc: BaseException) -> tuple[bool, str]:
    """(transient, reason): 4xx, refused connections and timeouts are retried; 5xx are final."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {msg!r}" for rcpt, (code, msg) in exc.recipients.items())
        return all(400 <= c < 500 for c in codes), f"recipient refused: {detail}"
    if isinstance(exc, smtplib.SMTPResponseException):
        message = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return not 500 <= exc.smtp_code < 600, f"SMTP {exc.smtp_code} {message}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError | socket.timeout):
        return True, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TransientError | OSError):
        return True, f"{type(exc).__name__}: {exc}"
    # Invalid addresses (ValueError from address parsing) and anything else cannot heal by waiting.
    return False, f"{type(exc).__name__}: {exc}"


def retry_delay(attempts: int) -> int:
    """Seconds before attempt ``attempts + 1``: base * 2^(attempts - 1), capped."""
    base = settings.REMINDER_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.REMINDER_RETRY_CAP_SECONDS))


def _claim(model: Outbound, ids: list[int]) -> tuple[list, list[SendOutcome]]:
    """Take the given emails for sending in one short transaction; say why for the others.

    Claimed rows are ``sending`` with attempts + 1 and the claim time. Rows that are not
    waiting, or are locked by another sender right now, are skipped.
    """
    now = timezone.now()
    refused: list[SendOutcome] = []
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids)
            .filter(_waiting(now, requeue=False))
            .order_by("pk")
        )
        deadlines = {}
        if model is ReminderDelivery:
            deadlines = {
                pk: (status, due_on)
                for pk, status, due_on in Deadline.objects.filter(
                    pk__in={r.deadline_id for r in rows}
                ).values_list("pk", "status", "due_on")
            }
        claimed = []
        for row in rows:
            status, reason = _refusal(model, row, deadlines)
            if status:
                row.status, row.last_error = status, reason
                row.save(update_fields=["status", "last_error", "updated_at"])
                refused.append(SendOutcome(row.pk, row.email, status, error=reason))
            else:
                claimed.append(row)
        model.objects.filter(pk__in=[r.pk for r in claimed]).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
        )
        for row in claimed:
            row.status, row.attempts, row.claimed_at = DeliveryStatus.SENDING, row.attempts + 1, now
    taken = {r.pk for r in rows}
    refused += [SendOutcome(pk, "", "skipped") for pk in ids if pk not in taken]
    return claimed, refused


def _refusal(model: Outbound, row, deadlines: dict) -> tuple[str, str]:
    if row.status == DeliveryStatus.SENDING and row.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        # Its senders keep dying while sending it: stop, and let staff look at it.
        return DeliveryStatus.FAILED, f"the sender died during each of {row.attempts} attempts"
    if model is ReminderDelivery:
        status, due_on = deadlines.get(row.deadline_id, (None, None))
        if status != DeadlineStatus.OPEN:
            return DeliveryStatus.CANCELLED, "deadline no longer open (done or superseded)"
        if due_on < send_day(row):
            return DeliveryStatus.CANCELLED, "deadline passed before the reminder could be sent"
    return "", ""


def _finish(model: Outbound, row: models.Model, **fields: object) -> bool:
    """Record the outcome, fenced by our claim: False if another sender took the row over."""
    updated = model.objects.filter(
        pk=row.pk, status=DeliveryStatus.SENDING, claimed_at=row.claimed_at
    ).update(updated_at=timezone.now(), **fields)
    if not updated:
        logger.warning(
            "%s %s was taken over by another sender after its lease ran out", model.__name__, row.pk
        )
    return bool(updated)


def outbound_send(model: Outbound, ids: Iterable[int], *, connection=None) -> list[SendOutcome]:
    """Send the given emails (tasks call this with up to REMINDER_SEND_BATCH_SIZE ids).

    Claimed together in one transaction, then each is sent and its outcome recorded in its
    own transaction right after the SMTP server answers. Safe to run twice or concurrently.
    """
    from celery import current_app

    claimed, outcomes = _claim(model, list(ids))
    if not claimed:
        return outcomes
    loaded = load_for_sending(model, [row.pk for row in claimed])
    connection = connection or get_connection(fail_silently=False)
    opened = False
    try:
        for row in claimed:
            try:
                message = build_message(model, loaded[row.pk], connection=connection)
            except Exception as exc:
                logger.exception("could not build %s %s", model.__name__, row.pk)
                _finish(
                    model, row, status=DeliveryStatus.FAILED, last_error=f"could not build the email: {exc}"
                )
                outcomes.append(SendOutcome(row.pk, row.email, DeliveryStatus.FAILED, error=str(exc)))
                continue
            try:
                if not opened:
                    connection.open()
                    opened = True
                if connection.send_messages([message]) != 1:
                    raise TransientError("the mail backend did not send the message")
            except Exception as exc:
                transient, reason = classify_error(exc)
                connection.close()
                opened = False
                outcomes.append(_record_failure(model, row, transient, reason, message.subject, current_app))
                continue
            _finish(
                model,
                row,
                status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
                message_id=message_id(model, row.pk),
            )
            outcomes.append(SendOutcome(row.pk, row.email, DeliveryStatus.SENT, subject=message.subject))
    finally:
        if opened:
            connection.close()
    return outcomes


def _record_failure(model: Outbound, row, transient: bool, reason: str, subject: str, app) -> SendOutcome:
    if transient and row.attempts < settings.REMINDER_MAX_ATTEMPTS:
        delay = retry_delay(row.attempts)
        now = timezone.now()
        _finish(
            model,
            row,
            status=DeliveryStatus.PENDING,
            last_error=reason[:2000],
            next_attempt_at=now + datetime.timedelta(seconds=delay),
            enqueued_at=now,
        )
        # With a broker, a task comes back after the delay (a short countdown, never a far-future
        # ETA); in-process (no broker) the next pass picks the row up once it is due.
        if not app.conf.task_always_eager:
            from portfolio.tasks import deliver_digests, deliver_reminders

            task = deliver_reminders if model is ReminderDelivery else deliver_digests
            task.apply_async(([row.pk],), countdown=delay)
        return SendOutcome(row.pk, row.email, DeliveryStatus.PENDING, subject=subject, error=reason)
    if transient:
        reason = f"gave up after {row.attempts} attempts: {reason}"
    _finish(model, row, status=DeliveryStatus.FAILED, last_error=reason[:2000])
    return SendOutcome(row.pk, row.email, DeliveryStatus.FAILED, subject=subject, error=reason)


# --- The emails ---


def send_day(delivery: ReminderDelivery) -> datetime.date:
    """The pass's day moved on by the days since it recorded the delivery (a retry may be late).

    Counting from the pass's day, not the calendar, keeps ``send_reminders --today`` coherent.
    """
    return delivery.for_date + (timezone.localdate() - timezone.localdate(delivery.created_at))


def message_id(model: Outbound, pk: int) -> str:
    """Stable across attempts, so a duplicate is recognisable as the same delivery."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    prefix = "reminder" if model is ReminderDelivery else "digest"
    return f"<{prefix}-{pk}@{domain}>"


def firm_admin_url(firm_id: int) -> str:
    """The firm's admin page as a link in an email: the site's address and the admin's own URL."""
    return settings.SITE_URL + reverse("admin:portfolio_firm_change", args=[firm_id])


def failed_reminders_admin_url() -> str:
    changelist = reverse("admin:portfolio_reminderdelivery_changelist")
    return f"{settings.SITE_URL}{changelist}?status__exact=failed"


def _localized(obj, field_name: str, language: str) -> str:
    chinese = getattr(obj, field_name)
    return chinese if language != "en" else (getattr(obj, f"{field_name}_en", "") or chinese)


def load_for_sending(model: Outbound, ids: list[int]) -> dict[int, models.Model]:
    """The emails with everything they show, in one query."""
    if model is ReminderDelivery:
        return reminder_deliveries_for_sending(ids)
    return digests_for_sending(ids)


def build_message(model: Outbound, delivery, *, connection=None) -> EmailMultiAlternatives:
    if model is ReminderDelivery:
        template, context = "reminder", reminder_context(delivery)
    else:
        template, context = "digest", digest_context(delivery)
    with translation.override(delivery.language):
        subject = " ".join(render_to_string(f"portfolio/email/{template}_subject.txt", context).split())
        text = render_to_string(f"portfolio/email/{template}.txt", context)
        html = render_to_string(f"portfolio/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[delivery.email],
        connection=connection,
        headers={"Message-ID": message_id(model, delivery.pk), "Content-Language": delivery.language},
    )
    message.attach_alternative(html, "text/html")
    return message


def reminder_context(delivery: ReminderDelivery) -> dict:
    deadline = delivery.deadline
    language = delivery.language
    today = send_day(delivery)
    return {
        "delivery": delivery,
        "firm_name": _localized(deadline.firm, "name", language),
        "certification": _localized(deadline.certification.kind, "name", language),
        "certificate_number": deadline.certification.number,
        "obligation": _localized(deadline.obligation, "name", language),
        "instructions": _localized(deadline.obligation, "instructions", language),
        "due_on": deadline.due_on,
        "days_left": days_left(deadline.due_on, today),
        "threshold": delivery.threshold,
        "to_staff": delivery.recipient_kind == "staff",
        "firm_has_no_contact": delivery.firm_has_no_contact,
        "firm_url": firm_admin_url(deadline.firm_id),
    }


def digest_context(digest: DigestDelivery) -> dict:
    today = timezone.localdate()
    content = digest_content(user_id=digest.user_id, today=today, weeks=settings.REMINDER_DIGEST_WEEKS)
    language = digest.language

    def row(deadline: Deadline) -> dict:
        return {
            "firm_name": _localized(deadline.firm, "name", language),
            "certification": _localized(deadline.certification.kind, "name", language),
            "obligation": _localized(deadline.obligation, "name", language),
            "due_on": deadline.due_on,
            "days_left": days_left(deadline.due_on, today),
            "days_overdue": -days_left(deadline.due_on, today),
            "firm_url": firm_admin_url(deadline.firm_id),
        }

    return {
        "user": digest.user,
        "language": language,
        "week_of": digest.week_of,
        "weeks": settings.REMINDER_DIGEST_WEEKS,
        "overdue": [row(d) for d in content.overdue],
        "upcoming": [row(d) for d in content.upcoming],
        "failed": [
            {
                "firm_name": _localized(f.deadline.firm, "name", language),
                "obligation": _localized(f.deadline.obligation, "name", language),
                "email": f.email,
                "error": f.last_error,
                "attempts": f.attempts,
                "firm_url": firm_admin_url(f.deadline.firm_id),
            }
            for f in content.failed
        ],
        "admin_url": failed_reminders_admin_url(),
    }


# --- The weekly digest ---


def digest_pass(
    *, today: datetime.date | None = None, dry_run: bool = False, enqueue: bool = True
) -> tuple[list[DigestDelivery], list[int] | list[SendOutcome]]:
    """One digest per staff member and week (unique), for those with something to read."""
    today = today or timezone.localdate()
    week_of = today - datetime.timedelta(days=today.weekday())
    now = timezone.now()
    planned: dict[int, DigestDelivery] = {}
    for membership in digest_recipients():
        user = membership.user
        if user.pk in planned:
            continue
        content = digest_content(user_id=user.pk, today=today, weeks=settings.REMINDER_DIGEST_WEEKS)
        if content.is_empty:
            continue
        planned[user.pk] = DigestDelivery(
            user=user,
            week_of=week_of,
            email=user.email.strip().lower(),
            language=user.preferred_language,
            next_attempt_at=now,
        )
    if dry_run:
        return list(planned.values()), []
    DigestDelivery.objects.bulk_create(planned.values(), ignore_conflicts=True)
    if enqueue:
        return list(planned.values()), outbound_hand_over(DigestDelivery)
    return list(planned.values()), outbound_send(DigestDelivery, outbound_take_waiting(DigestDelivery))
