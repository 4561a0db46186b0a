"""The quick local test database (built from the models, tests/reference_data.py) is the one the
migrations build: same tables, columns, constraints and indexes, and the same rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.real_services import require_postgres

ROOT = Path(__file__).resolve().parents[2]

SNAPSHOT = """
import json, sys
import django
django.setup()
from django.db import connection
from tests import reference_data
if sys.argv[1] == "models":
    reference_data.build_from_models(connection)
else:
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False)
print(json.dumps(reference_data.snapshot(connection), ensure_ascii=False))
"""


def _snapshot(how: str, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-c", SNAPSHOT, how], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _assert_same(models: dict, migrated: dict) -> None:
    assert sorted(models) == sorted(migrated)
    for table in migrated:
        assert models[table]["columns"] == migrated[table]["columns"], table
        assert models[table]["constraints"] == migrated[table]["constraints"], table
        assert models[table]["rows"] == migrated[table]["rows"], table
    # the comparison compares something: the shipped rows are there
    assert len(migrated["portfolio_certificationkind"]["rows"]) >= 3
    assert migrated["ladder_ruleset"]["rows"] and migrated["scoring_scorepack"]["rows"]
    assert migrated["django_celery_beat_periodictask"]["rows"]


@pytest.mark.slow
def test_sqlite_built_from_the_models_equals_the_migrated_one(tmp_path):
    models = _snapshot("models", f"sqlite:///{tmp_path / 'models.sqlite3'}")
    migrated = _snapshot("migrations", f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    _assert_same(models, migrated)


@pytest.mark.slow
def test_postgresql_built_from_the_models_equals_the_migrated_one():
    admin_url = require_postgres().replace("postgres://", "postgresql://")
    names = {how: f"incubator_reference_{how}_{uuid.uuid4().hex[:8]}" for how in ("models", "migrations")}
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = admin_url.rsplit("/", 1)[0]
        snapshots = {how: _snapshot(how, f"{base}/{name}") for how, name in names.items()}
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for name in names.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _assert_same(snapshots["models"], snapshots["migrations"])
