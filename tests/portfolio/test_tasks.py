"""The Celery tasks, called as beat calls them (in-process here)."""

import datetime

import pytest

from portfolio import tasks
from portfolio.choices import CertificationStatus
from tests.factories import CertificationFactory

pytestmark = pytest.mark.django_db


def test_reminder_pass_task_expires_lapsed_certificates_first(monkeypatch):
    certification = CertificationFactory(issued_on=datetime.date(2023, 12, 1))  # valid through 2026-11-30
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: datetime.date(2026, 12, 1))
    assert tasks.reminder_pass()["expired"] == 1
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.EXPIRED
