"""Partner API keys: issued (shown once) and revoked."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from partners.models import ApiKey


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
