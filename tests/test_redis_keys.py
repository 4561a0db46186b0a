"""The suite touches only its own keys in the Redis it is given, never a whole database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.real_services import clear_test_cache, delete_test_keys, require_redis

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def redis_cache(settings):
    """The default cache on the real Redis, as CI configures it (REDIS_URL set)."""
    url = require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": settings.TEST_REDIS_KEY_PREFIX,
        }
    }
    return caches["default"]._cache.get_client(write=True)


def test_clearing_the_cache_keeps_everybody_elses_keys(redis_cache):
    foreign = f"not-the-tests-{uuid.uuid4().hex}"
    redis_cache.set(foreign, "precious", ex=60)
    try:
        caches["default"].set("ours", 1)
        clear_test_cache()
        assert caches["default"].get("ours") is None
        assert redis_cache.get(foreign) == b"precious"
        redis_cache.set(f"{settings.TEST_REDIS_KEY_PREFIX}:celery", "queued", ex=60)
        assert delete_test_keys(redis_cache) == 1
        assert redis_cache.get(foreign) == b"precious"
    finally:
        redis_cache.delete(foreign)


def test_the_prefix_is_this_runs_and_this_workers():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    assert settings.TEST_REDIS_KEY_PREFIX.startswith("incubator-test-")
    assert settings.TEST_REDIS_KEY_PREFIX.endswith(f"-{worker}")


def test_with_redis_the_cache_and_the_celery_queues_are_under_the_prefix():
    code = (
        "from django.conf import settings as s; "  # loads the settings module, not every app
        "print(s.CACHES['default']['KEY_PREFIX']); "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['global_keyprefix'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "PYTEST_XDIST"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "TEST_REDIS_KEY_PREFIX": "incubator-test-abc",
        "PYTEST_XDIST_WORKER": "gw7",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["incubator-test-abc-gw7", "incubator-test-abc-gw7:"]
