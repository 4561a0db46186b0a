"""Partner-API fixtures: a bank with a key, consents, and a client that sends the key."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import ApiKey
from tests.factories import BankFactory, ConsentFactory
from tests.real_services import clear_test_cache


def make_key(organisation, *, name: str = "loan system", **fields) -> tuple[ApiKey, str]:
    raw, prefix, digest = ApiKey.generate()
    key = ApiKey.objects.create(
        organisation=organisation, name=name, prefix=prefix, hashed_key=digest, **fields
    )
    return key, raw


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache; each test starts from zero (only the suite's own keys
    are deleted: on Redis ``cache.clear()`` would empty the whole database)."""
    clear_test_cache()
    yield
    clear_test_cache()


@pytest.fixture
def bank():
    return BankFactory()


@pytest.fixture
def other_bank():
    return BankFactory()


@pytest.fixture
def bank_key(bank):
    return make_key(bank)


@pytest.fixture
def api(bank_key):
    return key_client(bank_key[1])


@pytest.fixture
def consented_firm(bank):
    return ConsentFactory(organisation=bank).firm


@pytest.fixture
def hidden_firm(other_bank):
    """A firm that consented to another bank only."""
    return ConsentFactory(organisation=other_bank).firm


def now() -> datetime.datetime:
    return timezone.now()
