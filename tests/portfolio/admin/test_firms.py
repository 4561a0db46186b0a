"""Adding and editing firms in the admin; model constraints show as form errors, never 500s."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from portfolio.models import Deadline, Firm, Residency, YearlyFigures
from tests.factories import MembershipFactory
from tests.portfolio.admin.conftest import staff_member
from tests.portfolio.admin.forms import form_data

pytestmark = pytest.mark.django_db

ADD = "admin:portfolio_firm_add"


def test_add_form_preselects_the_only_incubator_of_a_staff_member(liaison_client, portfolio):
    page = liaison_client.get(reverse(ADD))
    field = page.context["adminform"].form.fields["incubator"]
    assert field.required
    assert list(field.queryset) == [portfolio.incubator]
    assert page.context["adminform"].form["incubator"].value() == portfolio.incubator.pk


def test_new_firm_of_a_staff_member_gets_an_open_residency(liaison_client, portfolio):
    page = liaison_client.get(reverse(ADD))
    response = liaison_client.post(
        reverse(ADD), form_data(page, name="青岛新增科技有限公司", entered_on="2025-02-03")
    )
    assert response.status_code == 302
    firm = Firm.objects.get(name="青岛新增科技有限公司")
    residency = Residency.objects.get(firm=firm)
    assert (residency.incubator, residency.entered_on, residency.exited_on) == (
        portfolio.incubator,
        datetime.date(2025, 2, 3),
        None,
    )
    assert liaison_client.get(reverse("admin:portfolio_firm_change", args=[firm.pk])).status_code == 200


def test_staff_member_of_two_incubators_must_choose_one(client, portfolio):
    user = staff_member(portfolio.incubator)
    MembershipFactory(user=user, incubator=portfolio.other_incubator, role=StaffRole.LIAISON)
    client.force_login(user)
    page = client.get(reverse(ADD))
    response = client.post(reverse(ADD), form_data(page, name="青岛未定科技有限公司"))
    assert response.status_code == 200
    assert "incubator" in response.context["adminform"].form.errors
    assert not Firm.objects.filter(name="青岛未定科技有限公司").exists()


def test_superuser_may_add_a_firm_without_an_incubator(admin_client, portfolio):
    page = admin_client.get(reverse(ADD))
    response = admin_client.post(reverse(ADD), form_data(page, name="青岛独立科技有限公司"))
    assert response.status_code == 302
    assert not Residency.objects.filter(firm__name="青岛独立科技有限公司").exists()


def test_duplicate_legal_name_in_other_case_is_a_form_error(admin_client, portfolio):
    portfolio.firm.name = "Acme Qingdao Ltd"
    portfolio.firm.save()
    page = admin_client.get(reverse(ADD))
    response = admin_client.post(reverse(ADD), form_data(page, name="ACME QINGDAO LTD"))
    assert response.status_code == 200
    assert "A firm with this legal name already exists." in str(response.context["adminform"].form.errors)


def test_invalid_credit_code_is_a_field_error(admin_client, portfolio):
    page = admin_client.get(reverse(ADD))
    response = admin_client.post(
        reverse(ADD), form_data(page, name="青岛码错科技有限公司", credit_code="91350100M000100Y44")
    )
    assert "credit_code" in response.context["adminform"].form.errors


def _change(client, firm):
    url = reverse("admin:portfolio_firm_change", args=[firm.pk])
    return url, client.get(url)


def _inline_prefix(page, model) -> str:
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise LookupError(model)


def test_exit_date_without_reason_is_an_inline_error(liaison_client, portfolio):
    url, page = _change(liaison_client, portfolio.firm)
    prefix = _inline_prefix(page, Residency)
    response = liaison_client.post(url, form_data(page, **{f"{prefix}-0-exited_on": "2025-06-30"}))
    assert response.status_code == 200
    assert "Give an exit reason exactly when an exit date is set." in response.content.decode()
    assert Residency.objects.get(firm=portfolio.firm).exited_on is None


def test_second_open_residency_in_the_same_incubator_is_an_inline_error(liaison_client, portfolio):
    url, page = _change(liaison_client, portfolio.firm)
    prefix = _inline_prefix(page, Residency)
    data = form_data(page)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-incubator": str(portfolio.incubator.pk),
            f"{prefix}-1-entered_on": "2025-01-01",
            f"{prefix}-1-entered_precision": "day",
            f"{prefix}-1-limit_months": "48",
        }
    )
    response = liaison_client.post(url, data)
    assert response.status_code == 200
    assert "This firm already has an open residency in this incubator." in response.content.decode()
    assert Residency.objects.filter(firm=portfolio.firm).count() == 1


def test_rd_staff_above_employees_is_an_inline_error(liaison_client, portfolio):
    url, page = _change(liaison_client, portfolio.firm)
    prefix = _inline_prefix(page, YearlyFigures)
    response = liaison_client.post(url, form_data(page, **{f"{prefix}-0-rd_staff": "500"}))
    assert response.status_code == 200
    assert "R&amp;D staff cannot exceed the number of employees." in response.content.decode()


def test_firm_page_shows_the_incubation_clock_and_over_limit(liaison_client, portfolio):
    Residency.objects.filter(firm=portfolio.firm).update(entered_on=datetime.date(2015, 1, 1))
    _, page = _change(liaison_client, portfolio.firm)
    assert "incubation-over-limit" in page.content.decode()


def test_firm_page_shows_the_next_open_deadline_of_each_certification(liaison_client, portfolio):
    next_due = portfolio.certification.deadlines.filter(status="open").order_by("due_on").first().due_on
    _, page = _change(liaison_client, portfolio.firm)
    assert next_due.isoformat() in page.content.decode()


def test_firm_list_search_finds_other_names_and_credit_codes(admin_client, portfolio):
    url = reverse("admin:portfolio_firm_changelist")
    by_alias = admin_client.get(url, {"q": "（旧名）"}).context["cl"].result_list
    assert {f.pk for f in by_alias} == {portfolio.firm.pk, portfolio.other_firm.pk}
    portfolio.firm.credit_code = "91350100M000100Y43"
    portfolio.firm.save()
    by_code = admin_client.get(url, {"q": "91350100M000100Y43"}).context["cl"].result_list
    assert [f.pk for f in by_code] == [portfolio.firm.pk]


def test_firm_list_filters_by_deadline_window(admin_client, portfolio):
    url = reverse("admin:portfolio_firm_changelist")
    today = timezone.localdate()
    soon = portfolio.certification.deadlines.first()
    later = portfolio.other_certification.deadlines.first()
    Deadline.objects.exclude(pk__in=[soon.pk, later.pk]).delete()
    Deadline.objects.filter(pk=soon.pk).update(due_on=today + datetime.timedelta(days=10), status="open")
    Deadline.objects.filter(pk=later.pk).update(due_on=today + datetime.timedelta(days=200), status="open")
    listed = admin_client.get(url, {"due": "30"}).context["cl"].result_list
    assert portfolio.firm in list(listed)
    assert portfolio.other_firm not in list(listed)
