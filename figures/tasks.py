"""Celery tasks of figures requests. Each takes ids (or nothing) and is safe to run twice: a row
already claimed or sent is skipped, a pass run again records nothing new."""

from __future__ import annotations

from celery import shared_task

from figures.models import FiguresEmail
from portfolio.services import reminders


def _count(outcomes: list[reminders.SendOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


@shared_task(name="figures.tasks.deliver_figures_emails")
def deliver_figures_emails(email_ids: list[int]) -> dict[str, int]:
    return _count(reminders.outbound_send(FiguresEmail, email_ids))
