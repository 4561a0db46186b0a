"""Migrations apply from scratch on PostgreSQL, and none are missing.

On SQLite, tests/config/test_reference_data.py applies them from scratch (and compares the result
with the database built from the models).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.real_services import require_postgres

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _session_database_migrated_from_scratch(request, vendor: str) -> bool:
    """True when this run's own test database is of ``vendor`` and was just built by applying
    every migration to an empty database (pytest-django does that unless told to reuse the
    database or skip migrations, see tests/reference_data.py): then it already shows what the
    subprocess would."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests import reference_data

    if connection.vendor != vendor or request.config.getoption("reuse_db"):
        return False
    if request.config.getoption("nomigrations") or reference_data.built_from_models(connection):
        return False
    with connection.cursor():
        executor = MigrationExecutor(connection)
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    return True


@pytest.mark.slow
@pytest.mark.django_db
def test_migrations_apply_on_postgresql(request):
    if _session_database_migrated_from_scratch(request, "postgresql"):
        return
    admin_url = require_postgres()
    name = f"incubator_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        result = _manage("migrate", "--noinput", database_url=url)
        assert result.returncode == 0, result.stderr
    finally:
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_no_missing_migrations():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
