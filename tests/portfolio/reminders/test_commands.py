"""send_reminders and send_digest from the command line."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from portfolio.choices import CertificationStatus
from portfolio.models import ReminderDelivery

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_send_reminders_sends_in_the_foreground_and_prints_it(deadline, contacts):
    output = _run("send_reminders", "--today", "2025-05-01")
    assert output.count("sent: #") == 3
    assert "30 days left: HNTE annual report, Hailan Technology" in output
    assert "3 reminders recorded, 0 superseded, 3 sent, 0 to retry, 0 failed" in output
    assert len(mail.outbox) == 3


def test_send_reminders_dry_run_prints_and_writes_nothing(deadline, contacts):
    output = _run("send_reminders", "--today", "2025-05-01", "--dry-run")
    assert output.count("would record: ") == 3
    assert "30-day reminder to smith@hailan.example.org (contact)" in output
    assert not ReminderDelivery.objects.exists()
    assert mail.outbox == []


def test_send_reminders_twice_sends_nothing_the_second_time(deadline, contacts):
    _run("send_reminders", "--today", "2025-05-01")
    output = _run("send_reminders", "--today", "2025-05-01")
    assert "0 reminders recorded" in output and "0 sent" in output
    assert len(mail.outbox) == 3


def test_send_reminders_reports_the_lapsed_certificates_it_expired(certification, contacts):
    output = _run("send_reminders", "--today", "2026-12-01")
    assert "2026-12-01: 1 lapsed certificates expired, " in output
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.EXPIRED


def test_send_reminders_dry_run_reports_what_it_would_expire(certification, contacts):
    output = _run("send_reminders", "--today", "2026-12-01", "--dry-run")
    assert "2026-12-01: 1 lapsed certificates would expire, " in output
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.GRANTED


def test_send_reminders_rejects_a_bad_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "31/05/2025")
