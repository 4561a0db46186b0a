"""A staff member's deadline calendar: their firms' open deadlines as an iCalendar (RFC 5545) feed.

Subscribed to from Outlook, WeCom or any calendar, which fetch the whole feed again every few
hours and replace what they showed: each deadline is one all-day event (``DTSTART;VALUE=DATE``,
``DTEND`` the next day) whose UID is derived from the deadline's id, so a change to it replaces
the event and a deadline that is closed (done, superseded, renewed) disappears from the feed.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import CalendarFeed, Language, User
from portfolio.choices import DatePrecision, DeadlineStatus
from portfolio.models import Deadline
from portfolio.selectors.scope import scope_to_user

PRODID = "-//Incubator portfolio//Deadline calendar//EN"
# How often a calendar should fetch the feed again (clients that honour it: Outlook, Apple).
REFRESH_INTERVAL = datetime.timedelta(hours=4)


def feed_url(raw_token: str) -> str:
    """The link to give a calendar: the site's address and the feed's path."""
    return settings.SITE_URL + reverse("calendar-feed", kwargs={"token": raw_token})


def deadlines_for_feed(user: User) -> QuerySet[Deadline]:
    """Open deadlines of the firms the user sees (a superuser: all), overdue ones included."""
    return (
        scope_to_user(Deadline.objects.filter(status=DeadlineStatus.OPEN), user)
        .select_related("firm", "certification__kind", "obligation")
        .order_by("due_on", "pk")
    )


def _localized(obj, field_name: str, language: str) -> str:
    chinese = getattr(obj, field_name)
    return chinese if language != Language.ENGLISH else (getattr(obj, f"{field_name}_en", "") or chinese)


def event_uid(deadline: Deadline) -> str:
    """Stable for the deadline's life: the same event is replaced, never duplicated."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"deadline-{deadline.pk}@{host}"


def _event(deadline: Deadline, language: str) -> icalendar.Event:
    firm = _localized(deadline.firm, "name", language)
    kind = _localized(deadline.certification.kind, "name", language)
    obligation = _localized(deadline.obligation, "name", language)
    instructions = _localized(deadline.obligation, "instructions", language)
    firm_url = settings.SITE_URL + reverse("admin:portfolio_firm_change", args=[deadline.firm_id])
    approximate = deadline.due_precision != DatePrecision.DAY
    summary = f"{firm} · {kind} · {obligation}"
    due = deadline.due_on.isoformat()
    if approximate:
        # The date is the earliest possible day of an imprecise one: say so wherever it shows.
        note = _("approximate, please complete the date")
        summary = f"≈ {summary} ({note})"
        due = f"≈ {due} ({note})"
    lines = [
        f"{_('Firm')}: {firm}",
        f"{_('Certification')}: {kind}",
        f"{_('What is due')}: {obligation}",
        f"{_('Due on')}: {due}",
    ]
    if instructions:
        lines += ["", f"{_('What to do')}:", instructions]
    page_label = _("The firm's page")
    lines += ["", f"{page_label}: {firm_url}"]

    event = icalendar.Event()
    event.add("uid", event_uid(deadline))
    event.add("dtstamp", deadline.updated_at)
    event.add("last-modified", deadline.updated_at)
    event.add("dtstart", deadline.due_on)
    event.add("dtend", deadline.due_on + datetime.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", "\n".join(lines))
    event.add("url", firm_url)
    event.add("categories", [kind])
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy all day
    return event


def feed_ics(*, user: User, deadlines: list[Deadline]) -> bytes:
    """The calendar, in the user's preferred language."""
    language = user.preferred_language or Language.CHINESE
    with translation.override(language):
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Deadlines of my firms"))
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
        for deadline in deadlines:
            calendar.add_component(_event(deadline, language))
        return calendar.to_ical()


def feed_for_token(raw_token: str) -> CalendarFeed | None:
    """The active link with this token, of an active staff member; None for anything else."""
    prefix, dot, secret = raw_token.partition(".")
    if not dot or not secret or len(prefix) != CalendarFeed.PREFIX_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.active()
        .select_related("user")
        .filter(prefix=prefix, user__is_active=True, user__is_staff=True)
        .first()
    )
    if feed is None or not feed.matches(raw_token):
        return None
    return feed
