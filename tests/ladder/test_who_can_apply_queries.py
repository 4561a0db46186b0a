"""The ladder's staff pages read a fixed number of queries, and only the staff member's firms.

"Who can apply" (every view, HTML and CSV) sends as many queries for one firm as for sixty,
each with three years of figures, distinctions, incidents, a self-assessment and certificates;
the firm change page with its ladder panel as many for one year of figures as for three. The
numbers are pinned: a change that adds a query per page must change them here on purpose.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole, User
from portfolio.choices import IncidentKind
from portfolio.models import Firm, Incubator
from tests.factories import (
    AwardFactory,
    CertificationFactory,
    FirmFactory,
    IncidentFactory,
    IncubatorFactory,
    RdInstitutionFactory,
    ResidencyFactory,
    SelfAssessmentFactory,
    StandardFactory,
    UserFactory,
    YearlyFiguresFactory,
    kind,
)
from tests.module_data import built_once
from tests.portfolio.admin.conftest import staff_member

pytestmark = pytest.mark.django_db

URL = reverse("admin:portfolio_firm_ladder")
VIEWS = ("tsme", "hnte", "graduation", "over_limit")

# Superuser: session, user, then the page's own (open residencies, the facts' seven queries:
# figures, distinctions, incidents, self-assessments, certificates, equity; the rules in force;
# the filing windows and the incubators for the HTML page's filter).
SUPERUSER_QUERIES = {"html": 12, "csv": 10}
# A liaison also reads their permissions (2) and incubator ids, which scope the residencies.
LIAISON_QUERIES = {"html": 15, "csv": 13}
# The firm change page of a superuser, the ladder panel included (with its innovation-score
# section: the firm's stored score, none here; with one, the pack it names too:
# tests/scoring/test_admin.py).
CHANGE_PAGE_QUERIES = 40


def ladder_firm(incubator: Incubator, name: str, *, years: int = 3) -> Firm:
    """A firm with everything the ladder reads: ``years`` years of figures, three distinctions,
    incidents, this year's self-assessment, a TSME registration and an HNTE certificate."""
    today = timezone.localdate()
    firm = FirmFactory(name=name, founded_on=today - datetime.timedelta(days=6 * 365))
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=today - datetime.timedelta(days=3 * 365))
    for year in range(today.year - years, today.year):
        YearlyFiguresFactory(
            firm=firm,
            year=year,
            revenue=30_000_000,
            rd_expense=1_200_000,
            rd_expense_domestic=1_100_000,
            high_tech_revenue=21_000_000,
            total_assets=35_000_000,
            total_liabilities=15_000_000,
            total_cost=27_000_000,
            employees=90,
            rd_staff=8,
        )
    AwardFactory(firm=firm, year=today.year - 2)
    StandardFactory(firm=firm, year=today.year - 1)
    RdInstitutionFactory(firm=firm, awarded_on=today - datetime.timedelta(days=400))
    IncidentFactory(firm=firm, occurred_on=today - datetime.timedelta(days=500))
    IncidentFactory(
        firm=firm, occurred_on=today - datetime.timedelta(days=40), kind=IncidentKind.ABNORMAL_OPERATION_LIST
    )
    SelfAssessmentFactory(firm=firm, year=today.year)
    CertificationFactory(
        firm=firm,
        kind=kind("tsme"),
        issued_on=datetime.date(today.year, 1, 1),
        expires_on=datetime.date(today.year, 12, 31),
    )
    CertificationFactory(firm=firm, issued_on=today - datetime.timedelta(days=900))
    return firm


