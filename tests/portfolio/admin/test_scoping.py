"""A staff member sees and edits only the firms and data of the incubators they belong to."""

import pytest
from django.urls import reverse

from accounts.models import StaffRole
from portfolio.models import Deadline, Firm, Residency, YearlyFigures
from tests.portfolio.admin.conftest import staff_member
from tests.portfolio.admin.forms import export_data, form_data

pytestmark = pytest.mark.django_db


def test_liaison_firm_list_shows_only_their_incubators_firms(liaison_client, portfolio):
    response = liaison_client.get(reverse("admin:portfolio_firm_changelist"))
    assert [f.pk for f in response.context["cl"].result_list] == [portfolio.firm.pk]


def test_superuser_firm_list_shows_every_firm(admin_client, portfolio):
    response = admin_client.get(reverse("admin:portfolio_firm_changelist"))
    assert {f.pk for f in response.context["cl"].result_list} == {portfolio.firm.pk, portfolio.other_firm.pk}


def _other_objects(portfolio):
    other = portfolio.other_firm
    return {
        "firm": other,
        "certification": portfolio.other_certification,
        "deadline": Deadline.objects.filter(firm=other).first(),
        "residency": Residency.objects.get(firm=other),
        "yearlyfigures": YearlyFigures.objects.get(firm=other),
        "distinction": other.distinctions.get(),
        "complianceincident": other.incidents.get(),
        "innovationselfassessment": other.innovation_assessments.get(),
        "financingevent": other.financing.first(),
        "incubator": portfolio.other_incubator,
    }


@pytest.mark.parametrize(
    "model",
    [
        "firm",
        "certification",
        "deadline",
        "residency",
        "yearlyfigures",
        "financingevent",
        "incubator",
        "distinction",
        "complianceincident",
        "innovationselfassessment",
    ],
)
@pytest.mark.parametrize("view", ["change", "history"])
def test_liaison_gets_404_for_another_incubators_records(liaison_client, portfolio, model, view):
    obj = _other_objects(portfolio)[model]
    response = liaison_client.get(reverse(f"admin:portfolio_{model}_{view}", args=[obj.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "model",
    [
        "firm",
        "certification",
        "residency",
        "yearlyfigures",
        "financingevent",
        "distinction",
        "complianceincident",
        "innovationselfassessment",
    ],
)
def test_manager_gets_404_deleting_another_incubators_records(client, portfolio, model):
    client.force_login(staff_member(portfolio.incubator, StaffRole.MANAGER))
    obj = _other_objects(portfolio)[model]
    url = reverse(f"admin:portfolio_{model}_delete", args=[obj.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"post": "yes"}).status_code == 404
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_liaison_gets_no_rows_of_another_incubator_in_any_list(liaison_client, portfolio):
    response = liaison_client.get(reverse("admin:portfolio_certification_changelist"))
    assert [c.pk for c in response.context["cl"].result_list] == [portfolio.certification.pk]


def test_liaison_can_open_and_save_a_firm_of_their_incubator(liaison_client, portfolio):
    url = reverse("admin:portfolio_firm_change", args=[portfolio.firm.pk])
    page = liaison_client.get(url)
    assert page.status_code == 200
    response = liaison_client.post(url, form_data(page, name_en="Zhiteng Technology"))
    assert response.status_code == 302, response.context and response.context["errors"]
    portfolio.firm.refresh_from_db()
    assert portfolio.firm.name_en == "Zhiteng Technology"


def test_liaison_cannot_post_changes_to_another_incubators_firm(liaison_client, portfolio):
    url = reverse("admin:portfolio_firm_change", args=[portfolio.other_firm.pk])
    response = liaison_client.post(url, {"name": "hijacked"})
    assert response.status_code == 404
    assert Firm.objects.get(pk=portfolio.other_firm.pk).name != "hijacked"


def test_residency_cannot_be_attached_to_another_incubator(liaison_client, portfolio):
    response = liaison_client.post(
        reverse("admin:portfolio_residency_add"),
        {
            "firm": portfolio.firm.pk,
            "incubator": portfolio.other_incubator.pk,
            "entered_on": "2024-01-01",
            "entered_precision": "day",
            "limit_months": 48,
        },
    )
    assert response.status_code == 200
    assert "incubator" in response.context["adminform"].form.errors
    assert not Residency.objects.filter(firm=portfolio.firm, incubator=portfolio.other_incubator).exists()


def test_certification_cannot_be_given_to_a_firm_outside_scope(liaison_client, portfolio):
    response = liaison_client.post(
        reverse("admin:portfolio_certification_add"),
        {"firm": portfolio.other_firm.pk, "kind": portfolio.certification.kind_id, "status": "planned"},
    )
    assert "firm" in response.context["adminform"].form.errors


def test_firm_autocomplete_offers_only_their_firms(liaison_client, portfolio):
    response = liaison_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "portfolio", "model_name": "residency", "field_name": "firm", "term": "有限公司"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(portfolio.firm.pk)]


def test_export_contains_only_their_firms(liaison_client, portfolio):
    url = reverse("admin:portfolio_firm_export")
    response = liaison_client.post(url, export_data(liaison_client.get(url), 0))
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert portfolio.firm.name in body
    assert portfolio.other_firm.name not in body


def test_editing_a_mentor_keeps_the_incubators_the_user_cannot_see(client, portfolio):
    portfolio.mentor.incubators.add(portfolio.other_incubator)
    manager = staff_member(portfolio.incubator, StaffRole.MANAGER)
    client.force_login(manager)
    url = reverse("admin:portfolio_mentor_change", args=[portfolio.mentor.pk])
    page = client.get(url)
    response = client.post(url, form_data(page, title="导师"))
    assert response.status_code == 302
    assert set(portfolio.mentor.incubators.all()) == {portfolio.incubator, portfolio.other_incubator}


def test_counsellor_cannot_change_a_firm(client, portfolio):
    client.force_login(staff_member(portfolio.incubator, StaffRole.COUNSELLOR))
    url = reverse("admin:portfolio_firm_change", args=[portfolio.firm.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "changed"})
    assert response.status_code == 403
