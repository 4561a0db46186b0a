"""Two applications with one reference at once: one is recorded, the other is the usual 400."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction

from partners.models import LoanApplication
from partners.services import loans
from portfolio.models import FinancingEvent, FinancingParticipant
from tests.partners.api.conftest import key_client
from tests.partners.api.test_loans import APPLICATION, apply

DUPLICATE = {"reference": ["You already recorded a loan with this reference."]}


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "second-attempt"}])
def test_loser_of_the_unique_index_gets_the_field_error_and_leaves_nothing(
    api, consented_firm, monkeypatch, headers
):
    """The race's losing path on any engine: the existence check passes, the index refuses."""
    assert apply(api, consented_firm).status_code == 201
    monkeypatch.setattr(loans, "_reference_taken", lambda bank, reference: False)
    response = apply(api, consented_firm, HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == DUPLICATE
    assert LoanApplication.objects.count() == 1
    assert FinancingEvent.objects.count() == 1
    assert FinancingParticipant.objects.count() == 1


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


# serialized_rollback: as the suite's other transactional tests (see test_live_server).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_applications_with_one_reference_on_postgresql(bank, bank_key, consented_firm):
    """The first holds its insert uncommitted until the second waits on the unique index."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks on a unique index: PostgreSQL")
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                loans.loan_apply(
                    bank=bank,
                    firm=consented_firm,
                    instrument="rehab_loan",
                    applied_on=datetime.date(2025, 3, 1),
                    reference=APPLICATION["reference"],
                )
                inserted.set()
                release.wait(20)
            results["first"] = "committed"
        except Exception as exc:  # reported by the assertions below
            results["first"] = exc
        finally:
            inserted.set()
            connections.close_all()

    def second() -> None:
        try:
            results["second"] = apply(key_client(bank_key[1]), consented_firm, HTTP_ACCEPT_LANGUAGE="en")
        except Exception as exc:
            results["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert inserted.wait(20)
    threads[1].start()
    deadline = time.monotonic() + 20
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    blocked = _waiting_on_a_lock()
    release.set()
    for thread in threads:
        thread.join(30)

    assert blocked, "the second request never waited on the first one's insert"
    assert results["first"] == "committed"
    response = results["second"]
    assert not isinstance(response, Exception), repr(response)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == DUPLICATE
    assert LoanApplication.objects.count() == 1
    assert FinancingEvent.objects.count() == 1
    assert FinancingParticipant.objects.count() == 1
