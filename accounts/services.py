"""Writes on accounts: partner API keys, and the upkeep of the API's idempotency records."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, IdempotencyRecord, Organisation, User


@transaction.atomic
def api_key_create(
    *,
    organisation: Organisation,
    name: str,
    created_by: User | None = None,
    expires_at: datetime.datetime | None = None,
    rate_per_minute: int | None = None,
) -> tuple[ApiKey, str]:
    """A new key for a partner; returns it with the raw key, which is never stored or shown again."""
    if not organisation.is_partner:
        raise ValidationError({"organisation": _("Only API partners can have API keys.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    raw, prefix, digest = ApiKey.generate()
    key = ApiKey(
        organisation=organisation,
        name=name,
        prefix=prefix,
        hashed_key=digest,
        created_by=created_by,
        expires_at=expires_at,
        rate_per_minute=rate_per_minute,
    )
    key.full_clean()
    key.save()
    return key, raw


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke now; the next request with the key answers 401. Revoking twice keeps the first time."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def end_of_day(day: datetime.date) -> datetime.datetime:
    """An expiry given as a date means 'valid through that day' in the local time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


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
