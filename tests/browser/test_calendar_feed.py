"""'My calendar' in chromium: create the secret link, read the feed it opens with icalendar,
revoke it. A failing test leaves a screenshot."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import icalendar
import pytest

from accounts.models import Language, StaffRole, User
from portfolio.choices import DeadlineStatus
from portfolio.models import Deadline, Firm
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


@dataclass
class Calendar:
    firm: Firm
    email: str
    uids: set[str]


@pytest.fixture
def calendar() -> Calendar:
    """A counsellor (no permission on users) whose incubator has a firm with open deadlines."""
    from portfolio.models import Residency
    from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user

    incubator = IncubatorFactory(name="青岛日历孵化器")
    staff_roles_setup()
    counsellor = UserFactory(
        email="counsellor@calendar.example.org", is_staff=False, preferred_language=Language.ENGLISH
    )
    MembershipFactory(user=counsellor, incubator=incubator, role=StaffRole.COUNSELLOR)
    staff_roles_sync_user(user=User.objects.get(pk=counsellor.pk))
    firm = FirmFactory(name="青岛智腾科技有限公司", name_en="Zhiteng Technology")
    Residency.objects.create(firm=firm, incubator=incubator, entered_on="2022-01-10", limit_months=48)
    CertificationFactory(firm=firm, issued_on=datetime.date(2024, 12, 1))
    open_deadlines = Deadline.objects.filter(firm=firm, status=DeadlineStatus.OPEN)
    uids = {f"deadline-{pk}@localhost" for pk in open_deadlines.values_list("pk", flat=True)}
    assert uids
    return Calendar(firm=firm, email=counsellor.email, uids=uids)


@pytest.fixture
def page(calendar, browser_page, shoot, request):
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
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_create_the_calendar_link_and_read_the_feed(page, calendar, shoot):
    log_in(page, calendar.email, "/admin/")
    page.click("#my-calendar-link")  # in the header, for every staff member
    page.wait_for_url(re.compile(r"/admin/accounts/user/my-calendar/$"))
    assert page.locator("#calendar-state").inner_text() == "You have no calendar link."
    page.get_by_role("button", name="Create my calendar link").click()
    url = page.locator("#calendar-url").input_value()
    assert re.fullmatch(r"http://localhost:8000/calendar/[0-9a-f]{8}\.[\w-]+\.ics", url)
    assert page.locator("#calendar-webcal").get_attribute("href") == "webcal://" + url.split("://", 1)[1]
    shoot(page, "my-calendar-created")

    # What a calendar program fetches (SITE_URL is not the live server's address here).
    feed_path = url.removeprefix("http://localhost:8000")
    response = page.request.get(page.live_server_url + feed_path)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.body())
    events = {str(event["UID"]): event for event in parsed.walk("VEVENT")}
    assert set(events) == calendar.uids
    for event in events.values():
        assert isinstance(event.decoded("DTSTART"), datetime.date)
        assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(days=1)
        assert str(event["SUMMARY"]).startswith("Zhiteng Technology · ")
        assert str(event["URL"]).endswith(f"/admin/portfolio/firm/{calendar.firm.pk}/change/")

    # Shown once: opened again, the page no longer shows the link but says when it was fetched.
    page.reload()
    assert page.locator("#calendar-url").count() == 0
    assert "A calendar last fetched it on" in page.locator("#calendar-state").inner_text()
    shoot(page, "my-calendar-again")

    page.get_by_role("button", name="Revoke my calendar link").click()
    page.locator("#calendar-state", has_text="You have no calendar link.").wait_for()
    assert page.request.get(page.live_server_url + feed_path).status == 404


def test_the_page_in_chinese(page, calendar, shoot):
    log_in(page, calendar.email, "/admin/accounts/user/my-calendar/")
    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    assert page.url.endswith("/admin/accounts/user/my-calendar/")
    assert "首页" in page.locator(".breadcrumbs").inner_text()
    shoot(page, "my-calendar-zh")
