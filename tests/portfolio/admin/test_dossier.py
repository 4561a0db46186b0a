"""The firm's dossier: one read-only screen, the user's incubators only, a fixed query count."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from portfolio.choices import FinancingKind
from portfolio.models import Milestone
from tests.factories import (
    CertificationFactory,
    ContactFactory,
    FinancingEventFactory,
    ServiceRecordFactory,
    kind,
)

pytestmark = pytest.mark.django_db


def dossier_url(firm) -> str:
    return reverse("admin:portfolio_firm_dossier", args=[firm.pk])


def test_the_dossier_shows_profile_ladder_timeline_deadlines_and_services(liaison_client, portfolio):
    page = liaison_client.get(dossier_url(portfolio.firm)).content.decode()
    for section in ("profile", "stays", "contacts", "deadlines", "services", "timeline"):
        assert f'id="dossier-{section}"' in page
    assert 'id="ladder-panel"' in page
    assert portfolio.milestone.title in page
    assert "高企申报辅导" in page  # the service
    assert portfolio.firm.contacts.first().name in page


def test_the_timeline_is_newest_first_with_the_undated_last(liaison_client, portfolio):
    Milestone.objects.create(firm=portfolio.firm, title="没有日期的里程碑")
    FinancingEventFactory(firm=portfolio.firm, kind=FinancingKind.LOAN, occurred_on=datetime.date(2025, 8, 1))
    timeline = [entry for entry, _ in liaison_client.get(dossier_url(portfolio.firm)).context["timeline"]]
    dated = [entry.on for entry in timeline if entry.on]
    assert dated == sorted(dated, reverse=True)
    assert timeline[-1].title == "没有日期的里程碑"
    assert {"milestone", "certification", "financing"} <= {entry.kind for entry in timeline}


def test_another_incubators_dossier_is_not_found(liaison_client, portfolio):
    assert liaison_client.get(dossier_url(portfolio.other_firm)).status_code == 404


def test_the_dossier_is_linked_from_the_change_page_and_the_list(liaison_client, portfolio):
    change = liaison_client.get(reverse("admin:portfolio_firm_change", args=[portfolio.firm.pk]))
    assert dossier_url(portfolio.firm) in change.content.decode()
    listing = liaison_client.get(reverse("admin:portfolio_firm_changelist"))
    assert dossier_url(portfolio.firm) in listing.content.decode()


def test_the_dossier_has_no_form(liaison_client, portfolio):
    page = liaison_client.get(dossier_url(portfolio.firm)).content.decode()
    assert "<form" not in page.split('id="content-main"')[1]


def add_records(portfolio, n: int) -> None:
    for i in range(n):
        ContactFactory(firm=portfolio.firm)
        Milestone.objects.create(
            firm=portfolio.firm, occurred_on=datetime.date(2020, 1, 1 + i), title=f"里程碑{i}"
        )
        FinancingEventFactory(firm=portfolio.firm, occurred_on=datetime.date(2021, 1, 1 + i))
        CertificationFactory(
            firm=portfolio.firm, kind=kind("tsme"), issued_on=datetime.date(2019 + i % 5, 1, 1 + i)
        )
        service = ServiceRecordFactory(
            incubator=portfolio.incubator, mentor=portfolio.mentor, topic=f"辅导{i}"
        )
        service.firms.add(portfolio.firm)


# For a liaison: session, user, permissions (2), memberships, the firm, its certificates, stays,
# services, deadlines, milestones, financing, aliases, contacts (9), then the ladder panel: rule
# sets, facts (7), windows, the innovation score (10).
DOSSIER_QUERIES = 24


@pytest.mark.parametrize("records", [0, 12])
def test_dossier_queries_do_not_grow_with_records(
    liaison_client, portfolio, records, django_assert_num_queries
):
    add_records(portfolio, records)
    with django_assert_num_queries(DOSSIER_QUERIES):
        response = liaison_client.get(dossier_url(portfolio.firm))
    assert response.status_code == 200
    assert len(response.context["timeline"]) >= 3 * records
