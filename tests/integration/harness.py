"""Real processes for the integration tests: an SMTP server, Celery workers, a throwaway Redis.

Everything started here is bounded by timeouts and killed by the fixture that started it.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Inbox:
    """An aiosmtpd handler that keeps every accepted message.

    ``replies`` are answered, in order, to the next DATA commands instead of accepting them
    (e.g. "451 ..."); ``hold_at`` makes the n-th DATA wait (without answering) until
    ``release`` is set, so a test can kill the client while it waits for the reply.
    """

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.replies: list[str] = []
        self.data_commands = 0
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            self.data_commands += 1
            number = self.data_commands
            reply = self.replies.pop(0) if self.replies else None
        if self.hold_at == number:
            self.holding.set()
            for _ in range(300):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.1)
            return "451 4.3.0 Aborted: the client went away"
        if reply:
            return reply
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(rcpt for rcpts, _ in self.messages for rcpt in rcpts)


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class Process:
    """A child process in its own process group, logging to a file, always killed at the end."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._file = open(log, "wb")  # noqa: SIM115 - closed in kill()
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._file.close()


def start_worker(env: dict[str, str], log: Path, name: str, pool: str = "solo") -> Process:
    """A worker: the solo pool by default (one process); ``prefork`` as production runs it
    (docker-compose.yml), here with one child."""
    concurrency = ["--concurrency", "1"] if pool == "prefork" else []
    worker = Process(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            pool,
            *concurrency,
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        log,
    )
    try:
        wait_for(lambda: " ready." in worker.output() or worker.popen.poll() is not None, 60, "the worker")
        if worker.popen.poll() is not None:
            raise AssertionError(f"the worker exited:\n{worker.output()}")
    except BaseException:
        worker.kill()
        raise
    return worker


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


class ThrowawayRedis:
    """A redis-server of our own (no persistence), to be killed and restarted by a test."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = Process(
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
                "--dir",
                str(self.tmp),
            ],
            dict(os.environ),
            self.tmp / f"redis-{time.monotonic_ns()}.log",
        )

        def up() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(up, 20, "the throwaway redis-server")

    def kill(self) -> None:
        if self.process:
            self.process.kill(signal.SIGKILL)
            self.process = None
