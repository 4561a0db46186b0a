"""Upkeep of the partner API's idempotency records."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from partners.models import IdempotencyRecord


def idempotency_records_purge(*, now: datetime.datetime | None = None, batch_size: int = 5000) -> int:
    """Delete the idempotency records older than API_IDEMPOTENCY_TTL_HOURS; safe to run twice.

    A retry after that long is taken as a new request (partners are told so in the README).
    Deleted in batches, so a large backlog never holds one long lock.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    deleted = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]
