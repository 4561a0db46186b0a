"""Recording loan applications and decisions: validation, transitions, idempotency."""

import datetime

import pytest
from django.utils import timezone

from partners.models import IdempotencyRecord, LoanApplication
from portfolio.choices import FinancingKind, InstitutionRole, LoanStatus, RecordOrigin
from portfolio.models import FinancingEvent

pytestmark = pytest.mark.django_db

APPLICATION = {
    "instrument": "rehab_loan",
    "applied_on": "2025-03-01",
    "requested_amount": "1000000.00",
    "term_months": 12,
    "reference": "QD-1",
}


def apply(api, firm, body=None, **headers):
    return api.post(f"/api/v1/firms/{firm.pk}/loans/", body or APPLICATION, format="json", **headers)


def decide(api, firm, loan_id, body, **headers):
    return api.post(f"/api/v1/firms/{firm.pk}/loans/{loan_id}/decisions/", body, format="json", **headers)


def test_application_becomes_the_firms_financing_with_the_bank_as_lender(api, bank, consented_firm):
    response = apply(api, consented_firm)
    assert response.status_code == 201
    event = FinancingEvent.objects.get(pk=response.json()["financing_event"])
    assert (event.firm, event.kind, event.origin, event.recorded_by) == (
        consented_firm,
        FinancingKind.LOAN,
        RecordOrigin.PARTNER_API,
        bank,
    )
    assert event.loan_status == LoanStatus.APPLIED
    assert list(event.participants.values_list("organisation", "role")) == [(bank.pk, InstitutionRole.LENDER)]


def test_unknown_fields_are_rejected_by_name(api, consented_firm):
    response = apply(api, consented_firm, {**APPLICATION, "interest_rate": "3.1"})
    assert response.status_code == 400
    assert set(response.json()) == {"interest_rate"}
    assert not FinancingEvent.objects.exists()


def test_field_errors_name_each_bad_field(api, consented_firm):
    body = {"instrument": "a", "applied_on": "yesterday", "requested_amount": "-5", "term_months": 0}
    errors = apply(api, consented_firm, body).json()
    assert set(errors) == {"instrument", "applied_on", "requested_amount", "term_months"}


def test_body_that_is_not_an_object_is_a_400(api, consented_firm):
    response = api.post(f"/api/v1/firms/{consented_firm.pk}/loans/", [1, 2], format="json")
    assert response.status_code == 400


