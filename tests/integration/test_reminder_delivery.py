"""Reminders end to end: real Celery workers on Redis, a real SMTP server, real crashes.

Each test starts its own aiosmtpd server and worker processes (``celery -A config worker``)
against the pytest-django PostgreSQL test database, and counts what the SMTP server received.
"""

from __future__ import annotations

import datetime
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.db import connection

from accounts.models import Language, StaffRole
from portfolio.models import DeliveryStatus, ReminderDelivery
from tests.factories import (
    CertificationFactory,
    ContactFactory,
    FirmFactory,
    IncubatorFactory,
    MembershipFactory,
    ResidencyFactory,
    StaffUserFactory,
)
from tests.integration.harness import SmtpServer, ThrowawayRedis, manage, start_worker, wait_for
from tests.real_services import delete_test_keys, require, require_redis

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TODAY = "2025-05-01"  # 30 days before the HNTE annual report of 31 May 2025


@pytest.fixture
def broker_url():
    """The suite's Redis; the workers' queues there are under this run's and xdist worker's prefix
    (``global_keyprefix``, config/settings/test.py), so only those keys are deleted."""
    url = require_redis()
    client = redis.Redis.from_url(url)
    delete_test_keys(client)
    yield url
    delete_test_keys(client)


@pytest.fixture
def database_url():
    require(connection.vendor == "postgresql", "a PostgreSQL test database (set DATABASE_URL)")
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def env(database_url, broker_url, smtp):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REMINDER_"))}
    return base | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "TEST_CELERY_TASK_ALWAYS_EAGER": "false",
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "10",
        "DEFAULT_FROM_EMAIL": "Incubator <noreply@incubator.test>",
        "REMINDER_RETRY_BASE_SECONDS": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(env, name="w1", pool="solo"):
        worker = start_worker(env, tmp_path / f"{name}-{len(started)}.log", name, pool)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()


def _firm_with_people(n: int, *, liaison: bool = True) -> list[str]:
    """A firm with a Chinese- and an English-speaking contact (and a liaison); their addresses."""
    firm = FirmFactory(name=f"青岛集成测试科技有限公司{n}", name_en=f"Integration Test Tech {n}")
    emails = [f"zh{n}@firm.test", f"en{n}@firm.test"]
    ContactFactory(firm=firm, email=emails[0], preferred_language=Language.CHINESE)
    ContactFactory(firm=firm, email=emails[1], preferred_language=Language.ENGLISH)
    incubator = IncubatorFactory()
    staff = None
    if liaison:
        staff = StaffUserFactory(email=f"liaison{n}@incubator.test")
        MembershipFactory(user=staff, incubator=incubator, role=StaffRole.LIAISON)
        emails.append(staff.email)
    ResidencyFactory(firm=firm, incubator=incubator, liaison=staff)
    CertificationFactory(firm=firm, issued_on=datetime.date(2023, 12, 1), number=f"GR2023370{n:05d}")
    return emails


def _statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in ReminderDelivery.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def _all(status: str, count: int) -> bool:
    return _statuses() == {status: count}


def test_two_workers_and_two_passes_deliver_each_reminder_once(env, smtp, workers):
    expected = sorted(e for n in range(4) for e in _firm_with_people(n))
    env = env | {"REMINDER_SEND_BATCH_SIZE": "2"}
    workers(env, "w1")
    workers(env, "w2")
    # Two beat processes firing at once: two passes, concurrently.
    with ThreadPoolExecutor(2) as pool:
        runs = list(
            pool.map(lambda _: manage(env, "send_reminders", "--enqueue", "--today", TODAY), range(2))
        )
    assert sum(r.stdout.count("recorded: ") for r in runs) >= len(expected)
    wait_for(lambda: _all(DeliveryStatus.SENT, len(expected)), 60, "every reminder to be sent")
    # A third pass, forcing everything waiting back to the workers, finds nothing to do.
    manage(env | {"REMINDER_REQUEUE_AFTER_SECONDS": "0"}, "send_reminders", "--enqueue", "--today", TODAY)
    time.sleep(1.5)
    assert smtp.inbox.recipients() == expected

    by_rcpt = {rcpts[0]: message for rcpts, message in smtp.inbox.messages}
    assert len({m["Message-ID"] for m in by_rcpt.values()}) == len(expected)
    zh, en, staff = by_rcpt["zh0@firm.test"], by_rcpt["en0@firm.test"], by_rcpt["liaison0@incubator.test"]
    assert zh["Content-Language"] == "zh-hans" and en["Content-Language"] == "en"
    zh_text, zh_html = _parts(zh)
    en_text, en_html = _parts(en)
    assert (
        "高企年度发展情况报表" in zh_text
        and "2025年5月31日" in zh_text
        and "青岛集成测试科技有限公司0" in zh_text
    )
    assert (
        "HNTE annual report" in en_text and "May 31, 2025" in en_text and "Integration Test Tech 0" in en_text
    )
    assert "30 days left" in en["Subject"]
    assert "Two missed reports cancel the status." in en_text
    assert "两次未报将被取消资格" in zh_text
    assert "/admin/" not in en_text and "/admin/" not in en_html and "<table" in zh_html
    assert "no contact with an email address" not in _parts(staff)[0]
    assert "/admin/portfolio/firm/" in _parts(staff)[0] and "<a href=" in _parts(staff)[1]


