import pytest

from partners.models import AccessLogEntry
from tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db


def test_list_response_records_one_row_with_every_firm_shown(api, bank, bank_key):
    firms = [ConsentFactory(organisation=bank).firm for _ in range(3)]
    api.get("/api/v1/firms/")
    entry = AccessLogEntry.objects.get()
    assert (entry.organisation, entry.api_key, entry.method, entry.status_code) == (
        bank,
        bank_key[0],
        "GET",
        200,
    )
    assert entry.firm_ids == [f.pk for f in firms]
    assert set(entry.firms.values_list("pk", flat=True)) == {f.pk for f in firms}
    assert entry.endpoint == "api/v1/firms/"


def test_nested_endpoint_records_the_firm(api, consented_firm):
    from tests.factories import CertificationFactory

    CertificationFactory(firm=consented_firm)
    api.get(f"/api/v1/firms/{consented_firm.pk}/certifications/")
    assert AccessLogEntry.objects.get().firm_ids == [consented_firm.pk]


def test_loan_write_records_the_firm(api, consented_firm):
    body = {"instrument": "credit", "applied_on": "2025-01-02"}
    api.post(f"/api/v1/firms/{consented_firm.pk}/loans/", body, format="json")
    entry = AccessLogEntry.objects.get()
    assert (entry.method, entry.status_code, entry.firm_ids) == ("POST", 201, [consented_firm.pk])


def test_responses_without_firm_data_are_not_logged(api, hidden_firm):
    api.get(f"/api/v1/firms/{hidden_firm.pk}/")
    api.get("/api/v1/firms/")  # empty page
    assert not AccessLogEntry.objects.exists()
