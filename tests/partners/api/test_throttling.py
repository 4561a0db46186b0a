import pytest
from django.test import override_settings

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


def test_throttle_counts_live_in_redis_when_configured(bank, settings):
    url = require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "t",
        }
    }
    from django.core.cache import cache

    cache.clear()
    key, raw = make_key(bank, rate_per_minute=1)
    client = key_client(raw)
    assert client.get("/api/v1/firms/").status_code == 200
    assert client.get("/api/v1/firms/").status_code == 429
    assert cache.get(f"throttle_api_key{key.pk}") is not None
    cache.clear()
