"""Every portfolio admin page opens (200) for a superuser with data loaded."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "incubator",
    "firm",
    "residency",
    "certificationkind",
    "obligation",
    "certification",
    "deadline",
    "financingevent",
    "programme",
    "mentor",
    "servicerecord",
    "yearlyfigures",
    "milestone",
    "consent",
    "bankrecommendation",
]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_opens(admin_client, portfolio, model):
    response = admin_client.get(reverse(f"admin:portfolio_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [m for m in CHANGELISTS if m != "deadline"])
def test_add_page_opens(admin_client, portfolio, model):
    response = admin_client.get(reverse(f"admin:portfolio_{model}_add"))
    assert response.status_code == 200


def _objects(portfolio):
    from portfolio.models import CertificationKind, Deadline, Obligation, Residency, YearlyFigures

    return {
        "incubator": portfolio.incubator,
        "firm": portfolio.firm,
        "residency": Residency.objects.filter(firm=portfolio.firm).first(),
        "certificationkind": CertificationKind.objects.get(code="hnte"),
        "obligation": Obligation.objects.filter(kind__code="hnte").first(),
        "certification": portfolio.certification,
        "deadline": Deadline.objects.filter(certification=portfolio.certification).first(),
        "financingevent": portfolio.event,
        "mentor": portfolio.mentor,
        "servicerecord": portfolio.service,
        "yearlyfigures": YearlyFigures.objects.filter(firm=portfolio.firm).first(),
        "milestone": portfolio.milestone,
        "consent": portfolio.consent,
        "bankrecommendation": portfolio.recommendation,
    }


@pytest.mark.parametrize("model", [m for m in CHANGELISTS if m != "programme"])
def test_change_page_opens(admin_client, portfolio, model):
    obj = _objects(portfolio)[model]
    response = admin_client.get(reverse(f"admin:portfolio_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", [m for m in CHANGELISTS if m != "programme"])
def test_history_page_opens(admin_client, portfolio, model):
    obj = _objects(portfolio)[model]
    response = admin_client.get(reverse(f"admin:portfolio_{model}_history", args=[obj.pk]))
    assert response.status_code == 200


def test_deadlines_cannot_be_added_by_hand(admin_client, portfolio):
    response = admin_client.get(reverse("admin:portfolio_deadline_add"))
    assert response.status_code == 403
