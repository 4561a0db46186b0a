"""Staff lists in chromium: a firm with a wrong credit code, an import with one bad row, the
language switch, the firm page within the window. A failing test leaves a screenshot."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from accounts.models import StaffRole, User
from portfolio.models import Firm, Incubator
from tests.factories import (
    CertificationFactory,
    FirmFactory,
    IncubatorFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
BAD_CREDIT_CODE = "91350100M000100Y44"  # the standard's example with a wrong check character


@dataclass
class Lists:
    incubator: Incubator
    firm: Firm
    email: str


@pytest.fixture
def lists() -> Lists:
    """A liaison of one incubator with a firm that has a certificate (and so deadlines)."""
    from portfolio.models import Residency
    from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user

    incubator = IncubatorFactory(name="青岛列表孵化器", name_en="Qingdao Lists Incubator")
    staff_roles_setup()
    liaison = UserFactory(email="liaison@lists.example.org", full_name="Li Aison", is_staff=False)
    MembershipFactory(user=liaison, incubator=incubator, role=StaffRole.LIAISON)
    staff_roles_sync_user(user=User.objects.get(pk=liaison.pk))
    firm = FirmFactory(name="青岛智腾科技有限公司", name_en="Zhiteng", notes="第一行\n第二行")
    Residency.objects.create(firm=firm, incubator=incubator, entered_on="2022-01-10", limit_months=48)
    CertificationFactory(firm=firm)
    return Lists(incubator=incubator, firm=firm, email=liaison.email)


@pytest.fixture
def page(lists, browser_page, shoot, request):
    """The browser, started after the data (see conftest); a screenshot if the test fails."""
    failed_before = request.session.testsfailed
    yield browser_page
    if request.session.testsfailed > failed_before:
        shoot(browser_page, "failure")


def log_in(page, email: str, next_path: str) -> None:
    page.goto(f"{page.live_server_url}/admin/login/?next={next_path}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_path) + r"(\?.*)?$"))


def fits_the_window(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_adding_a_firm_with_a_wrong_credit_code_shows_the_field_error(page, lists, shoot):
    log_in(page, lists.email, "/admin/portfolio/firm/add/")
    page.fill("input[name=name]", "青岛错码科技有限公司")
    page.fill("input[name=credit_code]", BAD_CREDIT_CODE)
    page.click("input[name=_save]")
    error = page.locator(".field-credit_code .errorlist")
    error.wait_for()
    assert "check character" in error.inner_text()
    assert page.locator("input[name=credit_code]").input_value() == BAD_CREDIT_CODE
    shoot(page, "credit-code-error")
    # Nothing was saved: the list does not know the firm.
    page.goto(f"{page.live_server_url}/admin/portfolio/firm/?q=错码")
    assert page.locator("#result_list tbody tr").count() == 0


def test_an_import_with_one_bad_row_saves_nothing(page, lists, shoot):
    log_in(page, lists.email, "/admin/portfolio/firm/import/")
    # The page offers the template and the accepted values before a file is chosen.
    assert page.locator("a.import-template-link", has_text="XLSX").count() == 1
    page.click("#import-columns-details summary")
    assert "new_materials = New materials" in page.locator("#import-columns").inner_text()
    shoot(page, "import-page")
    rows = "\n".join(
        [
            "name,credit_code,incubator,entered_on",
            "青岛好行科技有限公司,,,2025-03-01",
            f"青岛坏行科技有限公司,{BAD_CREDIT_CODE},,",
            "青岛又一好行科技有限公司,,,",
        ]
    )
    page.set_input_files(
        "input[name=import_file]",
        {"name": "firms.csv", "mimeType": "text/csv", "buffer": rows.encode("utf-8")},
    )
    page.select_option("select[name=format]", label="csv")
    page.get_by_role("button", name="Submit").click()
    heading = page.locator("#import-validation-errors")
    heading.wait_for()
    assert heading.inner_text() == "Rows with errors (nothing was imported)"
    assert page.locator("table.import-preview tbody tr").count() == 1  # the bad row, named
    page.hover(".validation-error-count")  # its errors show on hovering the count
    assert "check character" in page.locator(".validation-error-list").inner_text()
    assert fits_the_window(page)
    assert page.locator("input[name=confirm]").count() == 0  # nothing to confirm
    shoot(page, "import-errors")
    page.goto(f"{page.live_server_url}/admin/portfolio/firm/?q=好行")
    assert page.locator("#result_list tbody tr").count() == 0


def test_switching_to_chinese_and_back(page, lists, shoot):
    log_in(page, lists.email, "/admin/portfolio/deadline/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "High and new technology enterprise" in page.locator("#result_list").inner_text()
    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    assert page.url.endswith("/admin/portfolio/deadline/")
    assert "首页" in page.locator(".breadcrumbs").inner_text()
    assert "高新技术企业" in page.locator("#result_list").inner_text()  # kinds by their Chinese names
    shoot(page, "deadlines-zh")
    page.select_option("#language-select", "en")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "Home" in page.locator(".breadcrumbs").inner_text()


def test_the_firm_page_fits_the_window_without_one_character_columns(page, lists, shoot):
    page.set_viewport_size({"width": 1400, "height": 900})
    path = f"/admin/portfolio/firm/{lists.firm.pk}/change/"
    log_in(page, lists.email, path)
    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    assert fits_the_window(page)
    # No column heading or read-only cell of a table inline is squeezed to a character or two
    # per line (narrower than three Chinese characters; a table row's cells share one height).
    squeezed = page.evaluate(
        """() => [...document.querySelectorAll('.inline-group .tabular th, .inline-group .tabular td')]
            .filter(cell => cell.getClientRects().length && !cell.closest('tr.empty-form'))
            .filter(cell => !cell.classList.contains('original') && cell.innerText.trim().length > 1)
            .filter(cell => cell.getBoundingClientRect().width < 40)
            .map(cell => cell.innerText.trim())"""
    )
    assert squeezed == []
    # Only the yearly figures' grid (years by fifteen figures) is wider than its box.
    wider = page.evaluate(
        """() => [...document.querySelectorAll('.inline-group')]
            .filter(group => { const box = group.querySelector('.tabular') || group;
                               return box.scrollWidth > box.clientWidth; })
            .map(group => group.id)"""
    )
    assert wider == []
    shoot(page, "firm-page-zh")


def test_saving_the_firm_unchanged_adds_no_history(page, lists, shoot):
    path = f"/admin/portfolio/firm/{lists.firm.pk}/change/"
    log_in(page, lists.email, path)
    page.click("input[name=_continue]")
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    page.goto(f"{page.live_server_url}/admin/portfolio/firm/{lists.firm.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    assert rows.count() == 1  # the firm's creation only: the multi-line notes were not "changed"
    assert "None" not in rows.first.locator(".history-change-reason").inner_text()
    shoot(page, "firm-history")
