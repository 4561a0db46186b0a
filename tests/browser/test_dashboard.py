"""The admin home's dashboard and a firm's dossier in chromium, in English and Chinese."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.models import StaffRole, User
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from portfolio.choices import DeadlineStatus, FinancingKind
from portfolio.models import Deadline, FinancingEvent, Firm, Residency
from portfolio.services.demo import DemoResult
from portfolio.services.demo_ladder import DEMO_FIRM_PREFIX, demo_ladder_load
from tests.factories import (
    CertificationFactory,
    FinancingEventFactory,
    IncubatorFactory,
    MembershipFactory,
    ResidencyFactory,
    UserFactory,
    kind,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
WIDE = {"width": 1400, "height": 900}


@dataclass
class Expected:
    """What the dashboard must show, read from the database with plain queries."""

    email: str
    firm: Firm
    in_incubation: int
    overdue: int
    next_12_weeks: int
    loans_this_year: int


@pytest.fixture
def data() -> Expected:
    from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user

    today = timezone.localdate()
    incubator = IncubatorFactory(name="青岛看板孵化器", name_en="Qingdao Dashboard Incubator")
    other = IncubatorFactory(name="烟台看板孵化器")
    staff_roles_setup()
    liaison = UserFactory(email="liaison@dashboard.example.org", full_name="Li Aison", is_staff=False)
    MembershipFactory(user=liaison, incubator=incubator, role=StaffRole.LIAISON)
    staff_roles_sync_user(user=User.objects.get(pk=liaison.pk))
    demo_ladder_load(today=today, incubator=incubator, liaison=liaison, result=DemoResult())
    firm = Firm.objects.get(key=f"{DEMO_FIRM_PREFIX}jinghang")
    FinancingEventFactory(firm=firm, kind=FinancingKind.LOAN, occurred_on=today, amount=3_000_000)
    # A registration of the ladder's first rung, with deadlines over the coming weeks.
    registration = CertificationFactory(
        firm=firm, kind=kind("tsme"), issued_on=today - datetime.timedelta(days=200)
    )
    obligation = registration.deadlines.first().obligation
    Deadline.objects.filter(firm__residencies__incubator=incubator).update(
        due_on=today - datetime.timedelta(days=2)
    )
    for days in (3, 9, 10, 25, 40, 41, 70):
        Deadline.objects.create(
            certification=registration,
            obligation=obligation,
            firm=firm,
            due_on=today + datetime.timedelta(days=days),
        )
    # A figures request of this year, part answered.
    figures_request = FiguresRequest.objects.create(incubator=incubator, year=today.year - 1, due_on=today)
    expires = timezone.now() + datetime.timedelta(days=30)
    for index, resident in enumerate(Firm.objects.filter(residencies__incubator=incubator)):
        FiguresSubmission.objects.create(
            request=figures_request,
            firm=resident,
            link_expires_at=expires,
            status=SubmissionStatus.SUBMITTED if index < 2 else SubmissionStatus.NOT_STARTED,
            submitted_at=timezone.now() if index < 2 else None,
        )
    # Another incubator's firm: none of its numbers on the liaison's dashboard.
    stranger = ResidencyFactory(incubator=other).firm
    FinancingEventFactory(firm=stranger, kind=FinancingKind.LOAN, occurred_on=today)

    mine = Firm.objects.filter(residencies__incubator=incubator).distinct()
    deadlines = Deadline.objects.filter(firm__in=mine, status=DeadlineStatus.OPEN)
    return Expected(
        email=liaison.email,
        firm=firm,
        in_incubation=Residency.objects.filter(incubator=incubator, exited_on__isnull=True).count(),
        overdue=deadlines.filter(due_on__lt=today).count(),
        next_12_weeks=deadlines.filter(
            due_on__gte=today, due_on__lt=today + datetime.timedelta(days=84)
        ).count(),
        loans_this_year=FinancingEvent.objects.filter(
            firm__in=mine, kind=FinancingKind.LOAN, occurred_on__year=today.year
        ).count(),
    )


@pytest.fixture
def page(data, browser_page):
    browser_page.set_viewport_size(WIDE)
    return browser_page


def log_in(page, email: str, next_path: str) -> None:
    page.goto(f"{page.live_server_url}/admin/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def number(page, selector: str) -> int:
    return int(re.search(r"\d+", page.locator(selector).inner_text()).group())


def test_dashboard_numbers_match_the_database_and_lead_to_their_lists(page, data, shoot):
    log_in(page, data.email, "/admin/")
    page.locator("#dashboard").wait_for()
    assert number(page, "#funnel-in_incubation .dashboard-count") == data.in_incubation
    assert number(page, "#dashboard-overdue") == data.overdue
    assert number(page, "#dashboard-deadlines-total") == data.next_12_weeks
    weeks = page.locator(".dashboard-week")
    assert weeks.count() == 12
    assert sum(int(weeks.nth(i).get_attribute("data-count")) for i in range(12)) == data.next_12_weeks
    loans = page.locator(f"#financing-{timezone.localdate().year} td[data-kind=loan]")
    assert number(page, f"#financing-{timezone.localdate().year} td[data-kind=loan]") == data.loans_this_year
    assert "3,000,000 CNY" in loans.inner_text()
    # The charts are drawn: a bar as wide as its share, a column as high as its count.
    assert page.locator("#funnel-in_incubation .dashboard-bar").bounding_box()["width"] > 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDE["width"]
    shoot(page, "home-en")

    page.locator("#funnel-in_incubation .dashboard-count").click()
    page.wait_for_url(re.compile(r"stage=in_incubation"))
    assert page.locator("#result_list tbody tr").count() == data.in_incubation

    page.goto(f"{page.live_server_url}/admin/")
    page.locator("#dashboard-over-limit").click()
    page.wait_for_url(re.compile(r"view=over_limit"))
    page.locator("h1").wait_for()


def test_dashboard_in_chinese(page, data, shoot):
    log_in(page, data.email, "/admin/")
    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    page.locator("#dashboard").wait_for()
    assert number(page, "#funnel-in_incubation .dashboard-count") == data.in_incubation
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDE["width"]
    shoot(page, "home-zh")


def test_open_a_dossier_from_the_firm_list(page, data, shoot):
    log_in(page, data.email, "/admin/portfolio/firm/")
    row = page.locator("#result_list tbody tr", has_text=data.firm.name)
    row.get_by_role("link", name="Dossier").click()
    page.wait_for_url(re.compile(rf"/admin/portfolio/firm/{data.firm.pk}/dossier/$"))
    assert page.locator("h1").inner_text().startswith(data.firm.name)
    assert page.locator("#ladder-hnte .ladder-status").inner_text() == "Within reach"
    assert page.locator("#dossier-timeline .dossier-entry-financing").count() >= 1
    assert page.locator("#content-main form").count() == 0
    assert page.evaluate("() => document.documentElement.scrollWidth") <= WIDE["width"]
    shoot(page, "dossier-en")
    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    page.locator("#dossier").wait_for()
    shoot(page, "dossier-zh")
    page.locator("#dossier-edit").click()
    page.wait_for_url(re.compile(rf"/admin/portfolio/firm/{data.firm.pk}/change/$"))
