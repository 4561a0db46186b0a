"""Admitting a firm older than 24 months asks for a reason (国科发区〔2018〕300号), on every form."""

import datetime

import pytest
from django.urls import reverse

from portfolio.models import Firm, Residency
from tests.factories import FirmFactory, ResidencyFactory
from tests.portfolio.admin.forms import form_data

pytestmark = pytest.mark.django_db

ADD = "admin:portfolio_firm_add"
FOUNDED = "2021-01-01"


def test_admitting_an_older_firm_without_a_reason_is_a_field_error(liaison_client, portfolio):
    page = liaison_client.get(reverse(ADD))
    response = liaison_client.post(
        reverse(ADD),
        form_data(page, name="青岛老牌科技有限公司", founded_on=FOUNDED, entered_on="2023-01-02"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "24 months" in str(errors["entry_age_reason"])
    assert "国科发区〔2018〕300号" in str(errors["entry_age_reason"])
    assert not Firm.objects.filter(name="青岛老牌科技有限公司").exists()


def test_a_reason_admits_the_older_firm_and_is_kept(liaison_client, portfolio):
    page = liaison_client.get(reverse(ADD))
    response = liaison_client.post(
        reverse(ADD),
        form_data(
            page,
            name="青岛老牌科技有限公司",
            founded_on=FOUNDED,
            entered_on="2023-01-02",
            entry_age_reason="市级重点引进项目,经孵化器管委会同意",
        ),
    )
    assert response.status_code == 302
    residency = Residency.objects.get(firm__name="青岛老牌科技有限公司")
    assert residency.entry_age_reason == "市级重点引进项目,经孵化器管委会同意"


def test_exactly_24_months_needs_no_reason(liaison_client, portfolio):
    page = liaison_client.get(reverse(ADD))
    response = liaison_client.post(
        reverse(ADD),
        form_data(page, name="青岛两年科技有限公司", founded_on=FOUNDED, entered_on="2023-01-01"),
    )
    assert response.status_code == 302


def test_unknown_founding_date_needs_no_reason(liaison_client, portfolio):
    page = liaison_client.get(reverse(ADD))
    response = liaison_client.post(
        reverse(ADD), form_data(page, name="青岛未知科技有限公司", entered_on="2023-01-02")
    )
    assert response.status_code == 302


def _firm_page(client, firm):
    url = reverse("admin:portfolio_firm_change", args=[firm.pk])
    return url, client.get(url)


def test_a_new_stay_on_the_firm_page_asks_for_the_reason(admin_client, portfolio):
    firm = FirmFactory(founded_on=datetime.date(2021, 1, 1))
    url, page = _firm_page(admin_client, firm)
    data = form_data(page)
    prefix = next(
        i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is Residency
    )
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-incubator": str(portfolio.incubator.pk),
            f"{prefix}-0-entered_on": "2024-03-01",
            f"{prefix}-0-entered_precision": "day",
            f"{prefix}-0-limit_months": "48",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert not Residency.objects.filter(firm=firm).exists()
    data[f"{prefix}-0-entry_age_reason"] = "迁入前已在其他孵化器孵化"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert Residency.objects.get(firm=firm).entry_age_reason == "迁入前已在其他孵化器孵化"


def test_an_old_stay_is_not_reopened_when_the_firm_page_is_saved(admin_client, portfolio):
    firm = FirmFactory(founded_on=datetime.date(2015, 1, 1))
    ResidencyFactory(firm=firm, incubator=portfolio.incubator, entered_on=datetime.date(2024, 3, 1))
    url, page = _firm_page(admin_client, firm)
    response = admin_client.post(url, form_data(page, name_en="Renamed"))
    assert response.status_code == 302


def test_the_residency_form_asks_too(admin_client, portfolio):
    firm = FirmFactory(founded_on=datetime.date(2021, 1, 1))
    add = reverse("admin:portfolio_residency_add")
    page = admin_client.get(add)
    data = form_data(page, firm=str(firm.pk), incubator=str(portfolio.incubator.pk), entered_on="2024-03-01")
    response = admin_client.post(add, data)
    assert response.status_code == 200
    assert "entry_age_reason" in response.context["adminform"].form.errors
    response = admin_client.post(add, {**data, "entry_age_reason": "省里特批"})
    assert response.status_code == 302
