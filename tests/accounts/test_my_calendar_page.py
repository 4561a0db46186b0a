"""'My calendar' in the admin: any staff member creates, renews and revokes their own link."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CalendarFeed, StaffRole
from accounts.services import calendar_feed_issue
from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user
from tests.factories import MembershipFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

PAGE = "admin:accounts_user_my_calendar"


@pytest.fixture
def counsellor_client():
    """A counsellor: no permission on users at all, yet the page is theirs."""
    staff_roles_setup()
    membership = MembershipFactory(role=StaffRole.COUNSELLOR)
    staff_roles_sync_user(user=membership.user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(membership.user)
    client.user = membership.user
    return client


def shown_url(page: str) -> str | None:
    found = re.search(r'id="calendar-url" type="text" readonly value="([^"]+)"', page)
    return found.group(1) if found else None


def test_a_staff_member_without_user_permissions_opens_their_page(counsellor_client):
    response = counsellor_client.get(reverse(PAGE))
    assert response.status_code == 200
    assert "You have no calendar link." in response.content.decode()
    assert not counsellor_client.user.has_perm("accounts.view_user")


def test_the_admin_header_and_home_link_to_the_page(counsellor_client):
    page = counsellor_client.get(reverse("admin:index")).content.decode()
    assert page.count(f'href="{reverse(PAGE)}"') == 2


def test_creating_a_link_shows_it_once_and_it_opens_the_feed(counsellor_client):
    response = counsellor_client.post(reverse(PAGE), {"issue": "1"}, follow=True)
    assert response.redirect_chain == [(reverse(PAGE), 302)]  # a reload does not post again
    url = shown_url(response.content.decode())
    assert url is not None and url.startswith("http://localhost:8000/calendar/") and url.endswith(".ics")
    assert 'href="webcal://localhost:8000/calendar/' in response.content.decode()
    feed = CalendarFeed.objects.get(user=counsellor_client.user)
    assert feed.matches(url.rsplit("/", 1)[1].removesuffix(".ics"))
    # Opened again, the page says there is a link but no longer shows it.
    again = counsellor_client.get(reverse(PAGE)).content.decode()
    assert shown_url(again) is None
    assert "Your calendar link was created on" in again
    path = url.removeprefix("http://localhost:8000")
    assert Client().get(path).status_code == 200


def test_a_new_link_replaces_the_old_one(counsellor_client):
    _feed, old = calendar_feed_issue(user=counsellor_client.user)
    counsellor_client.post(reverse(PAGE), {"issue": "1"})
    assert Client().get(reverse("calendar-feed", kwargs={"token": old})).status_code == 404
    assert CalendarFeed.objects.filter(user=counsellor_client.user, revoked_at__isnull=True).count() == 1


def test_the_new_link_is_kept_nowhere_once_shown(counsellor_client):
    counsellor_client.post(reverse(PAGE), {"issue": "1"}, follow=True)
    assert not any("calendar" in key for key, _value in counsellor_client.session.items())
    assert shown_url(counsellor_client.get(reverse(PAGE)).content.decode()) is None
    assert CalendarFeed.objects.filter(user=counsellor_client.user).count() == 1


def test_revoking_from_the_page_closes_the_link(counsellor_client):
    _feed, raw = calendar_feed_issue(user=counsellor_client.user)
    response = counsellor_client.post(reverse(PAGE), {"revoke": "1"}, follow=True)
    assert "Your calendar link was revoked" in response.content.decode()
    assert "You have no calendar link." in response.content.decode()
    assert Client().get(reverse("calendar-feed", kwargs={"token": raw})).status_code == 404


def test_the_page_needs_a_login(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_superuser_revokes_someones_links_from_the_user_list(admin_client):
    user = StaffUserFactory()
    _feed, raw = calendar_feed_issue(user=user)
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "revoke_calendar_links", "_selected_action": [user.pk]},
    )
    assert Client().get(reverse("calendar-feed", kwargs={"token": raw})).status_code == 404
