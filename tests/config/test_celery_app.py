"""The worker's database connections between tasks (config/celery_app.py, CELERY_DB_REUSE_MAX).

The real worker's side is tests/integration/test_reminder_delivery.py
(test_a_worker_keeps_its_database_connection_from_task_to_task).
"""

from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from config.celery_app import app, release_database_connections


def _task(eager: bool):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_celery_reads_the_reuse_count_from_the_settings(settings):
    assert settings.CELERY_DB_REUSE_MAX >= 1
    assert DjangoWorkerFixup(app).db_reuse_max == settings.CELERY_DB_REUSE_MAX


def test_a_task_hands_its_connections_back_at_its_end(monkeypatch):
    calls = []
    monkeypatch.setattr("django.db.close_old_connections", lambda: calls.append("closed"))
    release_database_connections(task=_task(eager=False))
    assert calls == ["closed"]
    release_database_connections(task=_task(eager=True))
    assert calls == ["closed"]


@pytest.mark.django_db
def test_an_eager_task_leaves_its_callers_connection_alone():
    connection.ensure_connection()
    held = connection.connection
    release_database_connections(task=_task(eager=True))
    assert connection.connection is held and connection.in_atomic_block