@pytest.fixture(autouse=True)
def _cold_content_type_cache():
    """Query counts must not depend on which test warmed Django's process-wide ContentType cache."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


@pytest.fixture
def incubator() -> Incubator:
    return IncubatorFactory(name="青岛阶梯孵化器")


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root@example.org", "pw-123456")


def portfolio_of(incubator: Incubator, firms: int) -> list[Firm]:
    return [ladder_firm(incubator, f"青岛阶梯测试有限公司{i:02d}") for i in range(firms)]


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


class TestQueriesDoNotGrowWithFirms:
    """One firm, then sixty: each portfolio is built once for the class (tests/module_data.py),
    and every test below reads it in its own savepoint."""

    @pytest.fixture(scope="class", params=[1, 60], ids=lambda firms: f"{firms}-firms")
    @classmethod
    def portfolio(cls, request, django_db_setup, django_db_blocker) -> tuple[int, int]:
        """(the incubator's id, how many firms it has): ids, so no test shares an instance."""

        def build() -> tuple[int, int]:
            incubator = IncubatorFactory(name="青岛阶梯孵化器")
            portfolio_of(incubator, request.param)
            return incubator.pk, request.param

        yield from built_once(django_db_blocker, build)

    @pytest.fixture
    def incubator(self, portfolio) -> Incubator:
        return Incubator.objects.get(pk=portfolio[0])

    @pytest.fixture
    def firms(self, portfolio) -> int:
        return portfolio[1]

    @pytest.mark.parametrize("fmt", ["html", "csv"])
    @pytest.mark.parametrize("view", VIEWS)
    def test_who_can_apply_queries_do_not_grow_with_firms(
        self, client, superuser, firms, fmt, view, django_assert_num_queries
    ):
        client.force_login(superuser)
        params = {"view": view, **({"format": "csv"} if fmt == "csv" else {})}
        with django_assert_num_queries(SUPERUSER_QUERIES[fmt]):
            response = client.get(URL, params)
        assert response.status_code == 200
        if fmt == "csv":
            rows = csv_rows(response)[1:]
        else:
            rows = response.context["rows"]
            assert response.context["total"] == len(rows)
        if view in ("tsme", "hnte"):
            assert len(rows) == firms  # every open residency is listed, whatever its status

    @pytest.mark.parametrize("fmt", ["html", "csv"])
    def test_who_can_apply_queries_for_a_liaison(
        self, client, incubator, firms, fmt, django_assert_num_queries
    ):
        client.force_login(staff_member(incubator, StaffRole.LIAISON))
        params = {"view": "hnte", **({"format": "csv"} if fmt == "csv" else {})}
        with django_assert_num_queries(LIAISON_QUERIES[fmt]):
            response = client.get(URL, params)
        assert response.status_code == 200
        shown = len(csv_rows(response)) - 1 if fmt == "csv" else len(response.context["rows"])
        assert shown == firms


@pytest.mark.parametrize("years", [1, 3])
def test_firm_change_page_with_the_panel_queries_do_not_grow_with_figures(
    client, superuser, incubator, years, django_assert_num_queries
):
    firm = ladder_firm(incubator, "青岛阶梯面板测试有限公司", years=years)
    AwardFactory(firm=firm, year=timezone.localdate().year - 4, rank=1)
    client.force_login(superuser)
    with django_assert_num_queries(CHANGE_PAGE_QUERIES):
        response = client.get(reverse("admin:portfolio_firm_change", args=[firm.pk]))
    assert response.status_code == 200
    assert response.context["ladder"]["standing"].facts.firm_id == firm.pk
    assert len(response.context["ladder"]["standing"].facts.figures) == years
    assert 'id="ladder-panel"' in response.content.decode()


class TestScope:
    @pytest.fixture
    def two_incubators(self, incubator):
        other = IncubatorFactory(name="烟台阶梯孵化器")
        mine = ladder_firm(incubator, "青岛本孵化器企业有限公司")
        theirs = ladder_firm(other, "烟台他孵化器企业有限公司")
        return incubator, other, mine, theirs

    @pytest.mark.parametrize("view", VIEWS)
    def test_a_liaison_never_sees_another_incubators_firms(self, client, two_incubators, view):
        incubator, other, mine, theirs = two_incubators
        client.force_login(staff_member(incubator, StaffRole.LIAISON))
        for params in ({}, {"incubator": other.pk}, {"q": "烟台"}, {"status": "within_reach"}):
            html = client.get(URL, {"view": view, **params})
            assert html.status_code == 200
            assert theirs.name not in html.content.decode()
            assert all(row.facts.firm_id != theirs.pk for row in html.context["rows"])
            exported = client.get(URL, {"view": view, "format": "csv", **params})
            assert exported.status_code == 200
            assert theirs.name not in exported.content.decode("utf-8-sig")
        # ... while their own firm is there (in the rung views every open residency is listed).
        if view in ("tsme", "hnte"):
            assert mine.name in client.get(URL, {"view": view}).content.decode()
            assert mine.name in client.get(URL, {"view": view, "format": "csv"}).content.decode("utf-8-sig")
        # The incubator filter offers only their own incubator.
        incubators = client.get(URL, {"view": view}).context["incubators"]
        assert [pk for pk, _ in incubators] == [incubator.pk]

    def test_a_superuser_sees_both(self, client, superuser, two_incubators):
        _, _, mine, theirs = two_incubators
        client.force_login(superuser)
        body = client.get(URL, {"view": "hnte", "format": "csv"}).content.decode("utf-8-sig")
        assert mine.name in body and theirs.name in body

    @pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
    def test_staff_without_view_permission_on_firms_get_403(self, client, two_incubators, fmt):
        user = UserFactory(is_staff=True)  # may log into the admin, holds no permission
        client.force_login(user)
        response = client.get(URL, {"view": "hnte", **({"format": fmt} if fmt else {})})
        assert response.status_code == 403
        assert b"\xe7\x83\x9f\xe5\x8f\xb0" not in response.content  # 烟台: no firm name leaks
