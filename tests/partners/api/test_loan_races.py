"""Two applications with one reference at once: one is recorded, the other is the usual 400."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from partners.api import views
from partners.models import LoanApplication
from partners.services import loans
from portfolio.models import FinancingEvent, FinancingParticipant
from tests.partners.api.conftest import key_client
from tests.partners.api.test_loans import apply

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
@pytest.mark.parametrize(
    ("first_key", "second_key", "second_status"),
    [(None, None, 400), ("key-1", "key-2", 400), ("same-key", "same-key", 201)],
    ids=["no-keys", "two-keys", "one-key"],
)
def test_concurrent_applications_with_one_reference_on_postgresql(
    bank, bank_key, consented_firm, monkeypatch, first_key, second_key, second_status
):
    """The first holds its transaction open after its insert until the second waits on the index.

    With two keys (or none) the second is the usual 400 on reference; with one Idempotency-Key
    it is the retry of the first, and replays its 201.
    """
    if connection.vendor != "postgresql":
        pytest.skip("row locks on a unique index: PostgreSQL")
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}
    loan_apply = views.loan_apply

    def first_pauses_after_its_insert(**kwargs):
        application = loan_apply(**kwargs)
        if threading.current_thread().name == "first":
            inserted.set()
            release.wait(20)
        return application

    monkeypatch.setattr(views, "loan_apply", first_pauses_after_its_insert)

    def send(name: str, key: str | None) -> None:
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
        try:
            results[name] = apply(
                key_client(bank_key[1]), consented_firm, HTTP_ACCEPT_LANGUAGE="en", **headers
            )
        except Exception as exc:  # reported by the assertions below
            results[name] = exc
        finally:
            inserted.set()
            connections.close_all()

    first = threading.Thread(target=send, args=("first", first_key), name="first")
    second = threading.Thread(target=send, args=("second", second_key), name="second")
    first.start()
    assert inserted.wait(20)
    second.start()
    deadline = time.monotonic() + 20
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    blocked = _waiting_on_a_lock()
    release.set()
    first.join(30)
    second.join(30)

    assert blocked, "the second request never waited on the first one's insert"
    for name in ("first", "second"):
        assert not isinstance(results[name], Exception), repr(results[name])
    assert results["first"].status_code == 201
    response = results["second"]
    assert response.status_code == second_status
    assert response.headers["Content-Type"] == "application/json"
    if second_status == 400:
        assert response.json() == DUPLICATE
    else:
        assert response.json() == results["first"].json()
        assert response.headers["Idempotent-Replayed"] == "true"
    assert LoanApplication.objects.count() == 1
    assert FinancingEvent.objects.count() == 1
    assert FinancingParticipant.objects.count() == 1
