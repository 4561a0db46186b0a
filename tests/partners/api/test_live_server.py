"""One real HTTP round trip: a running server, a real key, urllib as the client."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import BankFactory, ConsentFactory
from tests.partners.api.conftest import make_key
from tests.real_services import require_postgres

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def server_url(request):
    """gunicorn in a subprocess on PostgreSQL; on SQLite (in-memory test database, which another
    process cannot open) Django's threaded live server, still a real socket and HTTP."""
    if connection.vendor != "postgresql":
        yield request.getfixturevalue("live_server").url
        return
    require_postgres()
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url()}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def http(url: str, raw_key: str | None, body: dict | None = None) -> tuple[int, dict]:
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if raw_key:
        headers["Authorization"] = f"Api-Key {raw_key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - loopback test server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# serialized_rollback: the flush after this test keeps the migrations' data (certification kinds,
# beat schedules) for the next transactional test, and the suite's transactional tests agree on it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_http_client_against_a_running_server(server_url):
    bank = BankFactory()
    firm = ConsentFactory(organisation=bank).firm
    hidden = ConsentFactory(organisation=BankFactory()).firm
    _key, raw = make_key(bank)

    assert http(f"{server_url}/api/v1/firms/", None)[0] == 401
    status, page = http(f"{server_url}/api/v1/firms/", raw)
    assert (status, [f["id"] for f in page["results"]]) == (200, [firm.pk])
    assert http(f"{server_url}/api/v1/firms/{hidden.pk}/", raw)[0] == 404
    body = {"instrument": "credit", "applied_on": "2025-01-02", "requested_amount": "300000.00"}
    status, loan = http(f"{server_url}/api/v1/firms/{firm.pk}/loans/", raw, body)
    assert (status, loan["status"]) == (201, "applied")
