"""The reminder pass: expire lapsed certificates, record the reminders that fell due, hand them over."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from portfolio.models import DeliveryStatus, ReminderDelivery
from portfolio.rules.deadlines import days_left
from portfolio.selectors.reminders import (
    open_deadlines_between,
    recipients_for_firms,
    recorded_reminders,
    reminder_days_by_kind,
)
from portfolio.services.certifications import certifications_expire_lapsed
from portfolio.services.reminders.outbox import outbound_hand_over, outbound_take_waiting
from portfolio.services.reminders.sending import SendOutcome, outbound_send


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
    # Rows offered to the database; those a concurrent pass recorded first are dropped by the
    # unique constraint, so this counts attempts, not new rows.
    attempted: int = 0
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


# The values of a delivery that differ from row to row, in the order the pass collects them.
_PER_ROW = (
    "deadline_id",
    "threshold",
    "days_left",
    "recipient_kind",
    "contact_id",
    "user_id",
    "firm_has_no_contact",
    "email",
    "language",
)


def _record_batch(due: list, *, today: datetime.date, dry_run: bool, result: PassResult) -> None:
    recorded = recorded_reminders(row.id for row, _, _ in due)
    # A deadline with a reminder of this threshold (or a more urgent one) already recorded, to
    # anyone, had its recipients looked up when that was recorded: it is settled until the next
    # threshold. A second pass of the day finds every deadline settled and skips the lookup.
    most_urgent: dict[int, int] = {}
    for (deadline_id, _), earlier in recorded.items():
        for t, _, _ in earlier:
            most_urgent[deadline_id] = min(t, most_urgent.get(deadline_id, t))
    settled = {row.id for row, threshold, _ in due if most_urgent.get(row.id, threshold + 1) <= threshold}
    due = [item for item in due if item[0].id not in settled]
    if not due:
        return
    recipients = recipients_for_firms(row.firm_id for row, _, _ in due)
    new: list[tuple] = []
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
                (
                    row.id,
                    threshold,
                    left,
                    person.kind,
                    person.contact_id,
                    person.user_id,
                    in_place_of_firm,
                    person.email,
                    person.language,
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
        _insert_ignoring_conflicts(new, for_date=today, next_attempt_at=timezone.now())
    result.attempted += len(new)


def _insert_ignoring_conflicts(rows: list[tuple], **shared) -> None:
    """Insert deliveries (``rows`` in ``_PER_ROW`` order, ``shared`` the values all have), leaving
    out those the unique constraint already holds.

    On PostgreSQL one ``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING`` with one array
    parameter per column, so neither model instances nor a statement with a parameter per value
    are built; elsewhere ``bulk_create(ignore_conflicts=True)``, which is the same statement row
    by row.
    """
    if connection.vendor != "postgresql":
        ReminderDelivery.objects.bulk_create(
            [ReminderDelivery(**shared, **dict(zip(_PER_ROW, row, strict=True))) for row in rows],
            ignore_conflicts=True,
        )
        return
    template = ReminderDelivery(**shared)  # the defaults and the shared values
    per_row = dict(zip(_PER_ROW, (list(column) for column in zip(*rows, strict=True)), strict=True))
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    unnest_columns, arrays, array_params = [], [], []
    for model_field in ReminderDelivery._meta.concrete_fields:
        if model_field.primary_key:
            continue
        column, cast = quote(model_field.column), model_field.db_type(connection)
        columns.append(column)
        if model_field.attname in per_row:  # ints, strings, booleans and None: stored as they are
            values.append(f"u.{column}")
            unnest_columns.append(column)
            arrays.append(f"%s::{cast}[]")
            array_params.append(per_row[model_field.attname])
        else:
            values.append(f"%s::{cast}")
            params.append(model_field.get_db_prep_save(model_field.pre_save(template, add=True), connection))
    sql = (
        f"INSERT INTO {quote(ReminderDelivery._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names from the model
        f"SELECT {', '.join(values)} FROM unnest({', '.join(arrays)}) AS u({', '.join(unnest_columns)}) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params + array_params)


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
