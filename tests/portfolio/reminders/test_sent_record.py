"""The sent record's commit: asynchronous on PostgreSQL unless REMINDER_SENT_RECORD_DURABLE."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portfolio.models import DeliveryStatus, ReminderDelivery
from portfolio.services.reminders import outbound_send
from portfolio.services.reminders import sending as sending_module
from portfolio.services.reminders.passes import reminders_record
from tests.portfolio.reminders.conftest import THIRTY_DAYS_BEFORE
from tests.real_services import require

pytestmark = pytest.mark.django_db

ASYNCHRONOUS = "set_config('synchronous_commit', 'off', true)"
BACKENDS = "tests.portfolio.reminders.backends"


def _postgres() -> None:
    require(connection.vendor == "postgresql", "a PostgreSQL test database (set DATABASE_URL)")


def _send_all() -> tuple[list[str], list[str]]:
    """Send the three reminders of the fixtures; (the record statements, every statement)."""
    reminders_record(today=THIRTY_DAYS_BEFORE)  # recorded, not handed over
    ids = list(ReminderDelivery.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 3
    with CaptureQueriesContext(connection) as captured:
        outcomes = outbound_send(ReminderDelivery, ids)
    assert [o.status for o in outcomes] == ["sent"] * 3
    statements = [q["sql"] for q in captured.captured_queries]
    # The sent records: the UPDATEs that set sent_at (the claim's UPDATE does not).
    records = [sql for sql in statements if sql.startswith("UPDATE") and '"sent_at"' in sql]
    return records, statements


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_sent_records_commit_without_waiting_for_the_wal_flush_by_default(deadline, contacts, settings):
    _postgres()
    assert settings.REMINDER_SENT_RECORD_DURABLE is False
    records, statements = _send_all()
    assert len(records) == 3 and all(ASYNCHRONOUS in sql for sql in records)
    # Only the sent records: the claim's commit waits for its flush as before.
    assert [sql for sql in statements if ASYNCHRONOUS in sql] == records
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_durable_sent_records_wait_for_the_wal_flush(deadline, contacts, settings):
    _postgres()
    settings.REMINDER_SENT_RECORD_DURABLE = True
    records, statements = _send_all()
    assert len(records) == 3
    assert not any(ASYNCHRONOUS in sql for sql in statements)
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_failure_records_always_wait_for_the_wal_flush(deadline, contacts, settings):
    _postgres()
    settings.EMAIL_BACKEND = f"{BACKENDS}.MailboxUnavailable"
    reminders_record(today=THIRTY_DAYS_BEFORE)  # recorded, not handed over
    delivery = ReminderDelivery.objects.get(email="smith@hailan.example.org")
    with CaptureQueriesContext(connection) as captured:
        outbound_send(ReminderDelivery, [delivery.pk])
    assert not any(ASYNCHRONOUS in q["sql"] for q in captured.captured_queries)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


# Transactional (each statement commits, as in a worker): inside pytest-django's usual test
# transaction a transaction-local setting would last until the test's rollback. The kinds seeded
# by the migrations are restored first, since another transactional test may have flushed them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_record_turns_synchronous_commit_off_for_its_own_transaction_only(deadline, contacts):
    _postgres()
    before = _synchronous_commit()
    assert before != "off"
    # What the commit of an asynchronous record sees: its statement's transaction has
    # synchronous_commit off, so the COMMIT returns before the WAL flush...
    reminders_record(today=THIRTY_DAYS_BEFORE)  # recorded, not handed over
    delivery = ReminderDelivery.objects.get(email="smith@hailan.example.org")
    claimed_at = timezone.now()
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=claimed_at
    )
    sql = sending_module._fenced_update_sql(ReminderDelivery, ("last_error",), True, connection.alias)
    with connection.cursor() as cursor:
        cursor.execute(
            sql + " RETURNING current_setting('synchronous_commit')",
            ["checked", delivery.pk, DeliveryStatus.SENDING, claimed_at],
        )
        assert cursor.fetchall() == [("off",)]
    # ...and the next statement has the connection's own setting again (it goes back to the pool).
    assert _synchronous_commit() == before
    delivery.refresh_from_db()
    assert delivery.last_error == "checked"
    # The same through the sender.
    others = list(ReminderDelivery.objects.exclude(pk=delivery.pk).values_list("pk", flat=True))
    assert [o.status for o in outbound_send(ReminderDelivery, others)] == ["sent", "sent"]
    assert _synchronous_commit() == before


def test_only_postgresql_gets_the_asynchronous_commit(deadline, contacts):
    # other databases get plain updates; on PostgreSQL the tests above say more
    records, statements = _send_all()
    assert len(records) == 3
    assert any("set_config" in sql for sql in statements) == (connection.vendor == "postgresql")
