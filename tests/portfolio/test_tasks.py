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


def test_kind_resync_is_idempotent_and_runs_in_batches(settings):
    from portfolio.models import Deadline, Obligation

    settings.CERTIFICATION_SYNC_BATCH_SIZE = 2
    certifications = [CertificationFactory(issued_on=datetime.date(2023 + i % 2, 12, 1)) for i in range(5)]
    obligation = Obligation.objects.get(kind__code="hnte", code="annual-report")
    Obligation.objects.filter(pk=obligation.pk).update(due_month=6, due_day=30)  # as a bulk edit would

    first = tasks.kind_sync_deadlines(obligation.kind_id)
    assert first == {"synced": 2, "more": 1}  # the next batches queue themselves (in-process here)
    state = sorted(Deadline.objects.values_list("certification_id", "due_on", "status"))
    reports = Deadline.objects.filter(obligation=obligation, status="open")
    assert {(d.month, d.day) for d in reports.values_list("due_on", flat=True)} == {(6, 30)}
    assert reports.values("certification").distinct().count() == len(certifications)

    tasks.kind_sync_deadlines(obligation.kind_id)
    assert sorted(Deadline.objects.values_list("certification_id", "due_on", "status")) == state
