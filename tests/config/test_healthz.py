from __future__ import annotations

import pytest

from tests.real_services import closed_port, require_redis

pytestmark = pytest.mark.django_db


def _use_redis(settings, url: str) -> None:
    settings.CELERY_BROKER_URL = url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def test_healthz_ok_with_database_and_redis_up(client, settings):
    _use_redis(settings, require_redis())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert set(body["checks"]) == {"database", "broker", "cache"}


def test_healthz_without_redis_checks_only_the_database(client, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/healthz")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database"}


def test_healthz_503_names_the_broker_when_its_port_is_closed(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["checks"]["database"]["ok"] is True
    assert "Connection" in body["checks"]["broker"]["error"]


def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405
