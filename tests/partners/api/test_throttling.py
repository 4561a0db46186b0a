import threading
import time
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import override_settings

from partners.api import throttling
from partners.models import ApiKey
from tests.partners.api.conftest import key_client, make_key
from tests.real_services import require_redis

pytestmark = pytest.mark.django_db


def test_key_over_its_rate_gets_429_with_retry_after(bank):
    client = key_client(make_key(bank, rate_per_minute=2)[1])
    assert [client.get("/api/v1/firms/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/firms/")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "detail" in response.json()


def test_throttling_is_per_key(bank):
    busy = key_client(make_key(bank, name="busy", rate_per_minute=1)[1])
    calm = key_client(make_key(bank, name="calm", rate_per_minute=1)[1])
    busy.get("/api/v1/firms/")
    assert busy.get("/api/v1/firms/").status_code == 429
    assert calm.get("/api/v1/firms/").status_code == 200


@override_settings(API_KEY_RATE_PER_MINUTE=3)
def test_default_rate_applies_to_keys_without_their_own(api):
    assert [api.get("/api/v1/firms/").status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.fixture
def redis_cache(settings):
    """The default cache on the real Redis, under a prefix of this test's own; only its keys are deleted."""
    url = require_redis()
    prefix = f"test-throttle-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    client = caches["default"]._cache.get_client(write=True)
    yield client, prefix
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_throttle_counts_live_in_redis_when_configured(bank, redis_cache):
    client_redis, prefix = redis_cache
    key, raw = make_key(bank, rate_per_minute=1)
    client = key_client(raw)
    assert client.get("/api/v1/firms/").status_code == 200
    assert client.get("/api/v1/firms/").status_code == 429
    [counter] = client_redis.keys(f"{prefix}:*:throttle_api_key{key.pk}:*")
    assert int(client_redis.get(counter)) == 2
    assert 0 < client_redis.ttl(counter) <= 60 + throttling.GRACE_SECONDS


def burst(api_key: ApiKey, n: int) -> int:
    """n requests of one key released at the same instant, one thread each: how many got through."""
    start = threading.Barrier(n)
    allowed = []

    def request() -> None:
        start.wait()
        fake = SimpleNamespace(auth=api_key, user=None)
        allowed.append(throttling.PerKeyThrottle().allow_request(fake, None))

    threads = [threading.Thread(target=request) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(allowed) == n
    return sum(allowed)


@pytest.mark.parametrize("cache_backend", ["redis", "locmem"])
def test_a_concurrent_burst_lets_exactly_the_rate_through(request, monkeypatch, settings, cache_backend):
    if cache_backend == "redis":
        request.getfixturevalue("redis_cache")
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One window for the whole burst, wherever in the minute the test runs.
    frozen = (time.time() // 60) * 60 + 30
    monkeypatch.setattr(throttling, "_now", lambda: frozen, raising=False)
    api_key = ApiKey(pk=10**9, rate_per_minute=30)
    assert burst(api_key, 90) == 30
    assert burst(api_key, 10) == 0


def test_the_next_window_starts_a_new_count(monkeypatch):
    now = [(time.time() // 60) * 60 + 59.5]
    monkeypatch.setattr(throttling, "_now", lambda: now[0])
    fake = SimpleNamespace(auth=ApiKey(pk=10**9, rate_per_minute=1), user=None)
    throttle = throttling.PerKeyThrottle()
    assert throttle.allow_request(fake, None)
    assert not throttle.allow_request(fake, None)
    assert throttle.wait() == 1
    now[0] += 1
    assert throttle.allow_request(fake, None)


WRONG_KEY = "abcdefgh.not-the-secret"


@pytest.fixture
def three_failures(settings):
    settings.API_AUTH_FAILURES_PER_MINUTE = 3


def test_failed_authentications_from_an_address_are_throttled_without_a_query(
    bank, three_failures, django_assert_num_queries
):
    wrong = key_client(WRONG_KEY)
    assert [wrong.get("/api/v1/firms/").status_code for _ in range(3)] == [401, 401, 401]
    with django_assert_num_queries(0):
        response = wrong.get("/api/v1/firms/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Too many failed authentications from your address.")
    # Until the minute ends even a right key from that address waits; other addresses do not.
    right = key_client(make_key(bank)[1])
    assert right.get("/api/v1/firms/").status_code == 429
    assert right.get("/api/v1/firms/", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_malformed_keys_count_as_failures(three_failures):
    malformed = key_client("nonsense")
    assert [malformed.get("/api/v1/firms/").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_successful_authentications_do_not_count(bank, three_failures):
    right = key_client(make_key(bank)[1])
    assert [right.get("/api/v1/firms/").status_code for _ in range(5)] == [200] * 5
    assert key_client(WRONG_KEY).get("/api/v1/firms/").status_code == 401


def test_failed_authentication_limit_can_be_turned_off(settings):
    settings.API_AUTH_FAILURES_PER_MINUTE = 0
    wrong = key_client(WRONG_KEY)
    assert {wrong.get("/api/v1/firms/").status_code for _ in range(25)} == {401}
