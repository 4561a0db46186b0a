"""Rate limits counted in the cache (Redis in production, shared by all workers).

Each limit is a fixed one-minute window: the window's counter is incremented atomically and
compared with the limit, so a burst sent at once from many workers lets exactly the limit
through. On Redis that is one round trip (INCR and EXPIRE in one MULTI/EXEC); on another
cache ``add`` then ``incr``, which the local-memory cache makes atomic within its process.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from partners.models import ApiKey

WINDOW_SECONDS = 60
# A window's counter outlives the window by this much, so it never vanishes while in use.
GRACE_SECONDS = 5


def _now() -> float:
    return time.time()


def _window(name: str, seconds: int = WINDOW_SECONDS) -> tuple[str, int]:
    """The cache key of the current window of ``name``, and whole seconds until it ends."""
    now = _now()
    index = int(now // seconds)
    wait = max(1, math.ceil((index + 1) * seconds - now))
    return f"{name}:{index}", wait


def hit(name: str, seconds: int = WINDOW_SECONDS) -> tuple[int, int]:
    """Count one event in the current fixed window of ``seconds``: (the count including it,
    seconds until the window ends). Atomic across workers: INCR and EXPIRE in one MULTI/EXEC on
    Redis; ``add`` then ``incr`` on another cache (atomic within a process for local memory).
    The founder's figures page counts its limits here too (figures/ratelimit.py)."""
    key, wait = _window(name, seconds)
    timeout = wait + GRACE_SECONDS
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        redis_key = cache.make_and_validate_key(key)
        pipeline = cache._cache.get_client(redis_key, write=True).pipeline(transaction=True)
        pipeline.incr(redis_key)
        pipeline.expire(redis_key, timeout)
        count, _expiry_set = pipeline.execute()
        return int(count), wait
    if cache.add(key, 1, timeout):
        return 1, wait
    try:
        return cache.incr(key), wait
    except ValueError:  # evicted between the two calls: this request starts the count again
        cache.add(key, 1, timeout)
        return 1, wait


def count(name: str, seconds: int = WINDOW_SECONDS) -> tuple[int, int]:
    """Events counted so far in the current window, and seconds until it ends."""
    key, wait = _window(name, seconds)
    return int(caches["default"].get(key) or 0), wait


class PerKeyThrottle(BaseThrottle):
    """A one-minute window per API key (its own rate, or the default), or per staff user."""

    scope = "api"
    cache_format = "throttle_%(scope)s_%(ident)s"

    def allow_request(self, request: Request, view: APIView) -> bool:
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        if api_key is not None:
            limit = api_key.rate_per_minute or settings.API_KEY_RATE_PER_MINUTE
        else:
            limit = settings.API_STAFF_RATE_PER_MINUTE
        name = self.get_cache_key(request, view)
        if name is None:
            return True
        requests, self._wait = hit(name)
        return requests <= limit

    def wait(self) -> int:
        return self._wait

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if isinstance(request.auth, ApiKey):
            ident = f"key{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


def auth_failures_name(request: Request) -> str:
    return f"throttle_auth_failures_{request.META.get('REMOTE_ADDR', '')}"