def _parts(message) -> tuple[str, str]:
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in message.walk()
        if not p.is_multipart()
    }
    return parts["text/plain"], parts["text/html"]


def test_worker_killed_mid_batch_and_restarted_leaves_each_reminder_sent_once(env, smtp, workers):
    expected = sorted(e for n in range(2) for e in _firm_with_people(n))
    env = env | {"REMINDER_SENDING_LEASE_SECONDS": "2"}
    smtp.inbox.hold_at = 3  # the worker waits for the server's reply to its third message ...
    first = workers(env, "w1")
    manage(env, "send_reminders", "--enqueue", "--today", TODAY)
    assert smtp.inbox.holding.wait(30), first.output()
    first.kill()  # ... and is killed there, with one batch task half done.
    smtp.inbox.release.set()
    # The task had claimed its six rows: two were sent, four stay claimed by the dead worker.
    assert _statuses() == {DeliveryStatus.SENT: 2, DeliveryStatus.SENDING: 4}

    workers(env, "w2")
    time.sleep(2.5)  # the dead worker's claim runs out
    manage(env | {"REMINDER_REQUEUE_AFTER_SECONDS": "0"}, "send_reminders", "--enqueue", "--today", TODAY)
    wait_for(lambda: _all(DeliveryStatus.SENT, len(expected)), 60, "every reminder to be sent")
    time.sleep(1)
    assert smtp.inbox.recipients() == expected
    assert sorted(ReminderDelivery.objects.values_list("attempts", flat=True)) == [1, 1, 2, 2, 2, 2]


def test_reminders_queued_when_redis_restarts_are_sent_by_the_next_pass(env, smtp, workers, tmp_path):
    expected = sorted(_firm_with_people(0))
    broker = ThrowawayRedis(tmp_path)
    broker.start()
    try:
        env = env | {"REDIS_URL": broker.url, "REMINDER_REQUEUE_AFTER_SECONDS": "1"}
        manage(env, "send_reminders", "--enqueue", "--today", TODAY)  # queued in Redis, no worker yet
        broker.kill()  # no persistence: the queued tasks are gone
        broker.start()
        workers(env, "w1")
        time.sleep(2)
        assert smtp.inbox.recipients() == []
        assert _statuses() == {DeliveryStatus.PENDING: len(expected)}
        manage(env, "send_reminders", "--enqueue", "--today", TODAY)
        wait_for(lambda: _all(DeliveryStatus.SENT, len(expected)), 60, "every reminder to be sent")
        time.sleep(1)
        assert smtp.inbox.recipients() == expected
    finally:
        broker.kill()


def test_temporary_smtp_error_is_retried_and_sends_one_message(env, smtp, workers):
    _firm_with_people(0, liaison=False)
    ContactFactory._meta.model.objects.filter(email="en0@firm.test").delete()
    smtp.inbox.replies = ["451 4.3.0 Try again later"]
    workers(env, "w1")
    manage(env, "send_reminders", "--enqueue", "--today", TODAY)
    wait_for(lambda: _all(DeliveryStatus.SENT, 1), 60, "the retry to be sent")
    time.sleep(1)
    assert smtp.inbox.recipients() == ["zh0@firm.test"]
    delivery = ReminderDelivery.objects.get()
    assert delivery.attempts == 2
    assert "451" in delivery.last_error


def test_permanent_smtp_error_leaves_a_failed_delivery_with_the_reason(env, smtp, workers):
    _firm_with_people(0, liaison=False)
    ContactFactory._meta.model.objects.filter(email="en0@firm.test").delete()
    smtp.inbox.replies = ["550 5.1.1 Mailbox unavailable"]
    workers(env, "w1")
    manage(env, "send_reminders", "--enqueue", "--today", TODAY)
    wait_for(lambda: _all(DeliveryStatus.FAILED, 1), 60, "the delivery to fail")
    time.sleep(1)
    assert smtp.inbox.recipients() == []
    delivery = ReminderDelivery.objects.get()
    assert delivery.attempts == 1
    assert "550" in delivery.last_error and "Mailbox unavailable" in delivery.last_error


def test_a_worker_keeps_its_database_connection_from_task_to_task(env, smtp, workers):
    """Under prefork, Celery's fixup used to close Django's pool after every task: a new
    PostgreSQL connection (and server process) per task. Now each task hands its connection
    back to the pool and the next task takes it again (CELERY_DB_REUSE_MAX, config/celery_app.py)."""
    expected = sorted(e for n in range(2) for e in _firm_with_people(n))
    env = env | {"REMINDER_SEND_BATCH_SIZE": "1"}  # a task per reminder
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        [(before,)] = cursor.fetchall()
    workers(env, "w1", pool="prefork")
    manage(env, "send_reminders", "--enqueue", "--today", TODAY)
    wait_for(lambda: _all(DeliveryStatus.SENT, len(expected)), 60, "every reminder to be sent")
    assert smtp.inbox.recipients() == expected
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT backend_start FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND backend_start > %s",
            [before],
        )
        opened = [started for (started,) in cursor.fetchall()]
    first_sent = min(ReminderDelivery.objects.values_list("sent_at", flat=True))
    # The worker's pool is still open after the six tasks, and what it holds was opened before
    # the first task recorded its reminder (the pool may open a second one while the first is
    # being set up). The pass's connection closed with its process.
    assert opened and all(started < first_sent for started in opened) and len(opened) <= 2
