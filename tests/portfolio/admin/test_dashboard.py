"""The admin home's dashboard: numbers from the database, the user's incubators only, links to
the lists behind them, and a query count that does not grow with the portfolio."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.choices import DeadlineStatus, ExitReason, FinancingKind, MarketStatus
from portfolio.models import Deadline, Residency
from portfolio.selectors.dashboard import (
    deadlines_by_week,
    financing_by_kind_and_year,
    funnel,
    ladder_counts,
)
from tests.factories import CertificationFactory, FinancingEventFactory, FirmFactory, ResidencyFactory, kind
from tests.portfolio.admin.conftest import firm_with_everything

pytestmark = pytest.mark.django_db


def one_per_firm(firm, due_on: datetime.date) -> None:
    """Keep one open deadline of the firm, due on ``due_on``."""
    kept = Deadline.objects.filter(firm=firm, status=DeadlineStatus.OPEN).order_by("pk").first()
    Deadline.objects.filter(firm=firm).exclude(pk=kept.pk).delete()
    Deadline.objects.filter(pk=kept.pk).update(due_on=due_on)


def counts(bars) -> dict[str, int]:
    return {bar.key: bar.count for bar in bars}


def test_funnel_counts_each_stage_of_the_liaisons_incubators(portfolio, liaison):
    today = timezone.localdate()
    CertificationFactory(
        firm=portfolio.firm, kind=kind("tsme"), issued_on=today - datetime.timedelta(days=30)
    )
    listed = FirmFactory(market_status=MarketStatus.LISTED)
    ResidencyFactory(firm=listed, incubator=portfolio.incubator)
    graduate = FirmFactory()
    ResidencyFactory(
        firm=graduate,
        incubator=portfolio.incubator,
        entered_on=datetime.date(2020, 1, 1),
        exited_on=datetime.date(2023, 1, 1),
        exit_reason=ExitReason.HNTE_CERTIFIED,
    )
    assert counts(funnel(liaison, today)) == {
        "in_incubation": 2,
        "tsme": 1,
        "hnte": 1,  # the conftest firm's HNTE certificate of 2024
        "listing": 1,
        "graduated": 1,
    }


def test_funnel_leaves_out_expired_and_other_incubators_certificates(portfolio, liaison):
    today = timezone.localdate()
    portfolio.certification.expires_on = today - datetime.timedelta(days=1)
    portfolio.certification.save()
    # The other incubator's firm holds an HNTE certificate too: not the liaison's.
    assert counts(funnel(liaison, today))["hnte"] == 0


def test_a_superuser_sees_every_incubators_firms(portfolio, superuser):
    assert counts(funnel(superuser, timezone.localdate()))["in_incubation"] == 2


def test_the_firm_list_stage_filter_lists_what_the_funnel_counts(liaison_client, portfolio):
    response = liaison_client.get(reverse("admin:portfolio_firm_changelist") + "?stage=hnte")
    assert [f.pk for f in response.context["cl"].result_list] == [portfolio.firm.pk]


def test_deadlines_are_counted_by_week_with_the_overdue_apart(portfolio, liaison):
    today = timezone.localdate()
    deadlines = list(Deadline.objects.filter(firm=portfolio.firm, status=DeadlineStatus.OPEN))
    assert len(deadlines) >= 1
    expected = [0] * 12
    for index, deadline in enumerate(deadlines[1:]):
        days = 7 + index
        Deadline.objects.filter(pk=deadline.pk).update(due_on=today + datetime.timedelta(days=days))
        expected[days // 7] += 1
    Deadline.objects.filter(pk=deadlines[0].pk).update(due_on=today - datetime.timedelta(days=3))
    # The other incubator's deadline is overdue too: not counted.
    one_per_firm(portfolio.other_firm, today - datetime.timedelta(days=3))
    found = deadlines_by_week(liaison, today)
    assert found.overdue == 1
    assert [bar.count for bar in found.weeks] == expected
    assert found.weeks[1].url_query.startswith(
        f"status=open&due_on__gte={today + datetime.timedelta(days=7)}"
    )


def test_a_weeks_link_lists_that_weeks_deadlines(liaison_client, portfolio, liaison):
    today = timezone.localdate()
    one_per_firm(portfolio.firm, today + datetime.timedelta(days=15))
    one_per_firm(portfolio.other_firm, today + datetime.timedelta(days=15))
    week = deadlines_by_week(liaison, today).weeks[2]
    response = liaison_client.get(reverse("admin:portfolio_deadline_changelist") + "?" + week.url_query)
    assert response.context["cl"].result_count == week.count > 0


def test_financing_is_counted_by_kind_and_year_in_cny(portfolio, liaison):
    today = timezone.localdate()
    FinancingEventFactory(firm=portfolio.firm, kind=FinancingKind.LOAN, occurred_on=today, amount=3_000_000)
    FinancingEventFactory(firm=portfolio.firm, kind=FinancingKind.LOAN, occurred_on=today, amount=2_000_000)
    FinancingEventFactory(firm=portfolio.other_firm, kind=FinancingKind.LOAN, occurred_on=today, amount=7)
    years = financing_by_kind_and_year(liaison, today)
    assert [y.year for y in years] == list(range(today.year, today.year - 5, -1))
    loans = next(bar for bar in years[0].bars if bar.key == "loan")
    assert (loans.count, loans.extra["cny"]) == (2, 5_000_000)


def test_ladder_counts_over_limit_stays(portfolio, liaison):
    Residency.objects.filter(firm=portfolio.firm).update(entered_on=datetime.date(2015, 1, 1))
    found = ladder_counts(liaison, timezone.localdate())
    assert (found.computed, found.open_stays, found.over_limit) == (True, 1, 1)


def test_ladder_counts_give_way_to_a_link_beyond_the_limit_of_stays(portfolio, liaison, settings):
    settings.DASHBOARD_LADDER_MAX_STAYS = 0
    found = ladder_counts(liaison, timezone.localdate())
    assert (found.computed, found.apply) == (False, [])


def test_the_home_page_shows_the_tiles_with_their_links(liaison_client, portfolio):
    page = liaison_client.get(reverse("admin:index")).content.decode()
    for tile in ("funnel", "deadlines", "apply", "limit", "financing", "figures"):
        assert f'id="dashboard-{tile}"' in page
    assert reverse("admin:portfolio_firm_changelist") + "?stage=in_incubation" in page
    assert reverse("admin:portfolio_firm_ladder") + "?view=over_limit" in page
    # The app list is still there, below.
    assert page.index('id="dashboard"') < page.index('class="app-portfolio')


def test_the_home_page_shows_only_the_liaisons_numbers(liaison_client, portfolio):
    for _ in range(3):
        firm_with_everything(portfolio.other_incubator)
    page = liaison_client.get(reverse("admin:index")).content.decode()
    row = re.search(r'id="funnel-in_incubation".*?class="dashboard-count">(\d+)<', page, re.S)
    assert row.group(1) == "1"


def test_a_user_without_firm_permissions_sees_no_funnel(client, portfolio):
    from tests.portfolio.admin.conftest import staff_member

    counsellor = staff_member(portfolio.incubator, "counsellor")
    client.force_login(counsellor)
    page = client.get(reverse("admin:index")).content.decode()
    assert ('id="dashboard-funnel"' in page) is counsellor.has_perm("portfolio.view_firm")


# For a liaison: session, user, permissions (2), memberships, then the tiles: funnel 1, open stays
# 1, standings 8 (rule sets, facts 7), deadlines 1, financing 1, figures requests 1; and Django's
# "recent actions" 1.
HOME_QUERIES = 19


@pytest.mark.parametrize("firms", [1, 30])
def test_home_page_queries_do_not_grow_with_firms(
    liaison_client, portfolio, firms, django_assert_num_queries
):
    for i in range(firms - 1):
        firm_with_everything(portfolio.incubator, name=f"青岛看板测试有限公司{i}")
    with django_assert_num_queries(HOME_QUERIES):
        response = liaison_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert f'class="dashboard-count">{firms}<' in response.content.decode()


def test_every_link_of_the_dashboard_opens_its_list(liaison_client, portfolio):
    page = liaison_client.get(reverse("admin:index")).content.decode()
    dashboard = page[page.index('id="dashboard"') : page.index('id="ladder-link"')]
    links = set(re.findall(r'href="([^"]+)"', dashboard))
    assert len(links) > 20
    for link in links:
        response = liaison_client.get(link.replace("&amp;", "&"))
        # A filter the list does not know redirects to "?e=1"; every link must open its list.
        assert response.status_code == 200, link
