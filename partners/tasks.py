"""Celery tasks of the partners app: upkeep of the partner API's stored state. Safe to run twice."""

from celery import shared_task

from partners.services.idempotency import idempotency_records_purge


@shared_task(name="partners.tasks.purge_idempotency_records")
def purge_idempotency_records() -> dict[str, int]:
    """Beat, daily: forget idempotency keys past their time to live."""
    return {"deleted": idempotency_records_purge()}
