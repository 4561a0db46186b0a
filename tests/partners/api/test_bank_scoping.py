"""A bank sees exactly the firms whose consent to it is in force; every other firm is a 404."""

import datetime

import pytest
from django.utils import timezone

from partners.services.loans import loan_apply
from portfolio.choices import TechField
from tests.factories import (
    CertificationFactory,
    ConsentFactory,
    FirmFactory,
    RecommendationFactory,
    ResidencyFactory,
)

pytestmark = pytest.mark.django_db

DECISION_BODY = {"status": "approved", "decided_on": "2025-03-02", "amount": "500000.00", "term_months": 12}


def test_firm_that_consented_to_no_one_is_404(api):
    assert api.get(f"/api/v1/firms/{FirmFactory().pk}/").status_code == 404


def test_another_banks_loan_on_a_shared_firm_is_404(api, consented_firm, other_bank):
    ConsentFactory(firm=consented_firm, organisation=other_bank)
    loan = loan_apply(
        bank=other_bank, firm=consented_firm, instrument="credit", applied_on=datetime.date(2025, 3, 1)
    )
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/loans/{loan.pk}/").status_code == 404
    post = api.post(
        f"/api/v1/firms/{consented_firm.pk}/loans/{loan.pk}/decisions/", DECISION_BODY, format="json"
    )
    assert post.status_code == 404
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/loans/").json()["results"] == []


def test_another_banks_pending_application_is_not_in_the_financing_history(api, consented_firm, other_bank):
    ConsentFactory(firm=consented_firm, organisation=other_bank)
    loan_apply(
        bank=other_bank, firm=consented_firm, instrument="credit", applied_on=datetime.date(2025, 3, 1)
    )
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/financing/").json()["results"] == []
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/").json()["financing_summary"]["events"] == 0


def test_firm_list_holds_only_consented_firms(api, consented_firm, hidden_firm):
    FirmFactory()
    ids = [f["id"] for f in api.get("/api/v1/firms/").json()["results"]]
    assert ids == [consented_firm.pk]


@pytest.mark.parametrize(
    "query",
    [
        "city=青岛",
        f"industry={TechField.BIOMEDICINE}",
        "certification_kind=hnte",
        "certification_status=granted",
        "certification_kind=hnte&certification_status=granted",
        "updated_since=2000-01-01T00:00:00Z",
        "ordering=-name",
        "page_size=1",
    ],
)
def test_filters_never_reveal_another_banks_firm(api, bank, hidden_firm, query):
    for firm in (hidden_firm, ConsentFactory(organisation=bank, firm__industry=TechField.BIOMEDICINE).firm):
        firm.industry = TechField.BIOMEDICINE
        firm.save()
        ResidencyFactory(firm=firm)
        CertificationFactory(firm=firm)
    ids = {f["id"] for f in api.get(f"/api/v1/firms/?{query}").json()["results"]}
    assert hidden_firm.pk not in ids
    assert len(ids) == 1


def test_white_list_holds_only_recommendations_to_this_bank_of_consented_firms(
    api, bank, consented_firm, hidden_firm, other_bank
):
    shown = RecommendationFactory(firm=consented_firm, bank=bank)
    RecommendationFactory(firm=hidden_firm, bank=bank)  # recommended to us, but no consent to us
    RecommendationFactory(firm=consented_firm, bank=other_bank)  # another bank's white list
    ids = [entry["id"] for entry in api.get("/api/v1/white-list/").json()["results"]]
    assert ids == [shown.pk]


def test_revoked_consent_takes_effect_on_the_next_request(api, bank, consented_firm):
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/").status_code == 200
    consented_firm.consents.filter(organisation=bank).update(revoked_at=timezone.now())
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/").status_code == 404
    assert api.get("/api/v1/firms/").json()["results"] == []


def test_expired_consent_hides_the_firm(api, bank):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    firm = ConsentFactory(
        organisation=bank, starts_on=yesterday - datetime.timedelta(days=30), ends_on=yesterday
    ).firm
    assert api.get(f"/api/v1/firms/{firm.pk}/").status_code == 404


def test_consent_ending_today_still_applies(api, bank):
    today = timezone.localdate()
    firm = ConsentFactory(
        organisation=bank, starts_on=today - datetime.timedelta(days=30), ends_on=today
    ).firm
    assert api.get(f"/api/v1/firms/{firm.pk}/").status_code == 200


def test_consent_starting_tomorrow_does_not_apply_yet(api, bank):
    firm = ConsentFactory(organisation=bank, starts_on=timezone.localdate() + datetime.timedelta(days=1)).firm
    assert api.get(f"/api/v1/firms/{firm.pk}/").status_code == 404


def test_two_consents_one_revoked_one_in_force_keep_the_firm_visible(api, bank, consented_firm):
    ConsentFactory(firm=consented_firm, organisation=bank, revoked_at=timezone.now())
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/").status_code == 200
    assert len(api.get("/api/v1/firms/").json()["results"]) == 1


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/v1/firms/not-a-number/")
    assert response.status_code == 404
    assert response.json() == api.get("/api/v1/firms/987654321/").json()