def test_malformed_json_is_a_400(api, consented_firm):
    response = api.generic(
        "POST", f"/api/v1/firms/{consented_firm.pk}/loans/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_application_dated_in_the_future_is_refused(api, consented_firm):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = apply(api, consented_firm, {**APPLICATION, "applied_on": tomorrow})
    assert response.status_code == 400
    assert "applied_on" in response.json()


def test_equity_instrument_is_not_a_loan(api, consented_firm):
    assert "instrument" in apply(api, consented_firm, {**APPLICATION, "instrument": "a"}).json()


def test_duplicate_reference_of_the_same_bank_is_a_field_error(api, consented_firm):
    apply(api, consented_firm)
    response = apply(api, consented_firm)
    assert response.status_code == 400
    assert "reference" in response.json()


def test_full_life_of_a_loan(api, consented_firm):
    loan_id = apply(api, consented_firm).json()["id"]
    steps = [
        {"status": "approved", "decided_on": "2025-03-10", "amount": "800000.00", "term_months": 12},
        {"status": "disbursed", "decided_on": "2025-03-15"},
        {"status": "repaid", "decided_on": "2025-03-20"},
    ]
    for step in steps:
        response = decide(api, consented_firm, loan_id, step)
        assert response.status_code == 200, response.content
    loan = response.json()
    assert loan["status"] == "repaid"
    assert [d["status"] for d in loan["decisions"]] == ["applied", "approved", "disbursed", "repaid"]
    event = FinancingEvent.objects.get(pk=loan["financing_event"])
    assert (event.amount, event.term_months, event.occurred_on) == (800000, 12, datetime.date(2025, 3, 15))


def test_approval_needs_amount_and_term(api, consented_firm):
    loan_id = apply(api, consented_firm).json()["id"]
    response = decide(api, consented_firm, loan_id, {"status": "approved", "decided_on": "2025-03-10"})
    assert response.status_code == 400
    assert set(response.json()) == {"amount", "term_months"}


def test_rejection_needs_a_reason(api, consented_firm):
    loan_id = apply(api, consented_firm).json()["id"]
    response = decide(api, consented_firm, loan_id, {"status": "rejected", "decided_on": "2025-03-10"})
    assert response.status_code == 400
    assert set(response.json()) == {"note"}


def test_rejected_loan_cannot_be_disbursed(api, consented_firm):
    loan_id = apply(api, consented_firm).json()["id"]
    decide(
        api,
        consented_firm,
        loan_id,
        {"status": "rejected", "decided_on": "2025-03-10", "note": "Collateral."},
    )
    response = decide(api, consented_firm, loan_id, {"status": "disbursed", "decided_on": "2025-03-11"})
    assert response.status_code == 400
    assert set(response.json()) == {"status"}
    assert FinancingEvent.objects.get().loan_status == LoanStatus.REJECTED


def test_decision_cannot_predate_the_previous_step(api, consented_firm):
    loan_id = apply(api, consented_firm).json()["id"]
    body = {"status": "approved", "decided_on": "2025-02-01", "amount": "1.00", "term_months": 1}
    response = decide(api, consented_firm, loan_id, body)
    assert response.status_code == 400
    assert set(response.json()) == {"decided_on"}


def test_retried_application_with_the_same_idempotency_key_creates_one_loan(api, consented_firm):
    first = apply(api, consented_firm, HTTP_IDEMPOTENCY_KEY="7d1c0c3e-retry")
    retry = apply(api, consented_firm, HTTP_IDEMPOTENCY_KEY="7d1c0c3e-retry")
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert LoanApplication.objects.count() == 1
    assert FinancingEvent.objects.count() == 1


def test_retried_decision_is_recorded_once(api, consented_firm):
    loan_id = apply(api, consented_firm).json()["id"]
    body = {"status": "approved", "decided_on": "2025-03-10", "amount": "1.00", "term_months": 3}
    first = decide(api, consented_firm, loan_id, body, HTTP_IDEMPOTENCY_KEY="decision-1")
    retry = decide(api, consented_firm, loan_id, body, HTTP_IDEMPOTENCY_KEY="decision-1")
    assert retry.json() == first.json()
    assert LoanApplication.objects.get().decisions.count() == 2  # applied + approved


def test_same_idempotency_key_with_another_body_is_422(api, consented_firm):
    apply(api, consented_firm, HTTP_IDEMPOTENCY_KEY="k1")
    response = apply(api, consented_firm, {**APPLICATION, "reference": "QD-2"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 422
    assert LoanApplication.objects.count() == 1


def test_failed_write_is_not_remembered_so_the_key_can_be_reused(api, consented_firm):
    assert (
        apply(api, consented_firm, {**APPLICATION, "term_months": 0}, HTTP_IDEMPOTENCY_KEY="k2").status_code
        == 400
    )
    assert apply(api, consented_firm, HTTP_IDEMPOTENCY_KEY="k2").status_code == 201
    assert IdempotencyRecord.objects.count() == 1


def test_idempotency_keys_of_two_banks_do_not_collide(api, bank, other_bank, consented_firm):
    from tests.factories import ConsentFactory
    from tests.partners.api.conftest import key_client, make_key

    ConsentFactory(firm=consented_firm, organisation=other_bank)
    other = key_client(make_key(other_bank)[1])
    apply(api, consented_firm, HTTP_IDEMPOTENCY_KEY="same")
    assert apply(other, consented_firm, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert LoanApplication.objects.count() == 2


def test_invalid_idempotency_key_is_a_400_naming_the_header(api, consented_firm):
    response = apply(api, consented_firm, HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
