"""Writes about people: a staff member's calendar link, issued (shown once) and revoked."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import CalendarFeed, User


@transaction.atomic
def calendar_feed_issue(*, user: User) -> tuple[CalendarFeed, str]:
    """A new calendar link for ``user``; the previous one (if any) stops working at once.

    Returns the link's record and its raw token, which is never stored or shown again.
    """
    # The user's row lock serialises two issues at once (two tabs): one active link remains.
    User.objects.select_for_update().filter(pk=user.pk).first()
    calendar_feed_revoke(user=user)
    raw, prefix, digest = CalendarFeed.generate()
    feed = CalendarFeed.objects.create(user=user, prefix=prefix, hashed_token=digest)
    return feed, raw


def calendar_feed_revoke(*, user: User) -> int:
    """Revoke the user's active link (the next fetch answers 404); how many were revoked."""
    return CalendarFeed.objects.active().filter(user=user).update(revoked_at=timezone.now())
