"""The weekly digest: one per staff member and week, for those with something to read."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from portfolio.models import DigestDelivery
from portfolio.selectors.reminders import digest_content, digest_recipients
from portfolio.services.reminders.outbox import outbound_hand_over, outbound_take_waiting
from portfolio.services.reminders.sending import SendOutcome, outbound_send


def digest_pass(
    *, today: datetime.date | None = None, dry_run: bool = False, enqueue: bool = True
) -> tuple[list[DigestDelivery], list[int] | list[SendOutcome]]:
    """One digest per staff member and week (unique), for those with something to read."""
    today = today or timezone.localdate()
    week_of = today - datetime.timedelta(days=today.weekday())
    now = timezone.now()
    planned: dict[int, DigestDelivery] = {}
    for membership in digest_recipients():
        user = membership.user
        if user.pk in planned:
            continue
        content = digest_content(user_id=user.pk, today=today, weeks=settings.REMINDER_DIGEST_WEEKS)
        if content.is_empty:
            continue
        planned[user.pk] = DigestDelivery(
            user=user,
            week_of=week_of,
            email=user.email.strip().lower(),
            language=user.preferred_language,
            next_attempt_at=now,
        )
    if dry_run:
        return list(planned.values()), []
    DigestDelivery.objects.bulk_create(planned.values(), ignore_conflicts=True)
    if enqueue:
        return list(planned.values()), outbound_hand_over(DigestDelivery)
    return list(planned.values()), outbound_send(DigestDelivery, outbound_take_waiting(DigestDelivery))
