"""Rate limits of the founder's page, counted in the cache (Redis in production, shared by every
worker): per client address, per link, and refused links per address.

Each limit is a fixed window of ``FIGURES_RATE_WINDOW_SECONDS``: its counter is incremented
atomically (INCR and EXPIRE in one MULTI/EXEC on Redis; ``add`` then ``incr`` on another cache,
which the local-memory cache makes atomic within its process) and compared with the limit.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

# A window's counter outlives the window by this much, so it never vanishes while in use.
GRACE_SECONDS = 5
KEY_PREFIX = "figures_rate"


def _window(name: str, seconds: int) -> tuple[str, int]:
    now = time.time()
    index = int(now // seconds)
    wait = max(1, math.ceil((index + 1) * seconds - now))
    return f"{KEY_PREFIX}:{name}:{seconds}:{index}", wait


def hit(name: str) -> tuple[int, int]:
    """Count one event of ``name``: (the count in the window including it, seconds left)."""
    key, wait = _window(name, settings.FIGURES_RATE_WINDOW_SECONDS)
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
    except ValueError:  # evicted between the two calls: this one starts the count again
        cache.add(key, 1, timeout)
        return 1, wait


def count(name: str) -> tuple[int, int]:
    key, wait = _window(name, settings.FIGURES_RATE_WINDOW_SECONDS)
    return int(caches["default"].get(key) or 0), wait


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR: behind a reverse proxy it must be the client's (as for the partner API)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def address_blocked(request: HttpRequest) -> int:
    """Seconds to wait when the address is over a limit (counting this request), else 0."""
    address = client_address(request)
    failures, wait = count(f"failed:{address}")
    if failures >= settings.FIGURES_FAILED_LINKS_PER_ADDRESS:
        return wait
    requests, wait = hit(f"address:{address}")
    return wait if requests > settings.FIGURES_RATE_PER_ADDRESS else 0


def link_failed(request: HttpRequest) -> None:
    hit(f"failed:{client_address(request)}")


def link_blocked(token: str) -> int:
    """Seconds to wait when the link is over its limit (counting this request), else 0."""
    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    requests, wait = hit(f"link:{digest}")
    return wait if requests > settings.FIGURES_RATE_PER_LINK else 0
