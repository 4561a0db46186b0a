"""The founder's figures page in chromium at a phone's width: a bad value and its error, a draft,
the warnings to confirm, the receipt; in Chinese (the contact's language) and in English."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from figures.links import submission_token
from tests.factories import ContactFactory, FirmFactory, YearlyFiguresFactory
from tests.figures.factories import FiguresRequestFactory, FiguresSubmissionFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def link() -> str:
    """A request for every field, to a firm with last year's figures, its Torch facts and an
    earlier answer naming its people: the page opens fully pre-filled."""
    firm = FirmFactory(
        name="青岛海川智能科技有限公司",
        name_en="Haichuan Intelligent Technology",
        registration_type="有限责任公司",
        nbs_industry_code="I6510",
        taxpayer_type="general",
        founder_profile="scientist",
        serial_founder=False,
        founder_sex="female",
        registered_capital=Decimal("1000000"),
    )
    ContactFactory(firm=firm, preferred_language="zh-hans")
    YearlyFiguresFactory(
        firm=firm,
        year=2024,
        revenue=Decimal("2400000"),
        high_tech_revenue=Decimal("1900000"),
        total_cost=Decimal("2100000"),
        rd_expense=Decimal("310000"),
        rd_expense_domestic=Decimal("310000"),
        net_profit=Decimal("120000"),
        tax_paid=Decimal("86000"),
        total_assets=Decimal("3500000"),
        total_liabilities=Decimal("900000"),
        angel_vc_received=Decimal("0"),
        imports_exports=Decimal("0"),
        employees=24,
        rd_staff=9,
        staff_college=20,
        staff_phd=2,
        staff_returnees=1,
        staff_talent_plan=0,
        staff_fresh_graduates=3,
        ip_class1=1,
        ip_class2=4,
        ip_applied=3,
        ip_granted=2,
        ip_valid=6,
        invention_patents=1,
        software_copyrights=4,
        plant_varieties=0,
        ic_layouts=0,
        foreign_patents_bought=0,
        results_converted=1,
        tech_contracts=1,
        tech_contracts_amount=Decimal("150000"),
        national_projects=0,
        provincial_awards=0,
    )
    request = FiguresRequestFactory(
        year=2025,
        due_on=datetime.date(2026, 3, 31),
        message="请各企业如实填写2025年度数据，3月31日前提交。\nPlease submit your 2025 figures by 31 March.",
        incubator__name="青岛蓝谷孵化器",
        incubator__name_en="Blue Valley Incubator",
    )
    FiguresSubmissionFactory(
        request=FiguresRequestFactory(incubator=request.incubator, year=2024),
        firm=firm,
        accepted=True,
        values={
            "unit_head": "王海",
            "statistics_head": "刘敏",
            "form_filler": "陈静",
            "phone": "0532-88886666",
        },
    )
    submission = FiguresSubmissionFactory(request=request, firm=firm)
    return reverse("figures:founder", args=[submission_token(submission)])


@pytest.fixture
def page(link, browser_page):
    browser_page.set_viewport_size(PHONE)
    return browser_page


def screen(page, shoot, name: str, selector: str | None = None) -> None:
    """What the phone's screen shows (beside the full-page shot): the top, or ``selector``."""
    if selector:
        page.evaluate("s => document.querySelector(s).scrollIntoView()", selector)
    else:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shoot.directory / f"{shoot.prefix}-{name}-screen.png"))


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_founder_fills_saves_and_submits_on_a_phone(page, link, shoot):
    page.goto(page.live_server_url + link)
    # The contact reads Chinese: the page opens in Chinese whatever the browser says.
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "青岛海川智能科技有限公司" in page.locator("h1").inner_text()
    assert page.input_value("#id_revenue") == "2400000"  # last year's, to be replaced
    assert page.input_value("#id_form_filler") == "陈静"
    assert fits_the_screen(page)
    shoot(page, "zh-opened")
    screen(page, shoot, "zh-top")
    screen(page, shoot, "zh-staff", "#group-staff")
    screen(page, shoot, "zh-firm", "#group-firm")

    page.click("button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Haichuan Intelligent Technology" in page.locator("h1").inner_text()
    assert "Last year: 2,400,000" in page.locator("#field-revenue").inner_text()
    shoot(page, "en-opened")
    screen(page, shoot, "en-top")
    screen(page, shoot, "en-submit", "#group-submit")

    page.fill("#id_revenue", "1.2万")
    page.fill("#id_rd_staff", "30")
    page.click("button[value=submit]")
    page.wait_for_selector("#errors")
    assert "for 1.2万 enter 12000" in page.locator("#field-revenue .errors").inner_text()
    assert "cannot be more than employees (24)" in page.locator("#field-rd_staff .errors").inner_text()
    assert fits_the_screen(page)
    shoot(page, "en-errors")
    screen(page, shoot, "en-errors-top")
    screen(page, shoot, "en-error-field", "#field-rd_staff")

    page.fill("#id_rd_staff", "10")
    page.click("button[value=draft]")
    page.wait_for_url("**?saved=1")
    assert "Draft saved" in page.locator(".note.good").inner_text()
    assert page.input_value("#id_revenue") == "1.2万"  # a draft keeps what was typed

    page.fill("#id_revenue", "3,100,000")
    page.fill("#id_employees", "28")
    page.click("button[value=submit]")
    page.wait_for_selector("#warnings")
    # Pre-filled figures left as they were: each one asks to be checked.
    assert "Exactly last year's figure" in page.locator("#field-total_cost .warnings").inner_text()
    shoot(page, "en-warnings")
    screen(page, shoot, "en-warning-field", "#field-total_cost")
    screen(page, shoot, "en-confirm", "#group-submit")
    page.check("input[name=confirm_warnings]")
    page.click("button[value=submit]")
    page.wait_for_selector("#thanks")
    text = page.locator("body").inner_text()
    assert "3,100,000" in text and "陈静" in text and "Submitted on" in text
    assert page.locator("input[name=revenue]").count() == 0
    assert fits_the_screen(page)
    shoot(page, "en-receipt")
    screen(page, shoot, "en-receipt-top")

    page.click("button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-Hans]")
    shoot(page, "zh-receipt")
    screen(page, shoot, "zh-receipt-top")
    assert page.locator("input[name=revenue]").count() == 0
