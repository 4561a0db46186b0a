"""Incremental sync: ``updated_since`` lists exactly the visible firms with a change since then,
whichever of the firm's shown records changed (read through each table's updated_at index)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from partners.models import Consent
from portfolio.models import Certification, FinancingEvent, Firm, Residency, YearlyFigures
from tests.factories import (
    CertificationFactory,
    ConsentFactory,
    FinancingEventFactory,
    FirmFactory,
    ResidencyFactory,
    YearlyFiguresFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=400)
SINCE = timezone.now() - datetime.timedelta(hours=1)


def _age_everything() -> None:
    for model in (Firm, Certification, FinancingEvent, YearlyFigures, Residency, Consent):
        model.objects.update(updated_at=LONG_AGO)
    Consent.objects.update(starts_on=LONG_AGO.date())


def _synced(api) -> set[int]:
    response = api.get("/api/v1/firms/", {"updated_since": SINCE.isoformat(), "page_size": 200})
    assert response.status_code == 200
    return {firm["id"] for firm in response.json()["results"]}


@pytest.fixture
def firms(bank):
    made = [ConsentFactory(organisation=bank).firm for _ in range(3)]
    for firm in made:
        ResidencyFactory(firm=firm)
        CertificationFactory(firm=firm)
        FinancingEventFactory(firm=firm)
        YearlyFiguresFactory(firm=firm)
    _age_everything()
    return made


CHANGES = {
    "its own row": lambda firm: Firm.objects.filter(pk=firm.pk).update(updated_at=timezone.now()),
    "a certification": lambda firm: CertificationFactory(firm=firm, kind__code="tsme"),
    "financing": lambda firm: FinancingEvent.objects.filter(firm=firm).update(updated_at=timezone.now()),
    "figures": lambda firm: YearlyFigures.objects.filter(firm=firm).update(updated_at=timezone.now()),
    "a residency": lambda firm: Residency.objects.filter(firm=firm).update(updated_at=timezone.now()),
    "its consent (edited)": lambda firm: Consent.objects.filter(firm=firm).update(updated_at=timezone.now()),
    "its consent (starts today)": lambda firm: Consent.objects.filter(firm=firm).update(
        starts_on=timezone.localdate()
    ),
}


def test_nothing_changed_nothing_listed(api, firms):
    assert _synced(api) == set()


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_any_shown_record_lists_the_firm(api, firms, change):
    CHANGES[change](firms[1])
    assert _synced(api) == {firms[1].pk}


def test_another_banks_consent_changing_is_not_a_change_for_you(api, firms, other_bank):
    ConsentFactory(firm=firms[0], organisation=other_bank)
    assert _synced(api) == set()


def test_a_change_to_a_firm_you_may_not_see_is_not_listed(api, firms):
    hidden = FirmFactory()
    CertificationFactory(firm=hidden)
    assert _synced(api) == set()
