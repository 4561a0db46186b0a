"""Every portfolio admin page opens (200) for a superuser with data loaded."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Queries per page for a superuser (session and user included); they do not grow with the rows.
CHANGELIST_QUERIES = {
    "incubator": 5,
    "firm": 6,
    "residency": 7,
    "certificationkind": 5,
    "obligation": 6,
    "certification": 6,
    "deadline": 6,
    "financingevent": 8,
    "programme": 6,
    "mentor": 5,
    "servicerecord": 7,
    "yearlyfigures": 6,
    "distinction": 6,
    "complianceincident": 7,
    "innovationselfassessment": 6,
    "milestone": 5,
    "consent": 6,
    "bankrecommendation": 8,
}
CHANGE_QUERIES = {
    "incubator": 6,
    # 38 before the ladder inputs; their three inlines load their rows in one query each (41);
    # the ladder panel reads the stay and the firm's records (7), the rule sets (1) and this
    # year's filing windows (1), however many years and records the firm has (50); the yearly
    # figures inline no longer reads the firm once more (49); the panel's innovation-score section
    # reads the firm's stored score (none here) (50).
    "firm": 50,
    "residency": 9,
    "certificationkind": 7,
    "obligation": 7,
    "certification": 9,
    "deadline": 10,
    "financingevent": 10,
    "mentor": 6,
    "servicerecord": 8,
    "yearlyfigures": 6,
    "distinction": 5,
    "complianceincident": 5,
    "innovationselfassessment": 6,
    "milestone": 5,
    "consent": 8,
    "bankrecommendation": 9,
    "programme": 6,
}
CHANGELISTS = list(CHANGELIST_QUERIES)
# The firm's partner records are edited in the partners app's admin.
PARTNERS_APP = {"consent", "bankrecommendation"}


def admin_url(model: str, page: str, *args) -> str:
    app = "partners" if model in PARTNERS_APP else "portfolio"
    return reverse(f"admin:{app}_{model}_{page}", args=args)


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_opens_with_pinned_queries(admin_client, portfolio, model, django_assert_num_queries):
    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", [m for m in CHANGELISTS if m != "deadline"])
def test_add_page_opens(admin_client, portfolio, model):
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == 200


def _objects(portfolio):
    from portfolio.models import (
        CertificationKind,
        ComplianceIncident,
        Deadline,
        Distinction,
        InnovationSelfAssessment,
        Obligation,
        Residency,
        YearlyFigures,
    )

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
        "distinction": Distinction.objects.filter(firm=portfolio.firm).first(),
        "complianceincident": ComplianceIncident.objects.filter(firm=portfolio.firm).first(),
        "innovationselfassessment": InnovationSelfAssessment.objects.filter(firm=portfolio.firm).first(),
        "milestone": portfolio.milestone,
        "consent": portfolio.consent,
        "bankrecommendation": portfolio.recommendation,
        "programme": portfolio.programme,
    }


@pytest.mark.parametrize("model", list(CHANGE_QUERIES))
def test_change_page_opens_with_pinned_queries(admin_client, portfolio, model, django_assert_num_queries):
    obj = _objects(portfolio)[model]
    with django_assert_num_queries(CHANGE_QUERIES[model]):
        response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", list(CHANGE_QUERIES))
def test_history_page_opens(admin_client, portfolio, model):
    obj = _objects(portfolio)[model]
    response = admin_client.get(admin_url(model, "history", obj.pk))
    assert response.status_code == 200


def test_deadlines_cannot_be_added_by_hand(admin_client, portfolio):
    response = admin_client.get(reverse("admin:portfolio_deadline_add"))
    assert response.status_code == 403
