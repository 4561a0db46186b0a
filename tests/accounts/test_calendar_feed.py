"""The staff member's deadline calendar: /calendar/<token>.ics, read back with icalendar."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.calendar import feed_url
from accounts.models import CalendarFeed, Language, StaffRole, User
from accounts.services import calendar_feed_issue, calendar_feed_revoke
from portfolio.choices import DatePrecision, DeadlineStatus
from portfolio.models import Deadline, Firm, Incubator, Obligation
from portfolio.services.certifications import deadline_mark_done
from tests.factories import (
    CertificationFactory,
    FirmFactory,
    IncubatorFactory,
    MembershipFactory,
    ResidencyFactory,
    StaffUserFactory,
    kind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _wrong_links_not_throttled(settings):
    """Each test's wrong links must not count against the next one's (the throttle test sets its own)."""
    settings.API_AUTH_FAILURES_PER_MINUTE = 0


@dataclass
class Setup:
    incubator: Incubator
    staff: User
    firm: Firm
    other_firm: Firm
    deadline: Deadline
    other_deadline: Deadline


def firm_with_deadline(incubator: Incubator, due_on: datetime.date, **firm_kwargs) -> tuple[Firm, Deadline]:
    """A firm in ``incubator`` with exactly one open deadline (its certificate's own are closed)."""
    firm = FirmFactory(**firm_kwargs)
    ResidencyFactory(firm=firm, incubator=incubator)
    certification = CertificationFactory(firm=firm)
    Deadline.objects.filter(firm=firm).update(status=DeadlineStatus.CLOSED)
    deadline, _created = Deadline.objects.update_or_create(
        certification=certification,
        firm=firm,
        obligation=Obligation.objects.get(kind=kind("hnte"), code="annual-report"),
        due_on=due_on,
        defaults={"status": DeadlineStatus.OPEN},
    )
    return firm, deadline


@pytest.fixture
def setup() -> Setup:
    incubator = IncubatorFactory()
    staff = StaffUserFactory(email="liaison@feed.example.org", preferred_language=Language.ENGLISH)
    MembershipFactory(user=staff, incubator=incubator, role=StaffRole.LIAISON)
    firm, deadline = firm_with_deadline(
        incubator, datetime.date(2026, 5, 31), name="青岛智腾科技有限公司", name_en="Zhiteng Technology"
    )
    other_firm, other_deadline = firm_with_deadline(IncubatorFactory(), datetime.date(2026, 5, 31))
    return Setup(incubator, staff, firm, other_firm, deadline, other_deadline)


def feed_path(raw: str) -> str:
    return reverse("calendar-feed", kwargs={"token": raw})


def fetch(client, raw: str) -> icalendar.Calendar:
    response = client.get(feed_path(raw))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_an_issued_link_is_stored_only_as_a_digest(setup):
    feed, raw = calendar_feed_issue(user=setup.staff)
    assert raw.startswith(feed.prefix + ".")
    assert feed.hashed_token == CalendarFeed.digest(raw)
    assert raw not in feed.hashed_token
    assert feed_url(raw).endswith(f"/calendar/{raw}.ics")


def test_the_feed_has_one_all_day_event_per_open_deadline_of_the_users_firms(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    calendar = fetch(client, raw)
    found = events(calendar)
    assert list(found) == [f"deadline-{setup.deadline.pk}@localhost"]
    event = found[f"deadline-{setup.deadline.pk}@localhost"]
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert event.decoded("DTSTART") == datetime.date(2026, 5, 31)
    assert event.decoded("DTEND") == datetime.date(2026, 6, 1)
    assert str(event["URL"]).endswith(reverse("admin:portfolio_firm_change", args=[setup.firm.pk]))


def test_the_feed_speaks_the_users_language(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    event = next(iter(events(fetch(client, raw)).values()))
    assert str(event["SUMMARY"]) == (
        "Zhiteng Technology · High and new technology enterprise · HNTE annual report"
    )
    assert "What is due: HNTE annual report" in str(event["DESCRIPTION"])
    User.objects.filter(pk=setup.staff.pk).update(preferred_language=Language.CHINESE)
    event = next(iter(events(fetch(client, raw)).values()))
    assert str(event["SUMMARY"]) == "青岛智腾科技有限公司 · 高新技术企业 · 高企年度发展情况报表"


def test_an_approximate_deadline_says_so_in_title_and_description(client, setup):
    Deadline.objects.filter(pk=setup.deadline.pk).update(due_precision=DatePrecision.YEAR)
    _feed, raw = calendar_feed_issue(user=setup.staff)
    event = next(iter(events(fetch(client, raw)).values()))
    assert str(event["SUMMARY"]).startswith("≈ Zhiteng Technology")
    assert "approximate, please complete the date" in str(event["SUMMARY"])
    assert "Due on: ≈ 2026-05-31 (approximate, please complete the date)" in str(event["DESCRIPTION"])


def test_uids_are_stable_across_fetches_and_changes(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    before = events(fetch(client, raw))
    Firm.objects.filter(pk=setup.firm.pk).update(name_en="Zhiteng Tech (renamed)")
    Deadline.objects.filter(pk=setup.deadline.pk).update(note="called the firm")
    after = events(fetch(client, raw))
    assert list(after) == list(before)
    assert "renamed" in str(after[f"deadline-{setup.deadline.pk}@localhost"]["SUMMARY"])


def test_a_closed_deadline_disappears_from_the_feed(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    deadline_mark_done(deadline=setup.deadline, user=setup.staff)
    assert events(fetch(client, raw)) == {}


def test_a_revoked_link_answers_404(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    calendar_feed_revoke(user=setup.staff)
    assert client.get(feed_path(raw)).status_code == 404


def test_issuing_a_new_link_revokes_the_previous_one(client, setup):
    _old, old_raw = calendar_feed_issue(user=setup.staff)
    _new, new_raw = calendar_feed_issue(user=setup.staff)
    assert client.get(feed_path(old_raw)).status_code == 404
    assert client.get(feed_path(new_raw)).status_code == 200
    assert CalendarFeed.objects.active().filter(user=setup.staff).count() == 1


@pytest.mark.parametrize(
    "token",
    ["nothing", "abcdef12.wrong-secret", "abcdef12.", ".secret", "x" * 200],
)
def test_a_wrong_or_malformed_link_answers_404(client, setup, token):
    calendar_feed_issue(user=setup.staff)
    assert client.get(feed_path(token)).status_code == 404


def test_a_right_prefix_with_a_wrong_secret_answers_404(client, setup):
    feed, _raw = calendar_feed_issue(user=setup.staff)
    assert client.get(feed_path(f"{feed.prefix}.not-the-secret")).status_code == 404


def test_the_link_of_someone_no_longer_staff_answers_404(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    User.objects.filter(pk=setup.staff.pk).update(is_active=False)
    assert client.get(feed_path(raw)).status_code == 404


def test_a_superuser_sees_every_firms_deadlines(client, setup):
    boss = StaffUserFactory(is_superuser=True)
    _feed, raw = calendar_feed_issue(user=boss)
    assert set(events(fetch(client, raw))) == {
        f"deadline-{setup.deadline.pk}@localhost",
        f"deadline-{setup.other_deadline.pk}@localhost",
    }


def test_fetching_records_when_the_link_was_last_used(client, setup):
    feed, raw = calendar_feed_issue(user=setup.staff)
    fetch(client, raw)
    feed.refresh_from_db()
    assert feed.last_used_at is not None
    assert timezone.now() - feed.last_used_at < datetime.timedelta(minutes=1)


def test_the_feed_costs_the_same_queries_for_one_deadline_and_for_thirty(
    client, setup, django_assert_num_queries
):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    # The link, last use, the user's incubators, the deadlines with their firm, kind, obligation.
    with django_assert_num_queries(4):
        assert len(events(fetch(client, raw))) == 1
    for n in range(29):
        firm_with_deadline(setup.incubator, datetime.date(2026, 6, 1) + datetime.timedelta(days=n))
    with django_assert_num_queries(4):
        assert len(events(fetch(client, raw))) == 30


def test_too_many_wrong_links_from_one_address_answer_429_without_a_query(
    client, setup, settings, django_assert_num_queries
):
    settings.API_AUTH_FAILURES_PER_MINUTE = 3
    _feed, raw = calendar_feed_issue(user=setup.staff)
    address = "203.0.113.77"  # its own counter, whatever other tests did
    for n in range(3):
        assert client.get(feed_path(f"abcdef1{n}.wrong"), REMOTE_ADDR=address).status_code == 404
    with django_assert_num_queries(0):
        response = client.get(feed_path(raw), REMOTE_ADDR=address)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    # Another address is not held back.
    assert client.get(feed_path(raw), REMOTE_ADDR="203.0.113.78").status_code == 200


def test_a_post_to_the_feed_is_refused(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    assert client.post(feed_path(raw)).status_code == 405


def test_the_demo_prints_a_staff_members_link_that_opens(client):
    import io

    from django.core.management.base import OutputWrapper

    from portfolio.management.commands.load_demo_scenario import Command
    from portfolio.services.demo import demo_staff, staff_email

    StaffUserFactory(email=staff_email("itri", "manager"))
    out = io.StringIO()
    command = Command(stdout=OutputWrapper(out))
    command._print_calendar_feed()
    [url] = [word for word in out.getvalue().split() if word.endswith(".ics")]
    assert demo_staff()[0].calendar_feeds.get(revoked_at__isnull=True)
    response = client.get(url.removeprefix("http://localhost:8000"))
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.content)["X-WR-CALNAME"]


def test_the_calendar_asks_to_be_fetched_again_every_four_hours(client, setup):
    _feed, raw = calendar_feed_issue(user=setup.staff)
    calendar = fetch(client, raw)
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT4H"
    assert calendar["X-PUBLISHED-TTL"].to_ical() == b"PT4H"
