"""The ladder's staff pages in chromium: the firm's panel, "who can apply", its CSV, Chinese."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accounts.models import StaffRole, User
from portfolio.models import Firm, Incubator
from portfolio.services.demo import DemoResult
from portfolio.services.demo_ladder import DEMO_FIRM_PREFIX, demo_ladder_load
from tests.factories import IncubatorFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # serialized_rollback: the flush after each test keeps the migrations' data (certification
    # kinds, the ladder's rules), as the suite's other transactional tests do.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
JINGHANG = "演示鲸航海洋装备（青岛）有限公司"  # the demo's "HNTE within reach" case


@dataclass
class Ladder:
    incubator: Incubator
    firm: Firm
    email: str


@pytest.fixture
def ladder() -> Ladder:
    """The demo's five ladder cases in one incubator, and a liaison of it (whose password we know)."""
    from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user

    incubator = IncubatorFactory(name="青岛阶梯孵化器", name_en="Qingdao Ladder Incubator")
    staff_roles_setup()
    liaison = UserFactory(email="liaison@ladder.example.org", full_name="Li Aison", is_staff=False)
    MembershipFactory(user=liaison, incubator=incubator, role=StaffRole.LIAISON)
    staff_roles_sync_user(user=User.objects.get(pk=liaison.pk))
    demo_ladder_load(today=timezone.localdate(), incubator=incubator, liaison=liaison, result=DemoResult())
    firm = Firm.objects.get(key=f"{DEMO_FIRM_PREFIX}jinghang")
    assert firm.name == JINGHANG
    return Ladder(incubator=incubator, firm=firm, email=liaison.email)


@pytest.fixture
def page(ladder, browser_page):
    """The browser, started after the data (see conftest)."""
    return browser_page


def log_in(page, email: str, next_path: str) -> None:
    page.goto(f"{page.live_server_url}/admin/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_firm_panel_shows_hnte_within_reach_and_the_gaps(page, ladder, shoot):
    path = f"/admin/portfolio/firm/{ladder.firm.pk}/change/"
    log_in(page, ladder.email, path)
    panel = page.locator("#ladder-panel")
    panel.wait_for()
    hnte = page.locator("#ladder-hnte")
    assert hnte.locator(".ladder-status").inner_text() == "Within reach"
    text = panel.inner_text()
    assert re.search(r"needs [\d,]+ CNY more", text), text
    assert "more tech staff" in text
    # The gap is the demo case's: 5% of 108M is 5.4M against 4,536,000 spent.
    assert "864,000 CNY" in text
    # The panel and the page stay within the window: the wide inlines (sixteen columns of
    # yearly figures) scroll inside their own box.
    width = page.viewport_size["width"]
    assert (
        page.evaluate("() => document.querySelector('#ladder-panel').getBoundingClientRect().right") <= width
    )
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shoot(page, "firm-page")
    panel.screenshot(path=str(shoot.directory / f"{shoot.prefix}-panel.png"))


def test_who_can_apply_hnte_within_reach_and_csv(page, ladder, shoot):
    path = "/admin/portfolio/firm/ladder/"
    log_in(page, ladder.email, path)
    assert page.locator("h1").inner_text() == "Who can apply"
    shoot(page, "list-tsme")
    page.get_by_role("link", name="High-tech enterprise", exact=True).click()
    page.wait_for_url(re.compile(r"view=hnte"))
    page.get_by_role("link", name=re.compile(r"^Within reach \(\d+\)$")).click()
    page.wait_for_url(re.compile(r"status=within_reach"))
    rows = page.locator("#ladder-candidates tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert row.locator("td").first.inner_text() == JINGHANG
    assert row.locator(".ladder-status").inner_text() == "Within reach"
    assert "more tech staff" in row.inner_text()
    assert re.search(r"needs [\d,]+ CNY more", row.inner_text())
    table_right = page.evaluate(
        "() => document.querySelector('#ladder-candidates').getBoundingClientRect().right"
    )
    assert table_right <= page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shoot(page, "list-hnte-within-reach")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert re.fullmatch(r"ladder-hnte-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig") as handle:
        exported = list(csv.reader(io.StringIO(handle.read())))
    assert exported[0][:4] == ["Firm", "Incubator", "Entered on", "Status"]
    assert [r[0] for r in exported[1:]] == [JINGHANG]  # the filters of the page, all its rows
    assert exported[1][1] == "青岛阶梯孵化器"
    assert exported[1][3] == "Within reach"
    assert "more tech staff" in exported[1][5]

    # The row's link leads to the firm's panel.
    page.get_by_role("link", name=JINGHANG).click()
    page.locator("#ladder-panel").wait_for()
    assert page.locator("#ladder-hnte .ladder-status").inner_text() == "Within reach"


def test_who_can_apply_in_chinese(page, ladder, shoot):
    path = "/admin/portfolio/firm/ladder/?view=hnte"
    log_in(page, ladder.email, path)
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("#language-select", "zh-hans")
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    assert "view=hnte" in page.url  # the switch returns to the same page and filters
    # Django's and the portfolio's own labels in Chinese (the ladder's new strings are translated
    # when the lead merges the catalogues; the page must render either way).
    breadcrumbs = page.locator(".breadcrumbs").inner_text()
    assert "首页" in breadcrumbs and "企业" in breadcrumbs
    assert page.locator("label[for=language-select]").inner_text() == "语言"
    assert page.locator("#ladder-candidates tbody tr").count() == 5
    assert JINGHANG in page.locator("#ladder-candidates").inner_text()
    shoot(page, "list-hnte-zh")
    # ... and back to English.
    page.select_option("#language-select", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "Who can apply" in page.locator("h1").inner_text()
