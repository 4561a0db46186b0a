"""Figures requests in chromium, in Chinese: a liaison opens a request, sees its progress bar,
accepts a submitted answer and sends another back (first without the required comment)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest

from figures.models import FiguresRequest
from tests.factories import YearlyFiguresFactory
from tests.figures.staff_factories import PASSWORD, VALID_VALUES, hosted, open_request, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # serialized_rollback: the flush after each test keeps the migrations' data, as the suite's
    # other transactional tests do.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EARLIER = 2024  # a request opened before the test, with answers waiting for review


@dataclass
class Scene:
    email: str
    earlier: FiguresRequest
    first_firm: str
    second_firm: str


@pytest.fixture
def scene() -> Scene:
    h = hosted(firms=3)
    earlier = open_request(h, year=EARLIER)
    first, second, _third = earlier.submissions.select_related("firm").order_by("firm__name")
    # Last year's revenue a tenth of this year's: the review page shows the founder's warning.
    YearlyFiguresFactory(firm=first.firm, year=EARLIER - 1, revenue=400_000, employees=35)
    submit(first)
    submit(second, values={**VALID_VALUES, "rd_staff": "14"})
    return Scene(
        email=h.liaison.email, earlier=earlier, first_firm=first.firm.name, second_firm=second.firm.name
    )


@pytest.fixture
def page(scene, browser_page):
    """The browser, started after the data (see conftest)."""
    return browser_page


def log_in_chinese(page, email: str, next_path: str) -> None:
    page.goto(f"{page.live_server_url}/admin/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))
    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")


def fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_a_liaison_opens_a_request_and_reviews_the_answers(page, scene, shoot):
    # Opening a request: every field and every resident firm checked by default.
    log_in_chinese(page, scene.email, "/admin/figures/figuresrequest/add/")
    form = page.locator("#figures-open-form")
    form.wait_for()
    assert (
        page.locator("input[name=field_names]:checked").count()
        == page.locator("input[name=field_names]").count()
    )
    assert page.locator("input[name=firms]:checked").count() == 3
    fits(page)
    shoot(page, "open-form-zh")
    due = (datetime.date.today() + datetime.timedelta(days=20)).isoformat()
    page.fill("input[name=due_on]", due)
    page.fill("textarea[name=message]", "请于月底前填报 2025 年度数据。")
    page.locator("input[name=_open]").click()
    page.wait_for_url(re.compile(r"/admin/figures/figuresrequest/\d+/change/$"))
    assert page.locator(".messagelist .success").count() == 1
    progress = page.locator("#figures-progress")
    assert "0 of 3" in progress.inner_text() or "0" in progress.inner_text()
    assert page.locator("#figures-firms tbody tr").count() == 3
    fits(page)
    shoot(page, "new-request-progress-zh")

    # The earlier request: two answers submitted, the bar two-thirds blue.
    page.goto(f"{page.live_server_url}/admin/figures/figuresrequest/{scene.earlier.pk}/change/")
    bar = page.locator("#figures-progress .figures-bar")
    bar.wait_for()
    assert bar.locator(".figures-seg-submitted").evaluate("e => e.style.width") == "66.7%"
    box = bar.bounding_box()
    assert box["width"] > 100 and box["height"] >= 10
    fits(page)
    shoot(page, "earlier-progress-zh")

    # Accepting the first answer (its warning shown beside the figures).
    page.locator(f"#figures-firms tr:has-text('{scene.first_firm}') a").first.click()
    page.locator("#figures-review").wait_for()
    assert page.locator("#figures-warnings").count() == 1
    assert page.locator("#figures-review tr.changed").count() == 0  # nothing on record for the year yet
    fits(page)
    shoot(page, "review-zh")
    page.locator("#figures-accept input[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/figures/figuresrequest/{scene.earlier.pk}/change/$"))
    row = page.locator(f"#figures-firms tr:has-text('{scene.first_firm}')")
    assert row.locator(".figures-status-accepted").count() == 1

    # Sending the second back: the comment is required.
    page.locator(f"#figures-firms tr:has-text('{scene.second_firm}') a").first.click()
    page.locator("#figures-return").wait_for()
    page.locator("#figures-return textarea").fill("   ")
    page.locator("#figures-return input[type=submit]").click()
    page.locator("#figures-return .errorlist").wait_for()
    fits(page)
    shoot(page, "send-back-needs-a-comment-zh")
    page.locator("#figures-return textarea").fill(
        "研发人员请只计入全年工作满 183 天的人员，请核对后重新提交。"
    )
    page.locator("#figures-return input[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/figures/figuresrequest/{scene.earlier.pk}/change/$"))
    row = page.locator(f"#figures-firms tr:has-text('{scene.second_firm}')")
    assert row.locator(".figures-status-returned").count() == 1
    bar = page.locator("#figures-progress .figures-bar")
    assert bar.locator(".figures-seg-accepted").evaluate("e => e.style.width") == "33.3%"
    assert bar.locator(".figures-seg-returned").evaluate("e => e.style.width") == "33.3%"
    fits(page)
    shoot(page, "earlier-after-review-zh")

    # The "missing" count leads to the answers still owed: the one sent back and the one not started.
    page.locator("#figures-progress a.figures-count-missing").click()
    page.wait_for_url(re.compile(r"state=missing"))
    assert page.locator("#result_list tbody tr").count() == 2
    fits(page)
    shoot(page, "missing-answers-zh")

    # The list of requests with its progress column.
    page.goto(f"{page.live_server_url}/admin/figures/figuresrequest/")
    bars = page.locator("#result_list .figures-bar")
    assert bars.count() == 2
    assert bars.first.bounding_box()["width"] >= 150
    fits(page)
    shoot(page, "request-list-zh")
