"""Every list endpoint runs a fixed number of queries, for one row as for fifty."""

import datetime

import pytest
from django.db import connection

from accounts.models import Organisation
from partners.services.loans import loan_apply, loan_decide
from tests.factories import (
    AwardFactory,
    BankFactory,
    CertificationFactory,
    ConsentFactory,
    FinancingEventFactory,
    FirmFactory,
    IncidentFactory,
    RecommendationFactory,
    ResidencyFactory,
    SelfAssessmentFactory,
    YearlyFiguresFactory,
)
from tests.module_data import built_once

pytestmark = pytest.mark.django_db

# The access-log row and its firm links: one statement on PostgreSQL, two (one transaction) elsewhere.
ACCESS_LOG_QUERIES = 1 if connection.vendor == "postgresql" else 2
# A page's details: on PostgreSQL one statement (residency, certifications, financing, figures,
# score and the ladder's facts as JSON per firm) and the ladder's rule sets; elsewhere 5 detail
# queries (open residencies, certifications, visible financing, latest figures, the stored
# innovation scores) and the ladder's 8 (the rule sets, then the firms' facts: the chosen
# residencies, figures, distinctions, incidents, self-assessments, certificates, equity).
DETAIL_QUERIES = 2 if connection.vendor == "postgresql" else 5 + 8
# key lookup, last-used update, page, the details, the access log
FIRM_LIST_QUERIES = 3 + DETAIL_QUERIES + ACCESS_LOG_QUERIES
# key lookup, last-used update, firm visible?, page, the access log
NESTED_LIST_QUERIES = 4 + ACCESS_LOG_QUERIES


def consented_firms(bank, n: int) -> list:
    firms = []
    for i in range(n):
        firm = ConsentFactory(organisation=bank).firm
        ResidencyFactory(firm=firm)
        CertificationFactory(firm=firm)
        YearlyFiguresFactory(firm=firm, year=2023)
        YearlyFiguresFactory(firm=firm, year=2024)
        FinancingEventFactory(firm=firm, occurred_on=datetime.date(2024, 1, 1 + i % 28))
        AwardFactory(firm=firm)
        IncidentFactory(firm=firm)
        SelfAssessmentFactory(firm=firm)
        firms.append(firm)
    return firms


class TestFirmListQueryCount:
    """One consented firm, then fifty: each built once for the class (tests/module_data.py)."""

    @pytest.fixture(scope="class", params=[1, 50], ids=lambda n: f"{n}-firms")
    @classmethod
    def consented(cls, request, django_db_setup, django_db_blocker) -> tuple[int, int]:
        """(the bank's id, how many firms consented to it)."""

        def build() -> tuple[int, int]:
            bank = BankFactory()
            consented_firms(bank, request.param)
            return bank.pk, request.param

        yield from built_once(django_db_blocker, build)

    @pytest.fixture
    def bank(self, consented):
        return Organisation.objects.get(pk=consented[0])

    @pytest.fixture
    def n(self, consented) -> int:
        return consented[1]

    def test_firm_list_query_count(self, api, n, django_assert_num_queries):
        with django_assert_num_queries(FIRM_LIST_QUERIES):
            response = api.get("/api/v1/firms/")
        assert len(response.json()["results"]) == n

    def test_firm_list_with_every_filter_query_count(self, api, n, django_assert_num_queries):
        url = (
            "/api/v1/firms/?city=青岛&certification_kind=hnte&certification_status=granted"
            "&updated_since=2000-01-01T00:00:00Z&ordering=-name"
        )
        with django_assert_num_queries(FIRM_LIST_QUERIES):
            response = api.get(url)
        assert len(response.json()["results"]) == n


def test_firm_detail_query_count(api, bank, django_assert_num_queries):
    firm = consented_firms(bank, 1)[0]
    # the list's queries, the page being the firm itself
    with django_assert_num_queries(FIRM_LIST_QUERIES):
        response = api.get(f"/api/v1/firms/{firm.pk}/")
    assert response.json()["ladder"]["tsme"]["status"]


def test_latest_figures_are_the_latest_year(api, bank):
    firm = consented_firms(bank, 1)[0]
    assert api.get(f"/api/v1/firms/{firm.pk}/").json()["latest_figures"]["year"] == 2024


@pytest.mark.parametrize("n", [1, 50])
def test_certification_list_query_count(api, consented_firm, n, django_assert_num_queries):
    for i in range(n):
        CertificationFactory(firm=consented_firm, issued_on=datetime.date(2000 + i % 25, 1, 1 + i % 28))
    with django_assert_num_queries(NESTED_LIST_QUERIES):
        response = api.get(f"/api/v1/firms/{consented_firm.pk}/certifications/")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_financing_list_query_count(api, bank, consented_firm, n, django_assert_num_queries):
    for _ in range(n):
        loan_apply(bank=bank, firm=consented_firm, instrument="credit", applied_on=datetime.date(2025, 1, 1))
    # + participants (with their organisations) prefetch
    with django_assert_num_queries(NESTED_LIST_QUERIES + 1):
        response = api.get(f"/api/v1/firms/{consented_firm.pk}/financing/")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_figures_list_query_count(api, consented_firm, n, django_assert_num_queries):
    for i in range(n):
        YearlyFiguresFactory(firm=consented_firm, year=1970 + i)
    with django_assert_num_queries(NESTED_LIST_QUERIES):
        response = api.get(f"/api/v1/firms/{consented_firm.pk}/figures/")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_loan_list_query_count(api, bank, consented_firm, n, django_assert_num_queries):
    for _ in range(n):
        loan = loan_apply(
            bank=bank, firm=consented_firm, instrument="credit", applied_on=datetime.date(2025, 1, 1)
        )
        loan_decide(application=loan, status="rejected", decided_on=datetime.date(2025, 1, 2), note="No.")
    # + decisions prefetch
    with django_assert_num_queries(NESTED_LIST_QUERIES + 1):
        response = api.get(f"/api/v1/firms/{consented_firm.pk}/loans/")
    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_white_list_query_count(api, bank, n, django_assert_num_queries):
    for _ in range(n):
        RecommendationFactory(firm=ConsentFactory(organisation=bank).firm, bank=bank)
    RecommendationFactory(firm=FirmFactory(), bank=bank)  # no consent: not listed
    # key lookup, last-used update, page, access-log row + firm links
    with django_assert_num_queries(3 + ACCESS_LOG_QUERIES):
        response = api.get("/api/v1/white-list/")
    assert len(response.json()["results"]) == n
