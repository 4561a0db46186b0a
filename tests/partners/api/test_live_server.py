"""One real HTTP round trip: a running server, a real key, urllib as the client."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlparse

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


def post_chunked(server_url: str, path: str, raw_key: str, chunks: list[bytes]) -> tuple[int, str, dict]:
    """POST with Transfer-Encoding: chunked (no Content-Length), as streaming clients send."""
    parsed = urlparse(server_url)
    conn = HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        headers = {"Authorization": f"Api-Key {raw_key}", "Content-Type": "application/json"}
        conn.request("POST", path, body=iter(chunks), headers=headers, encode_chunked=True)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), json.loads(response.read())
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_chunked_bodies_on_gunicorn(server_url):
    """gunicorn hands Django a chunked body without a length: it is read, bounded, and parsed."""
    if connection.vendor != "postgresql":
        pytest.skip("chunked request bodies: gunicorn (the live server on SQLite does not decode them)")
    bank = BankFactory()
    firm = ConsentFactory(organisation=bank).firm
    _key, raw = make_key(bank)
    path = f"/api/v1/firms/{firm.pk}/loans/"

    body = json.dumps({"instrument": "credit", "applied_on": "2025-01-02", "reference": "CH-1"}).encode()
    status, content_type, loan = post_chunked(server_url, path, raw, [body[:10], body[10:]])
    assert (status, content_type, loan["reference"]) == (201, "application/json", "CH-1")

    status, content_type, error = post_chunked(server_url, path, raw, [b"x" * 16 * 1024] * 5)
    assert (status, content_type) == (413, "application/json")
    assert set(error) == {"detail"}

    status, content_type, error = post_chunked(server_url, path, raw, [b"[" * 1000, b"]" * 1000])
    assert (status, content_type, list(error)) == (400, "application/json", ["non_field_errors"])
