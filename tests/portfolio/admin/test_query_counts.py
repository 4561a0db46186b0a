"""List pages stay flat in queries as the portfolio grows (no N+1)."""

import copy

import pytest
from django.urls import reverse

from tests.module_data import built_once
from tests.portfolio.admin.conftest import Portfolio, firm_with_everything, portfolio_build

pytestmark = pytest.mark.django_db

# For a non-superuser: session, user, their permissions (2), their incubator ids, then the page's own.
PAGES = {
    "admin:portfolio_firm_changelist": 9,
    "admin:portfolio_certification_changelist": 9,
    "admin:portfolio_deadline_changelist": 9,
    "admin:portfolio_residency_changelist": 10,
    "admin:portfolio_financingevent_changelist": 11,
    "admin:portfolio_deadline_upcoming": 6,
}


@pytest.fixture(scope="module", params=[1, 50], ids=lambda firms: f"{firms}-firms")
def sized_portfolio(request, django_db_setup, django_db_blocker):
    """The portfolio with one firm in its incubator, then fifty: each built once for the module
    (tests/module_data.py) and read by every test below in its own savepoint."""

    def build() -> tuple[Portfolio, int]:
        portfolio = portfolio_build()
        for i in range(request.param - 1):
            firm_with_everything(portfolio.incubator, name=f"青岛批量测试有限公司{i}")
        return portfolio, request.param

    yield from built_once(django_db_blocker, build)


@pytest.fixture
def portfolio(sized_portfolio) -> Portfolio:
    return copy.deepcopy(sized_portfolio[0])  # the test's own instances


@pytest.fixture
def firms(sized_portfolio) -> int:
    return sized_portfolio[1]


@pytest.mark.parametrize("page", list(PAGES))
def test_list_queries_do_not_grow_with_firms(
    liaison_client, portfolio, firms, page, django_assert_num_queries
):
    url = reverse(page) + ("?days=365" if page.endswith("upcoming") else "")
    with django_assert_num_queries(PAGES[page]):
        response = liaison_client.get(url)
    assert response.status_code == 200
    shown = response.context["rows"] if page.endswith("upcoming") else response.context["cl"].result_list
    assert len(shown) >= firms


def test_filtered_firm_list_queries_do_not_grow(admin_client, portfolio, firms, django_assert_num_queries):
    query = {
        "incubator": portfolio.incubator.pk,
        "cert_kind": "hnte",
        "cert_status": "granted",
        "q": "有限公司",
    }
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("admin:portfolio_firm_changelist"), query)
    assert len(response.context["cl"].result_list) == firms


def test_deadline_list_with_reminder_links_queries_do_not_grow(
    admin_client, portfolio, firms, django_assert_num_queries
):
    # A superuser sees the "reminders" column the liaison above does not (no delivery permission).
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("admin:portfolio_deadline_changelist"))
    shown = response.context["cl"].result_list
    assert len(shown) >= firms
    assert response.content.decode().count("?deadline__id__exact=") == len(shown)
