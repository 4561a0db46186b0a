"""The partner API shows a certificate's status as of today, not as of the last reminder pass."""

import datetime

import pytest

from portfolio.choices import CertificationStatus
from portfolio.models import Certification
from tests.factories import CertificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lapsed_but_not_yet_expired(consented_firm):
    """Granted, valid through 2025-11-30; no reminder pass has run since."""
    certification = CertificationFactory(firm=consented_firm, issued_on=datetime.date(2022, 12, 1))
    assert Certification.objects.get(pk=certification.pk).status == CertificationStatus.GRANTED
    return certification


@pytest.fixture
def on(monkeypatch):
    def freeze(day):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    return freeze


def test_firm_shows_a_lapsed_certificate_as_expired(api, consented_firm, lapsed_but_not_yet_expired, on):
    on(datetime.date(2025, 12, 1))
    [row] = api.get(f"/api/v1/firms/{consented_firm.pk}/").json()["certifications"]
    assert row["status"] == "expired"


def test_certification_list_shows_a_lapsed_certificate_as_expired(
    api, consented_firm, lapsed_but_not_yet_expired, on
):
    on(datetime.date(2025, 12, 1))
    [row] = api.get(f"/api/v1/firms/{consented_firm.pk}/certifications/").json()["results"]
    assert row["status"] == "expired"


def test_on_its_last_day_it_is_still_granted(api, consented_firm, lapsed_but_not_yet_expired, on):
    on(datetime.date(2025, 11, 30))
    [row] = api.get(f"/api/v1/firms/{consented_firm.pk}/certifications/").json()["results"]
    assert row["status"] == "granted"


def test_status_filters_use_the_status_as_of_today(api, consented_firm, lapsed_but_not_yet_expired, on):
    on(datetime.date(2025, 12, 1))
    base = f"/api/v1/firms/{consented_firm.pk}/certifications/"
    assert [r["status"] for r in api.get(base, {"status": "expired"}).json()["results"]] == ["expired"]
    assert api.get(base, {"status": "granted"}).json()["results"] == []
    firms = api.get("/api/v1/firms/", {"certification_kind": "hnte", "certification_status": "granted"})
    assert firms.json()["results"] == []
    firms = api.get("/api/v1/firms/", {"certification_kind": "hnte", "certification_status": "expired"})
    assert [f["id"] for f in firms.json()["results"]] == [consented_firm.pk]


def test_certification_list_says_how_precise_the_expiry_is(api, consented_firm):
    CertificationFactory(firm=consented_firm, issued_on=datetime.date(2023, 1, 1), issued_precision="year")
    [row] = api.get(f"/api/v1/firms/{consented_firm.pk}/certifications/").json()["results"]
    assert (row["expires_on"], row["expires_precision"]) == ("2026-01-01", "year")
