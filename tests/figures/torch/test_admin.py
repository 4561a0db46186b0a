"""The return in the admin: the incubator page's link and the list's action lead to a page with
the filing window, the validation report and the download; staff reach only their incubators."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole, User
from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user
from tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from tests.figures.torch.factories import YEAR, incubatee

pytestmark = pytest.mark.django_db


def staff_member(incubator, role=StaffRole.MANAGER) -> User:
    staff_roles_setup()
    user = UserFactory(is_staff=False)
    MembershipFactory(user=user, incubator=incubator, role=role)
    staff_roles_sync_user(user=user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def incubator():
    incubator = IncubatorFactory(name="青岛测试孵化器", area_m2=Decimal("1000.00"))
    incubatee(incubator, name="完整公司")
    incubatee(incubator, name="无代码公司", credit_code="")
    return incubator


@pytest.fixture
def manager_client(client, incubator):
    client.force_login(staff_member(incubator))
    return client


def page_url(incubator, **query) -> str:
    url = reverse("admin:portfolio_incubator_torch_return", args=[incubator.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_page_opens_for_a_manager_with_the_window_and_the_report(manager_client, incubator):
    response = manager_client.get(page_url(incubator, year=YEAR))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The return for 2024 is filed from 2025-01-01 to 2025-02-15 (published)." in html
    assert "No unified social credit code (field 2)." in html
    assert "2 incubatees in the return" in html
    assert f'href="?year={YEAR}&amp;format=xlsx"' in html


def test_a_year_without_a_published_window_shows_the_expected_one(manager_client, incubator):
    html = manager_client.get(page_url(incubator, year=2025)).content.decode()
    assert "The return for 2025 is expected to be filed from 2026-01-01 to 2026-01-31" in html


def test_the_page_defaults_to_last_year(manager_client, incubator):
    response = manager_client.get(page_url(incubator))
    assert response.context["ret"].year == timezone.localdate().year - 1


def test_a_future_year_is_a_form_error_and_no_report(manager_client, incubator):
    response = manager_client.get(page_url(incubator, year=timezone.localdate().year + 1))
    assert response.status_code == 200
    assert response.context["ret"] is None
    assert response.context["form"].errors["year"]


def test_the_download_is_the_workbook(manager_client, incubator):
    response = manager_client.get(page_url(incubator, year=YEAR, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"-{YEAR}.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0].max_row == 8 + 2


@pytest.mark.parametrize("fmt", ["", "xlsx"])
def test_staff_of_another_incubator_get_404(client, incubator, fmt):
    client.force_login(staff_member(IncubatorFactory()))
    query = {"year": YEAR, "format": fmt} if fmt else {"year": YEAR}
    assert client.get(page_url(incubator, **query)).status_code == 404


def test_an_unknown_incubator_is_404(manager_client):
    assert manager_client.get("/admin/portfolio/incubator/999999/torch-return/").status_code == 404


def test_the_incubator_page_links_to_the_return(manager_client, incubator):
    html = manager_client.get(
        reverse("admin:portfolio_incubator_change", args=[incubator.pk])
    ).content.decode()
    assert f'href="{page_url(incubator)}"' in html


def test_the_action_on_one_incubator_opens_its_return(manager_client, incubator):
    data = {"action": "torch_return", "_selected_action": [incubator.pk]}
    response = manager_client.post(reverse("admin:portfolio_incubator_changelist"), data)
    assert response.status_code == 302 and response["Location"] == page_url(incubator)


def test_the_action_on_several_incubators_lists_them(admin_client, incubator):
    other = IncubatorFactory(name="烟台测试孵化器")
    data = {"action": "torch_return", "_selected_action": [incubator.pk, other.pk]}
    response = admin_client.post(reverse("admin:portfolio_incubator_changelist"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert page_url(incubator) in html and page_url(other) in html
