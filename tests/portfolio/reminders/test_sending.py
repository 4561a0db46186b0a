"""Sending one delivery: content and language, SMTP failures, retries, re-sending."""

import datetime

import pytest
from celery import current_app
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from portfolio.models import DeliveryStatus, ReminderDelivery
from portfolio.services.reminders import (
    classify_error,
    outbound_resend,
    outbound_send,
    reminder_pass,
    retry_delay,
)
from portfolio.tasks import deliver_reminders
from tests.portfolio.reminders.conftest import THIRTY_DAYS_BEFORE

pytestmark = pytest.mark.django_db

BACKENDS = "tests.portfolio.reminders.backends"


def _record(**filters) -> ReminderDelivery:
    reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=False)  # recorded; the on-commit hand-over never runs
    return ReminderDelivery.objects.get(**filters)


def _message_to(address):
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def test_chinese_contact_gets_the_reminder_in_chinese(deadline, contacts):
    outbound_send(ReminderDelivery, [_record(email="wang@hailan.example.org").pk])
    message = _message_to("wang@hailan.example.org")
    assert "高企年度发展情况报表" in message.subject and "青岛海澜科技有限公司" in message.subject
    assert "2025年5月31日" in message.body
    assert "两次未报将被取消资格" in message.body
    assert message.extra_headers["Content-Language"] == "zh-hans"


def test_english_contact_gets_the_reminder_in_english(deadline, contacts):
    outbound_send(ReminderDelivery, [_record(email="smith@hailan.example.org").pk])
    message = _message_to("smith@hailan.example.org")
    assert message.subject == "30 days left: HNTE annual report, Hailan Technology"
    assert "May 31, 2025" in message.body
    assert "Two missed reports cancel the status." in message.body
    # A contact cannot enter the admin: no link to it, in either part.
    assert "/admin/" not in message.body and "/admin/" not in message.alternatives[0][0]


def test_staff_copy_links_to_the_firms_admin_page(deadline, contacts):
    outbound_send(ReminderDelivery, [_record(email="liaison@incubator.example.org").pk])
    message = _message_to("liaison@incubator.example.org")
    assert f"http://localhost:8000/admin/portfolio/firm/{deadline.firm_id}/change/" in message.body


@pytest.mark.urls("tests.portfolio.reminders.admin_elsewhere_urls")
def test_reminder_links_to_the_firms_admin_page_where_the_admin_is_mounted(deadline, contacts, settings):
    settings.SITE_URL = "https://portfolio.example.org"
    outbound_send(ReminderDelivery, [_record(email="liaison@incubator.example.org").pk])
    link = f"https://portfolio.example.org/staff/console/portfolio/firm/{deadline.firm_id}/change/"
    assert link in mail.outbox[0].body
    assert f'href="{link}"' in mail.outbox[0].alternatives[0][0]


def test_reminder_has_an_html_alternative(deadline, contacts):
    outbound_send(ReminderDelivery, [_record(email="smith@hailan.example.org").pk])
    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert "<table" in html and "Hailan Technology" in html


def test_message_id_is_derived_from_the_delivery(deadline, contacts):
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<reminder-{delivery.pk}@localhost>"


def test_sent_delivery_records_its_state(deadline, contacts):
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert delivery.sent_at is not None


def test_sending_twice_sends_once(deadline, contacts):
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    outcomes = outbound_send(ReminderDelivery, [delivery.pk])
    assert [o.status for o in outcomes] == ["skipped"]
    assert len(mail.outbox) == 1


