"""Per-key rate limits, counted in the cache (Redis in production, shared by all workers)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from partners.models import ApiKey


class PerKeyThrottle(SimpleRateThrottle):
    """A sliding one-minute window per API key (its own rate, or the default), or per staff user."""

    scope = "api"
    cache_format = "throttle_%(scope)s_%(ident)s"

    def __init__(self) -> None:
        # The rate depends on the request (the key's own rate), so it is parsed in allow_request.
        pass

    def allow_request(self, request: Request, view: APIView) -> bool:
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        if api_key is not None:
            per_minute = api_key.rate_per_minute or settings.API_KEY_RATE_PER_MINUTE
        else:
            per_minute = settings.API_STAFF_RATE_PER_MINUTE
        self.rate = f"{per_minute}/m"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiKey):
            ident = f"key{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
