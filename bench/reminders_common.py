"""Shared by the reminder benchmarks: a throwaway database, a throwaway Redis, Django in a child."""

from __future__ import annotations

import os
import random
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# On a shared machine: BENCH_DATABASE_PREFIX=team_a puts the throwaway databases under that prefix,
# BENCH_PORTS=18100-18199 keeps the servers a run starts (SMTP sink, redis-server) in that range.
DATABASE_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "")
PORTS = os.environ.get("BENCH_PORTS", "")


def run_name(base: str) -> str:
    """A database name of this run alone: ``base`` plus the process id and a random suffix.

    Each run drops its database with ``FORCE``; a fixed name would let two runs (another
    checkout, another engineer) destroy each other's database mid-run.
    """
    prefix = f"{DATABASE_PREFIX}_" if DATABASE_PREFIX else ""
    return f"{prefix}{base}_{os.getpid()}_{secrets.token_hex(3)}"


def database_url(name: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def create_database(name: str) -> str:
    psql_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql_admin(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    env = child_env(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    return url


def drop_database(name: str) -> None:
    psql_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    return env | {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DATABASE_URL": url, **extra}


def free_port() -> int:
    """A port nothing listens on: any the system offers, or one of BENCH_PORTS (``low-high``)."""
    if not PORTS:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    low, high = (int(end) for end in PORTS.split("-"))
    candidates = list(range(low, high + 1))
    random.shuffle(candidates)  # two runs at once rarely try the same port first
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in BENCH_PORTS={PORTS}")


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class Redis:
    """A redis-server of our own, without persistence, on a free port."""

    def __enter__(self) -> str:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_port(self.port)
        # Database 1 of a server nobody else uses: never another job's queues.
        return f"redis://127.0.0.1:{self.port}/1"

    def __exit__(self, *exc) -> None:
        self.process.kill()
        self.process.wait(10)
