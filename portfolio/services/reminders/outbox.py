"""The outbox: which emails wait to be sent, handing them to the workers, re-sending failed ones."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from portfolio.models import DeliveryStatus
from portfolio.services.reminders.registry import Outbound, outbound_kind


def waiting(now: datetime.datetime, *, requeue: bool) -> Q:
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
            .filter(waiting(now, requeue=requeue))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)
        )
        _stamp_enqueued(model, ids, now)
    return ids


def _stamp_enqueued(model: Outbound, ids: list[int], now: datetime.datetime) -> None:
    """Mark ``ids`` as handed over: on PostgreSQL one UPDATE with the ids as one array parameter
    (``= ANY(%s)``, one plan whatever their number); elsewhere in lists of 5,000."""
    if not ids:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(model._meta.get_field("enqueued_at").column)
        pk = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            sql = f"UPDATE {table} SET {column} = %s WHERE {pk} = ANY(%s)"  # noqa: S608 - names from the model
            cursor.execute(sql, [now, ids])
        return
    for start in range(0, len(ids), 5000):
        model.objects.filter(pk__in=ids[start : start + 5000]).update(enqueued_at=now)


def outbound_hand_over(model: Outbound, ids: list[int] | None = None) -> list[int]:
    """Queue the waiting emails (or ``ids``) in tasks of REMINDER_SEND_BATCH_SIZE, on commit."""
    ids = outbound_take_waiting(model) if ids is None else ids
    task = outbound_kind(model).send_task()
    size = settings.REMINDER_SEND_BATCH_SIZE
    chunks = [ids[start : start + size] for start in range(0, len(ids), size)]
    if chunks:
        transaction.on_commit(lambda: _publish(task, chunks))
    return ids


def _publish(task, chunks: list[list[int]]) -> None:
    """One task per chunk, all sent through one producer (one broker connection), not one each."""
    with task.app.producer_or_acquire() as producer:
        for chunk in chunks:
            task.apply_async((chunk,), producer=producer)


def outbound_resend(model: Outbound, ids: Iterable[int]) -> int:
    """Staff re-send failed emails: back to pending with a fresh count of attempts."""
    now = timezone.now()
    with transaction.atomic():
        qs = model.objects.select_for_update().filter(pk__in=list(ids), status=DeliveryStatus.FAILED)
        qs = outbound_kind(model).resendable(qs)
        chosen = list(qs.values_list("id", flat=True))
        model.objects.filter(pk__in=chosen).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, enqueued_at=now, updated_at=now
        )
        outbound_hand_over(model, chosen)
    return len(chosen)
