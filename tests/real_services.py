"""Reaching the real services tests need; outside CI a missing one skips, in CI it fails.

Redis: the tests use the one REDIS_URL names (else TEST_REDIS_URL, else 127.0.0.1:6379/0), and
write there only under ``settings.TEST_REDIS_KEY_PREFIX`` (this run and xdist worker, see
config/settings/test.py); they never empty a database, only delete the keys under that prefix.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), 1):
            return True
    except OSError:
        return False


def require(available: bool, what: str) -> None:
    """Skip (locally) or fail (in CI) when a service a test needs is not reachable."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI must not skip tests for want of a service")
    pytest.skip(f"{what} is not reachable")


def require_postgres() -> str:
    require(port_open(POSTGRES_URL, 5432), f"PostgreSQL at {POSTGRES_URL}")
    return POSTGRES_URL


def require_redis() -> str:
    require(port_open(REDIS_URL, 6379), f"Redis at {REDIS_URL}")
    return REDIS_URL


def test_key_pattern() -> str:
    """The Redis keys this run and xdist worker may write and delete (cache entries, Celery queues)."""
    from django.conf import settings

    return f"{settings.TEST_REDIS_KEY_PREFIX}:*"


def delete_test_keys(client) -> int:
    """Delete this run's and worker's keys from a Redis client, and no other key; how many."""
    deleted = 0
    for key in client.scan_iter(match=test_key_pattern(), count=500):
        deleted += client.delete(key)
    return deleted


def clear_test_cache() -> None:
    """Empty the default cache of what the tests put there, never anybody else's keys.

    ``cache.clear()`` on the Redis cache is FLUSHDB: it would empty the whole database of a
    developer's (or a shared) Redis. The local-memory cache is private to the process.
    """
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    prefix = cache.key_prefix
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*", count=500):
        client.delete(key)


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
