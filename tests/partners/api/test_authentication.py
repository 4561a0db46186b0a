import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import MembershipFactory, ResidencyFactory, UserFactory
from tests.partners.api.conftest import key_client, make_key

pytestmark = pytest.mark.django_db


def test_missing_key_is_401_with_the_scheme_named(consented_firm):
    response = APIClient().get("/api/v1/firms/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(
    "header", ["Api-Key nonsense", "Api-Key abcdefgh.wrong-secret", "Api-Key ", "Bearer x"]
)
def test_wrong_or_malformed_key_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/firms/").status_code == 401


def test_right_prefix_with_a_wrong_secret_is_401(bank_key):
    prefix = bank_key[1].split(".")[0]
    assert key_client(f"{prefix}.not-the-secret").get("/api/v1/firms/").status_code == 401


def test_revoked_key_is_401_on_the_next_request(api, bank_key):
    assert api.get("/api/v1/firms/").status_code == 200
    bank_key[0].revoked_at = timezone.now()
    bank_key[0].save()
    assert api.get("/api/v1/firms/").status_code == 401


def test_expired_key_is_401(bank):
    _key, raw = make_key(bank, expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert key_client(raw).get("/api/v1/firms/").status_code == 401


def test_key_before_its_expiry_works(bank):
    _key, raw = make_key(bank, expires_at=timezone.now() + datetime.timedelta(days=1))
    assert key_client(raw).get("/api/v1/firms/").status_code == 200


def test_key_of_an_organisation_no_longer_a_partner_is_401(api, bank):
    bank.is_partner = False
    bank.save()
    assert api.get("/api/v1/firms/").status_code == 401


def test_use_records_last_used_time(api, bank_key):
    api.get("/api/v1/firms/")
    bank_key[0].refresh_from_db()
    assert bank_key[0].last_used_at is not None


def test_key_is_stored_only_as_a_digest(bank_key):
    key, raw = bank_key
    assert raw not in (key.hashed_key, key.prefix)
    assert key.matches(raw)
    assert len(key.hashed_key) == 64


def _staff_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_staff_session_sees_the_firms_of_their_incubators_only():
    membership = MembershipFactory()
    mine = ResidencyFactory(incubator=membership.incubator).firm
    ResidencyFactory()  # another incubator's firm
    client = _staff_client(membership.user)
    assert [f["id"] for f in client.get("/api/v1/firms/").json()["results"]] == [mine.pk]


def test_staff_session_gets_404_for_a_firm_outside_their_incubators():
    membership = MembershipFactory()
    other = ResidencyFactory().firm
    assert _staff_client(membership.user).get(f"/api/v1/firms/{other.pk}/").status_code == 404


def test_staff_session_cannot_record_loans():
    membership = MembershipFactory()
    mine = ResidencyFactory(incubator=membership.incubator).firm
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(membership.user)
    body = {"instrument": "credit", "applied_on": "2025-01-02"}
    assert client.post(f"/api/v1/firms/{mine.pk}/loans/", body, format="json").status_code == 403


def test_logged_in_non_staff_user_is_refused():
    assert _staff_client(UserFactory()).get("/api/v1/firms/").status_code == 403
