""" "In force" has one definition (``Consent.objects.in_force``): the API, the admin filter and
the admin column all read it, and they agree at every edge."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Consent
from partners.selectors import ApiViewer, firms_visible_to
from tests.factories import BankFactory, ConsentFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 12, 0))
TODAY = timezone.localdate(NOW)
DAY = datetime.timedelta(days=1)

# name: (consent fields, in force at NOW)
EDGES = {
    "open-ended": ({"starts_on": TODAY - 30 * DAY}, True),
    "starts today": ({"starts_on": TODAY}, True),
    "starts tomorrow": ({"starts_on": TODAY + DAY}, False),
    "ends today (inclusive)": ({"starts_on": TODAY - 30 * DAY, "ends_on": TODAY}, True),
    "ended yesterday": ({"starts_on": TODAY - 30 * DAY, "ends_on": TODAY - DAY}, False),
    "revoked an hour ago": (
        {"starts_on": TODAY - 30 * DAY, "revoked_at": NOW - datetime.timedelta(hours=1)},
        False,
    ),
    "revocation later today": (
        {"starts_on": TODAY - 30 * DAY, "revoked_at": NOW + datetime.timedelta(hours=1)},
        True,
    ),
}


@pytest.fixture
def consents():
    bank = BankFactory()
    made = {name: ConsentFactory(organisation=bank, **fields) for name, (fields, _) in EDGES.items()}
    return bank, made


def test_in_force_at_every_edge(consents):
    _, made = consents
    in_force = set(Consent.objects.in_force(NOW).values_list("pk", flat=True))
    assert {name for name, c in made.items() if c.pk in in_force} == {n for n, (_, ok) in EDGES.items() if ok}


def test_annotation_agrees_with_the_filter(consents):
    rows = dict(Consent.objects.annotate_in_force(NOW).values_list("pk", "is_in_force"))
    in_force = set(Consent.objects.in_force(NOW).values_list("pk", flat=True))
    assert {pk for pk, flag in rows.items() if flag} == in_force


def test_api_shows_exactly_the_firms_with_a_consent_in_force(consents):
    bank, made = consents
    visible = set(firms_visible_to(ApiViewer(organisation=bank), now=NOW).values_list("pk", flat=True))
    assert visible == {c.firm_id for name, c in made.items() if EDGES[name][1]}


@pytest.mark.usefixtures("consents")
def test_admin_filter_and_column_use_the_same_rule(admin_client):
    today_in_force = set(Consent.objects.in_force().values_list("pk", flat=True))
    response = admin_client.get(reverse("admin:partners_consent_changelist"), {"state": "active"})
    assert {c.pk for c in response.context["cl"].result_list} == today_in_force
    assert all(c.is_in_force for c in response.context["cl"].result_list)
