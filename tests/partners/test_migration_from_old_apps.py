"""Moving the partner models into the partners app keeps every row (PostgreSQL and SQLite).

A fresh database is migrated to the last state before the move, filled through the models as
they were then (accounts' API keys, access log, idempotency records, loans; portfolio's consents
and white list with their history; content types, a role group's permission, the purge task),
migrated forward, and read back from the partners app's tables.
"""

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
BEFORE = [("accounts", "0004_idempotency_purge_schedule"), ("portfolio", "0007_firm_name_index")]

FILL = r"""
import datetime, json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = json.loads(sys.argv[1])
call_command("migrate", "accounts", BEFORE[0][1], verbosity=0)
call_command("migrate", "portfolio", BEFORE[1][1], verbosity=0)
apps = MigrationExecutor(connection).loader.project_state([tuple(t) for t in BEFORE]).apps
# What post_migrate leaves after a deploy: the old apps' content types and permissions.
ContentType, Permission = apps.get_model("contenttypes", "ContentType"), apps.get_model("auth", "Permission")
for label in ("accounts", "portfolio"):
    for model in apps.get_app_config(label).get_models():
        ct, _ = ContentType.objects.get_or_create(app_label=label, model=model._meta.model_name)
        Permission.objects.get_or_create(
            content_type=ct, codename=f"view_{model._meta.model_name}", defaults={"name": "view"}
        )

A = lambda app, model: apps.get_model(app, model)
today = datetime.date(2026, 1, 5)
now = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.timezone.utc)
user = A("accounts", "User").objects.create(email="staff@example.org", password="!")
bank = A("accounts", "Organisation").objects.create(name="青岛银行", kind="bank", is_partner=True)
incubator = A("portfolio", "Incubator").objects.create(name="孵化器")
firm = A("portfolio", "Firm").objects.create(name="迁移科技")
key = A("accounts", "ApiKey").objects.create(
    organisation=bank, name="loans", prefix="abcd1234", hashed_key="f" * 64, created_by=user
)
entry = A("accounts", "AccessLogEntry").objects.create(
    organisation=bank, api_key=key, method="GET", endpoint="firm-list", path="/api/v1/firms/",
    status_code=200, firm_ids=[firm.pk],
)
entry.firms.add(firm)
A("accounts", "IdempotencyRecord").objects.create(
    scope=f"org:{bank.pk}", key="k-1", fingerprint="0" * 64, method="POST", path="/x",
    response_status=201, response_body='{"id": 1}',
)
event = A("portfolio", "FinancingEvent").objects.create(
    firm=firm, kind="loan", occurred_on=today, origin="partner_api", loan_status="approved"
)
loan = A("accounts", "LoanApplication").objects.create(
    event=event, bank=bank, reference="R-1", applied_on=today
)
A("accounts", "LoanDecision").objects.create(
    application=loan, status="approved", decided_on=today, api_key=key
)
consent = A("portfolio", "Consent").objects.create(firm=firm, organisation=bank, starts_on=today)
A("portfolio", "HistoricalConsent").objects.create(
    id=consent.pk, firm=firm, organisation=bank, starts_on=today, created_at=now, updated_at=now,
    history_date=now, history_type="+", history_user=user,
)
recommendation = A("portfolio", "BankRecommendation").objects.create(
    firm=firm, incubator=incubator, bank=bank, recommended_on=today
)
A("portfolio", "HistoricalBankRecommendation").objects.create(
    id=recommendation.pk, firm=firm, incubator=incubator, bank=bank, recommended_on=today,
    status="recommended", created_at=now, updated_at=now, history_date=now, history_type="+",
)
group = A("auth", "Group").objects.create(name="Liaison")
group.permissions.add(A("auth", "Permission").objects.get(codename="view_consent"))
print(json.dumps({"firm": firm.pk, "key": key.pk, "consent": consent.pk, "group": group.pk}))
"""

READ = r"""
import json
import django
django.setup()
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django_celery_beat.models import PeriodicTask
from partners.models import (
    AccessLogEntry, ApiKey, BankRecommendation, Consent, IdempotencyRecord, LoanApplication, LoanDecision,
)
key = ApiKey.objects.get()
entry = AccessLogEntry.objects.get()
print(json.dumps({
    "key": [key.pk, key.prefix, key.hashed_key, key.organisation.name, key.created_by.email],
    "access": [entry.api_key_id == key.pk, entry.firm_ids, list(entry.firms.values_list("name", flat=True))],
    "idempotency": list(IdempotencyRecord.objects.values_list("key", "response_body")),
    "loan": [LoanApplication.objects.get().reference, LoanDecision.objects.get().api_key_id == key.pk],
    "consent_history": list(Consent.history.values_list("history_type", "history_user__email")),
    "recommendation_history": BankRecommendation.history.count(),
    "consents": Consent.objects.count(),
    "content_types": sorted(ContentType.objects.filter(app_label="partners").values_list("model", flat=True)),
    "stale_content_types": ContentType.objects.filter(
        app_label__in=["accounts", "portfolio"], model__in=["apikey", "consent", "loanapplication"]
    ).count(),
    "group_permissions": list(
        Group.objects.get(name="Liaison").permissions.values_list("content_type__app_label", "codename")
    ),
    "purge_task": list(
        PeriodicTask.objects.filter(name__startswith="partner API").values_list("task", flat=True)
    ),
}))
"""


def _python(code: str, *args: str, database_url: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _move_and_read(database_url: str) -> dict:
    _python(FILL, json.dumps(BEFORE), database_url=database_url)
    _python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0)",
        database_url=database_url,
    )
    return json.loads(_python(READ, database_url=database_url).strip().splitlines()[-1])


def _assert_everything_kept(after: dict) -> None:
    assert after["key"][1:] == ["abcd1234", "f" * 64, "青岛银行", "staff@example.org"]
    assert after["access"][0] is True
    assert after["access"][2] == ["迁移科技"]
    assert after["idempotency"] == [["k-1", '{"id": 1}']]
    assert after["loan"] == ["R-1", True]
    assert after["consent_history"] == [["+", "staff@example.org"]]
    assert after["recommendation_history"] == 1
    assert after["consents"] == 1
    assert {"apikey", "accesslogentry", "consent", "historicalconsent", "loanapplication"} <= set(
        after["content_types"]
    )
    assert after["stale_content_types"] == 0
    # The role group's permission followed its model (same row, relabelled content type).
    assert after["group_permissions"] == [["partners", "view_consent"]]
    assert after["purge_task"] == ["partners.tasks.purge_idempotency_records"]


@pytest.mark.slow
def test_move_keeps_every_row_on_postgresql():
    admin_url = require_postgres()
    name = f"incubator_move_{uuid.uuid4().hex[:8]}"
    conninfo = admin_url.replace("postgres://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        _assert_everything_kept(_move_and_read(admin_url.rsplit("/", 1)[0] + f"/{name}"))
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite"])
def test_move_keeps_every_row_on_sqlite(tmp_path, engine):
    _assert_everything_kept(_move_and_read(f"sqlite:///{tmp_path / 'moved.sqlite3'}"))
