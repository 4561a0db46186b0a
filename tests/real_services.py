"""Reaching the real services tests need; outside CI a missing one skips, in CI it fails."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), 1):
            return True
    except OSError:
        return False


def require(available: bool, what: str) -> None:
    """Skip (locally) or fail (in CI) when a service a test needs is not reachable."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI must not skip tests for want of a service")
    pytest.skip(f"{what} is not reachable")


def require_postgres() -> str:
    require(port_open(POSTGRES_URL, 5432), f"PostgreSQL at {POSTGRES_URL}")
    return POSTGRES_URL


def require_redis() -> str:
    require(port_open(REDIS_URL, 6379), f"Redis at {REDIS_URL}")
    return REDIS_URL


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
