import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from partners.models import IdempotencyRecord
from partners.services.idempotency import idempotency_records_purge
from partners.tasks import purge_idempotency_records

pytestmark = pytest.mark.django_db


def _record(key: str, age: datetime.timedelta) -> IdempotencyRecord:
    record = IdempotencyRecord.objects.create(
        scope="key:1",
        key=key,
        fingerprint="f" * 64,
        method="POST",
        path="/api/v1/x",
        response_status=201,
        response_body="{}",
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - age)
    return record


def test_purge_forgets_records_past_their_time_to_live_only(settings):
    settings.API_IDEMPOTENCY_TTL_HOURS = 24
    _record("old", datetime.timedelta(hours=25))
    _record("fresh", datetime.timedelta(hours=23))
    assert idempotency_records_purge(batch_size=1) == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
    assert idempotency_records_purge() == 0


def test_the_task_purges_and_reports_the_count(settings):
    settings.API_IDEMPOTENCY_TTL_HOURS = 1
    _record("old", datetime.timedelta(hours=2))
    assert purge_idempotency_records.apply().get() == {"deleted": 1}


def test_the_purge_runs_daily_from_an_editable_beat_schedule():
    task = PeriodicTask.objects.get(task="partners.tasks.purge_idempotency_records")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("3", "15")
