"""Celery tasks of the portfolio. Each takes ids (or nothing) and is safe to run twice.

Late acknowledgement and requeue on worker loss are on for every task (settings/base.py); a
task that runs twice finds its rows already claimed or sent and skips them.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from portfolio.models import DigestDelivery, ReminderDelivery
from portfolio.services import reminders
from portfolio.services.certifications import kind_sync_deadlines_batch


@shared_task(name="portfolio.tasks.reminder_pass")
def reminder_pass() -> dict[str, int]:
    """Beat, hourly: expire lapsed certificates, record the reminders that fell due and hand them
    to the workers."""
    result = reminders.reminder_pass(enqueue=True)
    return {
        "expired": result.expired,
        "scanned": result.scanned,
        "attempted": result.attempted,
        "handed_over": len(result.handed_over),
    }


@shared_task(name="portfolio.tasks.deliver_reminders")
def deliver_reminders(delivery_ids: list[int]) -> dict[str, int]:
    outcomes = reminders.outbound_send(ReminderDelivery, delivery_ids)
    return _count(outcomes)


@shared_task(name="portfolio.tasks.digest_pass")
def digest_pass() -> dict[str, int]:
    """Beat, weekly: one digest per staff member with deadlines or failed reminders to read."""
    planned, handed_over = reminders.digest_pass(enqueue=True)
    return {"planned": len(planned), "handed_over": len(handed_over)}


@shared_task(name="portfolio.tasks.deliver_digests")
def deliver_digests(digest_ids: list[int]) -> dict[str, int]:
    return _count(reminders.outbound_send(DigestDelivery, digest_ids))


@shared_task(name="portfolio.tasks.kind_sync_deadlines")
def kind_sync_deadlines(kind_id: int, after_id: int = 0) -> dict[str, int]:
    """After a kind or one of its obligations changed: bring its certificates' deadlines in step,
    one batch per task; the task queues the next batch itself, so none runs for long."""
    synced, last = kind_sync_deadlines_batch(
        kind_id=kind_id, after_id=after_id, batch_size=settings.CERTIFICATION_SYNC_BATCH_SIZE
    )
    if last is not None:
        kind_sync_deadlines.delay(kind_id, last)
    return {"synced": synced, "more": int(last is not None)}


def _count(outcomes: list[reminders.SendOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
