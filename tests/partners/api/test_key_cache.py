"""A found API key is read from the cache, and every change to it or its organisation shows on
the very next request."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.api import authentication
from partners.services.api_keys import api_key_revoke
from tests.partners.api.conftest import key_client, make_key

pytestmark = pytest.mark.django_db
URL = "/api/v1/white-list/"


@pytest.fixture
def key(bank):
    api_key, raw = make_key(bank, last_used_at=timezone.now())
    client = key_client(raw)
    assert client.get(URL).status_code == 200  # now cached
    return api_key, client


def test_a_cached_key_costs_no_query(key, django_assert_num_queries):
    _, client = key
    # page + access log only: neither the key lookup nor a last-used update (used just now)
    with django_assert_num_queries(1):
        assert client.get(URL).status_code == 200


def test_revoking_shows_on_the_next_request(key):
    api_key, client = key
    api_key_revoke(api_key=api_key)
    assert client.get(URL).status_code == 401


def test_an_admin_edit_of_the_expiry_shows_on_the_next_request(key, admin_client):
    api_key, client = key
    past = timezone.localtime() - datetime.timedelta(days=1)
    api_key.expires_at = past
    api_key.save()
    assert client.get(URL).status_code == 401


def test_deleting_the_key_shows_on_the_next_request(key):
    api_key, client = key
    api_key.delete()
    assert client.get(URL).status_code == 401


def test_the_organisation_losing_partner_status_shows_on_the_next_request(key, bank):
    _, client = key
    bank.is_partner = False
    bank.save()
    assert client.get(URL).status_code == 401


def test_expiry_passing_while_cached_is_noticed(bank, monkeypatch):
    soon = timezone.now() + datetime.timedelta(minutes=1)
    _, raw = make_key(bank, expires_at=soon)
    client = key_client(raw)
    assert client.get(URL).status_code == 200
    later = soon + datetime.timedelta(seconds=1)
    monkeypatch.setattr(authentication.timezone, "now", lambda: later)
    assert client.get(URL).status_code == 401


def test_revoking_in_the_admin_shows_on_the_next_request(key, admin_client):
    api_key, client = key
    admin_client.post(
        reverse("admin:partners_apikey_changelist"), {"action": "revoke", "_selected_action": [api_key.pk]}
    )
    assert client.get(URL).status_code == 401
