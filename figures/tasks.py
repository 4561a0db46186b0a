"""Celery tasks of figures requests. Each takes ids (or nothing) and is safe to run twice: a row
already claimed or sent is skipped, a pass run again records nothing new."""

from __future__ import annotations

from celery import shared_task

from figures import emails
from figures.models import FiguresEmail, TorchFilingEmail
from portfolio.services import reminders


def _count(outcomes: list[reminders.SendOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


@shared_task(name="figures.tasks.figures_reminder_pass")
def figures_reminder_pass() -> dict[str, int]:
    """Beat, hourly: reminders before a request's due date, the liaison's note after it."""
    result = emails.figures_reminder_pass(enqueue=True)
    return {"planned": len(result.planned), "handed_over": len(result.handed_over)}


@shared_task(name="figures.tasks.torch_filing_reminder_pass")
def torch_filing_reminder_pass() -> dict[str, int]:
    """Beat, hourly: the managers' reminder that the Torch return's filing window closes soon."""
    result = emails.torch_filing_reminder_pass(enqueue=True)
    return {"planned": len(result.planned), "handed_over": len(result.handed_over)}


@shared_task(name="figures.tasks.deliver_figures_emails")
def deliver_figures_emails(email_ids: list[int]) -> dict[str, int]:
    return _count(reminders.outbound_send(FiguresEmail, email_ids))


@shared_task(name="figures.tasks.deliver_torch_filing_emails")
def deliver_torch_filing_emails(email_ids: list[int]) -> dict[str, int]:
    return _count(reminders.outbound_send(TorchFilingEmail, email_ids))
