"""Suite-wide test setup.

The product speaks Chinese by default. Tests assert on English messages unless they say
otherwise, so code outside a request runs under English, and the test clients send
``Accept-Language: en``; a test about the Chinese default passes its own header.
"""

import contextlib

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_outside_requests():
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, with the data migrations' rows loaded when it was built
    from the models rather than by replaying the migrations (tests/reference_data.py)."""
    from django.db import connections

    from tests import reference_data

    with django_db_blocker.unblock():
        for connection in connections.all():
            if not reference_data.built_from_models(connection):
                continue
            reference_data.load(connection)
            if getattr(connection, "_test_serialized_contents", None) is not None:
                # what serialized_rollback restores after a transactional test's flush
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    yield


@pytest.fixture(autouse=True, scope="session")
def _delete_own_redis_keys_at_the_end():
    """Whatever the run left in the Redis cache under its own prefix goes at the end (see
    tests/real_services.py: only keys under that prefix, never a whole database)."""
    yield
    import redis

    from tests.real_services import clear_test_cache

    with contextlib.suppress(redis.RedisError):  # a Redis that went away has nothing left of ours
        clear_test_cache()
