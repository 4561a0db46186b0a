"""Suite-wide test setup.

The product speaks Chinese by default. Tests assert on English messages unless they say
otherwise, so code outside a request runs under English, and the test clients send
``Accept-Language: en``; a test about the Chinese default passes its own header.
"""

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
