"""The weekly digest: each staff member's firms, overdue deadlines first, failed reminders."""

import datetime

import pytest
from django.core import mail

from portfolio.models import DeliveryStatus, DigestDelivery, ReminderDelivery
from portfolio.services.reminders import digest_pass, reminder_pass
from tests.portfolio.reminders.conftest import DUE, THIRTY_DAYS_BEFORE

pytestmark = pytest.mark.django_db

AFTER_DUE = DUE + datetime.timedelta(days=3)


@pytest.fixture
def frozen_today(monkeypatch):
    def freeze(day):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    return freeze


def test_digest_lists_overdue_deadlines_first(deadline, contacts, liaison, frozen_today):
    frozen_today(AFTER_DUE)
    digest_pass(enqueue=False)
    [message] = mail.outbox
    assert message.to == [liaison.email]
    # The liaison reads Chinese, the product's default language.
    overdue_at = message.body.index("已逾期 3 天")
    assert overdue_at < message.body.index("即将到期")


def test_digest_lists_failed_reminders(deadline, contacts, liaison, frozen_today):
    reminder_pass(today=THIRTY_DAYS_BEFORE)
    ReminderDelivery.objects.filter(email="wang@hailan.example.org").update(
        status=DeliveryStatus.FAILED, last_error="550 5.1.1 No such user"
    )
    frozen_today(THIRTY_DAYS_BEFORE)
    digest_pass(enqueue=False)
    assert "wang@hailan.example.org · 550 5.1.1 No such user" in mail.outbox[0].body


@pytest.mark.urls("tests.portfolio.reminders.admin_elsewhere_urls")
def test_digest_links_follow_where_the_admin_is_mounted(deadline, contacts, liaison, frozen_today, settings):
    settings.SITE_URL = "https://portfolio.example.org"
    reminder_pass(today=THIRTY_DAYS_BEFORE)
    ReminderDelivery.objects.filter(email="wang@hailan.example.org").update(status=DeliveryStatus.FAILED)
    frozen_today(THIRTY_DAYS_BEFORE)
    digest_pass(enqueue=False)
    body = mail.outbox[0].body
    admin = "https://portfolio.example.org/staff/console/portfolio/"
    assert f"{admin}firm/{deadline.firm_id}/change/" in body
    assert f"{admin}reminderdelivery/?status__exact=failed" in body


def test_manager_digest_covers_every_firm_of_the_incubator(deadline, contacts, manager, frozen_today):
    frozen_today(THIRTY_DAYS_BEFORE)
    digest_pass(enqueue=False)
    assert manager.email in {m.to[0] for m in mail.outbox}
    english = next(m for m in mail.outbox if m.to == [manager.email])
    assert "Hailan Technology" in english.body


def test_digest_runs_once_a_week(deadline, contacts, liaison, frozen_today):
    frozen_today(THIRTY_DAYS_BEFORE)
    digest_pass(enqueue=False)
    digest_pass(enqueue=False)
    assert len(mail.outbox) == 1
    assert DigestDelivery.objects.get().week_of == datetime.date(2025, 4, 28)


def test_staff_with_nothing_to_read_get_no_digest(liaison, frozen_today):
    frozen_today(THIRTY_DAYS_BEFORE)
    planned, _ = digest_pass(enqueue=False)
    assert planned == []
    assert mail.outbox == []
