"""Sending a batch over Django's SMTP backend to a real SMTP server (aiosmtpd, in this process).

One connection per batch, reopened after a failure; each message recorded before the next one
is sent; one UPDATE per message.
"""

import email
import itertools
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import DatabaseError

from portfolio.models import DeliveryStatus, ReminderDelivery
from portfolio.services.reminders import outbound_send, reminder_pass
from portfolio.services.reminders import sending as sending_module
from tests.integration.harness import free_port
from tests.portfolio.reminders.conftest import THIRTY_DAYS_BEFORE

pytestmark = pytest.mark.django_db


class Recorder:
    """Keeps what the server saw, in order, next to what the sender recorded."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.peers: list[tuple] = []
        self.replies: list[str] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.events.append(("rcpt", address))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            reply = self.replies.pop(0) if self.replies else None
        self.peers.append(session.peer)
        if reply:
            self.events.append(("refused", envelope.rcpt_tos[0]))
            return reply
        self.events.append(("accepted", envelope.rcpt_tos[0]))
        return "250 OK"

    def accepted(self) -> list[str]:
        return [address for kind, address in self.events if kind == "accepted"]


@pytest.fixture
def smtp(settings):
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 10
    yield recorder
    controller.stop()


@pytest.fixture
def deliveries(deadline, contacts):
    reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=False)  # recorded; the on-commit hand-over never runs
    rows = list(ReminderDelivery.objects.order_by("pk"))
    assert len(rows) == 3  # two contacts and the liaison
    return rows


@pytest.fixture
def recorded(monkeypatch, smtp):
    """Each sent record, as an event next to the server's, once the sender knows it committed.

    Recording takes a while here (as a commit's WAL flush can), so a sender that went on
    without waiting for it would show. Failures are recorded through ``_finish``, sent
    records through ``_finish_later`` (``_finish`` itself off PostgreSQL).
    """
    finish_later = sending_module._finish_later

    def slow_finish_later(model, row, **fields):
        confirm = finish_later(model, row, **fields)

        def slow_confirm():
            time.sleep(0.05)
            result = confirm()
            smtp.events.append(("recorded", row.email))
            return result

        return slow_confirm

    monkeypatch.setattr(sending_module, "_finish_later", slow_finish_later)


def test_one_connection_serves_the_batch(smtp, deliveries):
    outcomes = outbound_send(ReminderDelivery, [row.pk for row in deliveries])
    assert [o.status for o in outcomes] == ["sent"] * 3
    assert sorted(smtp.accepted()) == sorted(row.email for row in deliveries)
    assert len(set(smtp.peers)) == 1
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_the_content_goes_through_smtp_intact(smtp, deliveries, settings):
    messages = []

    class Keep(Recorder):
        async def handle_DATA(self, server, session, envelope):
            messages.append(envelope.content)
            return await super().handle_DATA(server, session, envelope)

    keep = Keep()
    controller = Controller(keep, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_PORT = controller.port
        outbound_send(ReminderDelivery, [deliveries[0].pk])
    finally:
        controller.stop()
    [raw] = messages
    parsed = email.message_from_bytes(raw)
    assert parsed["Message-ID"] == f"<reminder-{deliveries[0].pk}@localhost>"
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = (part.get_payload(decode=True).decode() for part in parsed.get_payload())
    assert "2025年5月31日" in text and "<table" in html


def test_connection_is_reopened_after_a_failure(smtp, deliveries):
    smtp.replies = ["451 4.3.0 Try again later"]
    outcomes = outbound_send(ReminderDelivery, [row.pk for row in deliveries])
    assert [o.status for o in outcomes] == ["pending", "sent", "sent"]
    assert smtp.accepted() == [row.email for row in deliveries[1:]]
    refused_on, *sent_on = smtp.peers
    assert sent_on[0] == sent_on[1] != refused_on  # both after the failure, on one new connection
    first = ReminderDelivery.objects.get(pk=deliveries[0].pk)
    assert first.status == DeliveryStatus.PENDING and "451" in first.last_error


def test_each_message_is_recorded_before_the_next_is_sent(smtp, deliveries, recorded):
    outbound_send(ReminderDelivery, [row.pk for row in deliveries])
    flow = [(kind, address) for kind, address in smtp.events if kind != "rcpt"]
    expected = []
    for row in deliveries:
        expected += [("accepted", row.email), ("recorded", row.email)]
    # Never two messages accepted and not recorded: accepted, recorded, accepted, recorded...
    assert flow == expected
    # The next message's envelope goes out while the record commits; its data only after.
    events = smtp.events
    for previous, following in itertools.pairwise(deliveries):
        done = events.index(("recorded", previous.email))
        assert events.index(("rcpt", following.email)) < done < events.index(("accepted", following.email))


def test_the_batch_stops_when_a_message_cannot_be_recorded(smtp, deliveries, monkeypatch):
    def database_down(model, row, **fields):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(sending_module, "_finish", database_down)
    monkeypatch.setattr(sending_module, "_finish_later", database_down)
    with pytest.raises(DatabaseError):
        outbound_send(ReminderDelivery, [row.pk for row in deliveries])
    # The first was accepted and its record failed (the documented window: the lease sends it
    # again); nothing else was sent.
    assert smtp.accepted() == [deliveries[0].email]
    assert [kind for kind, _ in smtp.events] == ["rcpt", "accepted"]
    statuses = dict(ReminderDelivery.objects.values_list("pk", "status"))
    assert {statuses[row.pk] for row in deliveries} == {DeliveryStatus.SENDING}


def test_the_batch_stops_when_a_record_does_not_commit(smtp, deliveries, monkeypatch):
    finish_later = sending_module._finish_later

    def failing_commit(model, row, **fields):
        finish_later(model, row, **fields)()  # sent and answered, but the sender hears an error

        def confirm():
            raise DatabaseError("server closed the connection unexpectedly")

        return confirm

    monkeypatch.setattr(sending_module, "_finish_later", failing_commit)
    with pytest.raises(DatabaseError):
        outbound_send(ReminderDelivery, [row.pk for row in deliveries])
    # The second message's envelope went out while the first record committed; its data never did.
    assert smtp.accepted() == [deliveries[0].email]
    statuses = dict(ReminderDelivery.objects.values_list("pk", "status"))
    assert statuses[deliveries[1].pk] == statuses[deliveries[2].pk] == DeliveryStatus.SENDING


def test_one_update_per_message(smtp, deliveries, django_assert_num_queries):
    # Claim: savepoint, SELECT ... FOR UPDATE (the rows with their emails' content and their
    # deadlines), one UPDATE, release; then one UPDATE per message and nothing else.
    with django_assert_num_queries(4 + 3):
        outbound_send(ReminderDelivery, [row.pk for row in deliveries])
    assert len(smtp.accepted()) == 3


def test_one_update_per_message_in_a_larger_batch(smtp, deliveries, django_assert_num_queries):
    ids = [row.pk for row in deliveries]
    with django_assert_num_queries(4 + 2):
        outbound_send(ReminderDelivery, ids[:2])
    with django_assert_num_queries(4 + 1):
        outbound_send(ReminderDelivery, ids[2:])