def test_temporary_error_is_retried_later_with_backoff(deadline, contacts, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.TemporarilyUnavailable"
    delivery = _record(email="smith@hailan.example.org")
    before = timezone.now()
    outbound_send(ReminderDelivery, [delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at >= before + datetime.timedelta(seconds=60)


def test_a_retry_that_cannot_be_scheduled_leaves_the_email_pending_and_the_batch_goes_on(
    deadline, contacts, settings, monkeypatch, caplog
):
    # The broker is down: scheduling the retry of the first email (a 4xx) raises.
    settings.EMAIL_BACKEND = f"{BACKENDS}.WangTemporarilyUnavailable"
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_reminders, "apply_async", broker_down)
    reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=False)
    first = ReminderDelivery.objects.get(email="wang@hailan.example.org")
    others = list(ReminderDelivery.objects.exclude(pk=first.pk).order_by("pk"))
    assert len(others) == 2  # the English contact and the liaison

    outcomes = outbound_send(ReminderDelivery, [first.pk] + [row.pk for row in others])

    assert [o.status for o in outcomes] == ["pending", "sent", "sent"]
    first.refresh_from_db()
    assert (first.status, first.attempts) == (DeliveryStatus.PENDING, 1)
    assert "451" in first.last_error
    assert first.enqueued_at is None  # the next pass hands it over again once it is due
    assert {row.status for row in ReminderDelivery.objects.exclude(pk=first.pk)} == {DeliveryStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "liaison@incubator.example.org",
        "smith@hailan.example.org",
    ]
    assert "could not schedule the retry" in caplog.text


def test_refused_connection_is_temporary(deadline, contacts, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.ConnectionRefused"
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "Connection refused" in delivery.last_error


def test_a_retry_is_not_sent_before_its_time(deadline, contacts, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.TemporarilyUnavailable"
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert [o.status for o in outbound_send(ReminderDelivery, [delivery.pk])] == ["skipped"]
    ReminderDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert [o.status for o in outbound_send(ReminderDelivery, [delivery.pk])] == ["sent"]


def test_temporary_errors_give_up_after_the_last_attempt(deadline, contacts, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.TemporarilyUnavailable"
    settings.REMINDER_MAX_ATTEMPTS = 2
    delivery = _record(email="smith@hailan.example.org")
    for _ in range(2):
        ReminderDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        outbound_send(ReminderDelivery, [delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert delivery.last_error.startswith("gave up after 2 attempts")


def test_permanent_error_fails_the_delivery_with_the_reason(deadline, contacts, settings):
    settings.EMAIL_BACKEND = f"{BACKENDS}.MailboxUnavailable"
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "550" in delivery.last_error and "No such user" in delivery.last_error


def test_invalid_address_is_permanent():
    transient, reason = classify_error(ValueError('Invalid address "a@b@c"'))
    assert not transient and "Invalid address" in reason


def test_backoff_doubles_up_to_the_cap(settings):
    settings.REMINDER_RETRY_BASE_SECONDS = 60
    settings.REMINDER_RETRY_CAP_SECONDS = 1800
    assert [retry_delay(n) for n in (1, 2, 3, 5, 6, 10)] == [60, 120, 240, 960, 1800, 1800]


def test_failed_delivery_can_be_re_sent(deadline, contacts, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{BACKENDS}.MailboxUnavailable"
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert outbound_resend(ReminderDelivery, [delivery.pk]) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert [m.to for m in mail.outbox] == [["smith@hailan.example.org"]]


def test_only_failed_deliveries_are_re_sent(deadline, contacts):
    delivery = _record(email="smith@hailan.example.org")
    outbound_send(ReminderDelivery, [delivery.pk])
    assert outbound_resend(ReminderDelivery, [delivery.pk]) == 0


def test_sending_claim_of_a_dead_worker_is_taken_over_after_the_lease(deadline, contacts, settings):
    delivery = _record(email="smith@hailan.example.org")
    stale = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_SENDING_LEASE_SECONDS + 1)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status="sending", attempts=1, claimed_at=stale)
    assert [o.status for o in outbound_send(ReminderDelivery, [delivery.pk])] == ["sent"]
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_live_claim_is_left_alone(deadline, contacts):
    delivery = _record(email="smith@hailan.example.org")
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=1, claimed_at=timezone.now()
    )
    assert [o.status for o in outbound_send(ReminderDelivery, [delivery.pk])] == ["skipped"]
    assert mail.outbox == []


def test_a_delivery_whose_senders_keep_dying_fails_after_the_last_attempt(deadline, contacts, settings):
    delivery = _record(email="smith@hailan.example.org")
    stale = timezone.now() - datetime.timedelta(seconds=settings.REMINDER_SENDING_LEASE_SECONDS + 1)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", attempts=settings.REMINDER_MAX_ATTEMPTS, claimed_at=stale
    )
    assert [o.status for o in outbound_send(ReminderDelivery, [delivery.pk])] == ["failed"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "died" in delivery.last_error
    assert mail.outbox == []
