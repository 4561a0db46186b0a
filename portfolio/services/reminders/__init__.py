"""Reminders before certification deadlines: record each one once, send it once.

The pass (hourly, from Celery beat) records one ReminderDelivery per deadline, threshold and
address (a unique constraint makes a second pass a no-op), then hands the waiting ones to the
workers on commit. A worker claims each row under a row lock and a lease before it talks to
SMTP and records the outcome right after, so a message is sent twice only if the worker dies
between the SMTP server's "250" and that one UPDATE (README, "Reminders").

Modules: ``passes`` (thresholds and the hourly pass), ``outbox`` (what waits,
hand-over, re-send), ``sending`` (claim, SMTP, outcome), ``rendering`` (the emails and their
links), ``digest`` (the weekly digest), ``registry`` (what the outbox needs to know of each
model of email: its task, Message-ID, templates, context, loader and refusal rule) and ``kinds``
(the reminder and the digest declared there; other apps declare their own, see figures/emails.py).
The names used elsewhere are re-exported here.
"""

from portfolio.services.reminders import kinds  # noqa: F401 - registers the reminder and the digest
from portfolio.services.reminders.digest import digest_pass
from portfolio.services.reminders.outbox import (
    Outbound,
    outbound_hand_over,
    outbound_resend,
    outbound_take_waiting,
)
from portfolio.services.reminders.passes import (
    PassResult,
    Planned,
    due_threshold,
    reminder_pass,
    reminders_record,
)
from portfolio.services.reminders.registry import OutboundKind, outbound_kind, register
from portfolio.services.reminders.rendering import (
    build_message,
    digest_context,
    failed_reminders_admin_url,
    firm_admin_url,
    load_for_sending,
    message_id,
    reminder_context,
    send_day,
)
from portfolio.services.reminders.sending import (
    SendOutcome,
    TransientError,
    classify_error,
    outbound_send,
    retry_delay,
)

__all__ = [
    "Outbound",
    "OutboundKind",
    "PassResult",
    "Planned",
    "SendOutcome",
    "TransientError",
    "build_message",
    "classify_error",
    "digest_context",
    "digest_pass",
    "due_threshold",
    "failed_reminders_admin_url",
    "firm_admin_url",
    "load_for_sending",
    "message_id",
    "outbound_hand_over",
    "outbound_kind",
    "outbound_resend",
    "outbound_send",
    "outbound_take_waiting",
    "register",
    "reminder_context",
    "reminder_pass",
    "reminders_record",
    "retry_delay",
    "send_day",
]
