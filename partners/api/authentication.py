"""``Authorization: Api-Key <prefix>.<secret>``: a partner organisation's key."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from partners.api.throttling import auth_failures_name, count, hit
from partners.models import ApiKey

KEYWORD = "Api-Key"


def touch_last_used(api_key: ApiKey, now: datetime.datetime) -> None:
    """Record use, at most once per resolution window, so reads do not all become writes."""
    resolution = datetime.timedelta(seconds=settings.API_KEY_LAST_USED_RESOLUTION_SECONDS)
    if api_key.last_used_at is None or now - api_key.last_used_at >= resolution:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
        remember_key(api_key)


def key_cache_name(prefix: str) -> str:
    return f"partners:apikey:{prefix}"


def remember_key(api_key: ApiKey) -> None:
    if settings.API_KEY_CACHE_SECONDS:
        cache.set(key_cache_name(api_key.prefix), api_key, settings.API_KEY_CACHE_SECONDS)


def key_by_prefix(prefix: str, now: datetime.datetime) -> ApiKey | None:
    """The usable key with this prefix, from the cache when it is there (one cache read instead
    of a query on every request).

    Saving or deleting a key, or saving its organisation, drops the cached copy
    (``partners.signals``), so a revocation or a partner losing its status takes effect on the
    next request; expiry and revocation are checked again here on every request anyway. Only
    keys found are cached: unknown keys go to the database, under the failed-auth limit.
    """
    api_key = cache.get(key_cache_name(prefix)) if settings.API_KEY_CACHE_SECONDS else None
    if api_key is None:
        api_key = ApiKey.objects.usable(now).select_related("organisation").filter(prefix=prefix).first()
        if api_key is None:
            return None
        remember_key(api_key)
    if api_key.state(now) != "active" or not api_key.organisation.is_partner:
        return None
    return api_key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates the organisation behind a key; ``request.auth`` is the ``ApiKey``.

    Every failure (unknown, malformed, revoked, expired, organisation no longer a partner)
    answers the same 401, so a caller learns nothing about which keys exist. Failures are
    counted per client address: past ``API_AUTH_FAILURES_PER_MINUTE`` in a minute, every key
    sent from that address answers 429 until the minute ends, without a database query.
    """

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        keyword, _sep, raw_key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            return None
        limit = settings.API_AUTH_FAILURES_PER_MINUTE
        if limit:
            failures, wait = count(auth_failures_name(request))
            if failures >= limit:
                raise exceptions.Throttled(wait, str(_("Too many failed authentications from your address.")))
        try:
            return self._authenticate_key(raw_key)
        except exceptions.AuthenticationFailed:
            if limit:
                hit(auth_failures_name(request))
            raise

    def _authenticate_key(self, raw_key: str) -> tuple[AnonymousUser, ApiKey]:
        raw_key = raw_key.strip()
        prefix, dot, secret = raw_key.partition(".")
        if not dot or not secret or len(prefix) != ApiKey.PREFIX_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        now = timezone.now()
        api_key = key_by_prefix(prefix, now)
        if api_key is None or not api_key.matches(raw_key):
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        touch_last_used(api_key, now)
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
