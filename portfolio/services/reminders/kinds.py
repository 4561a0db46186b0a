"""The portfolio's two outbound emails, declared to the outbox: the deadline reminder and the digest."""

from __future__ import annotations

from portfolio.choices import DeadlineStatus
from portfolio.models import DeliveryStatus, DigestDelivery, ReminderDelivery
from portfolio.selectors.reminders import digests_with_content, reminder_deliveries_with_content
from portfolio.services.reminders.registry import OutboundKind, register
from portfolio.services.reminders.rendering import digest_context, reminder_context, send_day


def reminder_refusals(rows: list[ReminderDelivery]) -> dict[int, tuple[str, str]]:
    """A reminder whose deadline is no longer open, or passed before it could go out, is cancelled.

    The deadline's status and date come with the locked rows (``reminder_deliveries_with_content``).
    """
    refused = {}
    for row in rows:
        status, due_on = row.deadline.status, row.deadline.due_on
        if status != DeadlineStatus.OPEN:
            refused[row.pk] = (DeliveryStatus.CANCELLED, "deadline no longer open (done or superseded)")
        elif due_on < send_day(row):
            refused[row.pk] = (DeliveryStatus.CANCELLED, "deadline passed before the reminder could be sent")
    return refused


REMINDER = register(
    OutboundKind(
        model=ReminderDelivery,
        task="portfolio.tasks.deliver_reminders",
        message_id_prefix="reminder",
        template=lambda row: "portfolio/email/reminder",
        context=reminder_context,
        related=reminder_deliveries_with_content,
        refusals=reminder_refusals,
        resendable=lambda qs: qs.filter(deadline__status=DeadlineStatus.OPEN),
    )
)

DIGEST = register(
    OutboundKind(
        model=DigestDelivery,
        task="portfolio.tasks.deliver_digests",
        message_id_prefix="digest",
        template=lambda row: "portfolio/email/digest",
        context=digest_context,
        related=digests_with_content,
    )
)
