"""The calendar feed: ``/calendar/<token>.ics``, opened by calendar programs without a login."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.calendar import deadlines_for_feed, feed_for_token, feed_ics
from accounts.models import CalendarFeed
from partners.api.throttling import count, hit


def _failures_name(request: HttpRequest) -> str:
    return f"throttle_calendar_failures_{request.META.get('REMOTE_ADDR', '')}"


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's open deadlines as text/calendar; 404 for a wrong, revoked or ex-staff link.

    Wrong links are counted per client address as the partner API counts failed keys: past
    ``API_AUTH_FAILURES_PER_MINUTE`` in a minute, every link from that address answers 429
    until the minute ends, without a database query, so tokens cannot be guessed at speed.
    """
    limit = settings.API_AUTH_FAILURES_PER_MINUTE
    if limit:
        failures, wait = count(_failures_name(request))
        if failures >= limit:
            response = HttpResponse(
                _("Too many wrong calendar links from your address; try again in a minute."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(wait)
            return response
    feed = feed_for_token(token)
    if feed is None:
        if limit:
            hit(_failures_name(request))
        raise Http404("No such calendar.")
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    body = feed_ics(user=feed.user, deadlines=list(deadlines_for_feed(feed.user)))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    # The link is a secret: no shared cache keeps the feed, no search engine lists it.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
