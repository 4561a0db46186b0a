"""The emails: what a reminder and a digest say, in the recipient's language, with their links."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Generator
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from portfolio.models import Deadline, DigestDelivery, ReminderDelivery
from portfolio.rules.deadlines import days_left
from portfolio.selectors.reminders import digest_content
from portfolio.services.reminders.registry import Outbound, outbound_kind


def send_day(delivery: ReminderDelivery) -> datetime.date:
    """The pass's day moved on by the days since it recorded the delivery (a retry may be late).

    Counting from the pass's day, not the calendar, keeps ``send_reminders --today`` coherent.
    """
    return delivery.for_date + (timezone.localdate() - timezone.localdate(delivery.created_at))


def message_id(model: Outbound, pk: int) -> str:
    """Stable across attempts, so a duplicate is recognisable as the same delivery."""
    return f"<{outbound_kind(model).message_id_prefix}-{pk}@{_domain(settings.DEFAULT_FROM_EMAIL)}>"


@functools.lru_cache(maxsize=8)
def _domain(from_email: str) -> str:
    """The sender's domain (parsed once per sender, not once per message)."""
    return parseaddr(from_email)[1].rpartition("@")[2] or "localhost"


def firm_admin_url(firm_id: int) -> str:
    """The firm's admin page as a link in an email: the site's address and the admin's own URL."""
    return settings.SITE_URL + reverse("admin:portfolio_firm_change", args=[firm_id])


def failed_reminders_admin_url() -> str:
    changelist = reverse("admin:portfolio_reminderdelivery_changelist")
    return f"{settings.SITE_URL}{changelist}?status__exact=failed"


def _localized(obj, field_name: str, language: str) -> str:
    chinese = getattr(obj, field_name)
    return chinese if language != "en" else (getattr(obj, f"{field_name}_en", "") or chinese)


def load_for_sending(model: Outbound, ids: list[int]) -> dict[int, models.Model]:
    """The emails with everything they show, in one query."""
    return outbound_kind(model).load(ids)


def build_message(model: Outbound, delivery, *, connection=None) -> EmailMultiAlternatives:
    """The email of one delivery: subject, text and HTML in the recipient's language."""
    steps = message_steps(model, delivery, connection=connection)
    while True:
        try:
            next(steps)
        except StopIteration as built:
            return built.value


def message_steps(
    model: Outbound, delivery, *, connection=None
) -> Generator[None, None, EmailMultiAlternatives]:
    """``build_message`` in four steps, yielding between them; the email is the generator's value.

    A sender runs a step whenever it waits for the SMTP server anyway (sending.py). Each step
    renders in the recipient's language by itself, so no language stays active in between.
    """
    kind = outbound_kind(model)
    template = kind.template(delivery)
    language = delivery.language
    with translation.override(language):
        # The context in the language too: what it words (a list, a date) is in the language.
        context = kind.context(delivery)
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    yield
    with translation.override(language):
        text = render_to_string(f"{template}.txt", context)
    yield
    with translation.override(language):
        html = render_to_string(f"{template}.html", context)
    yield
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[delivery.email],
        connection=connection,
        headers={"Message-ID": message_id(model, delivery.pk), "Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    return message


def reminder_context(delivery: ReminderDelivery) -> dict:
    deadline = delivery.deadline
    language = delivery.language
    today = send_day(delivery)
    return {
        "delivery": delivery,
        "firm_name": _localized(deadline.firm, "name", language),
        "certification": _localized(deadline.certification.kind, "name", language),
        "certificate_number": deadline.certification.number,
        "obligation": _localized(deadline.obligation, "name", language),
        "instructions": _localized(deadline.obligation, "instructions", language),
        "due_on": deadline.due_on,
        "days_left": days_left(deadline.due_on, today),
        "threshold": delivery.threshold,
        "to_staff": delivery.recipient_kind == "staff",
        "firm_has_no_contact": delivery.firm_has_no_contact,
        # Contacts cannot enter the admin: only staff copies link to it.
        "firm_url": firm_admin_url(deadline.firm_id) if delivery.recipient_kind == "staff" else "",
    }


def digest_context(digest: DigestDelivery) -> dict:
    today = timezone.localdate()
    content = digest_content(user_id=digest.user_id, today=today, weeks=settings.REMINDER_DIGEST_WEEKS)
    language = digest.language

    def row(deadline: Deadline) -> dict:
        return {
            "firm_name": _localized(deadline.firm, "name", language),
            "certification": _localized(deadline.certification.kind, "name", language),
            "obligation": _localized(deadline.obligation, "name", language),
            "due_on": deadline.due_on,
            "days_left": days_left(deadline.due_on, today),
            "days_overdue": -days_left(deadline.due_on, today),
            "firm_url": firm_admin_url(deadline.firm_id),
        }

    return {
        "user": digest.user,
        "language": language,
        "week_of": digest.week_of,
        "weeks": settings.REMINDER_DIGEST_WEEKS,
        "overdue": [row(d) for d in content.overdue],
        "upcoming": [row(d) for d in content.upcoming],
        "approximate": [row(d) for d in content.approximate],
        "failed": [
            {
                "firm_name": _localized(f.deadline.firm, "name", language),
                "obligation": _localized(f.deadline.obligation, "name", language),
                "email": f.email,
                "error": f.last_error,
                "attempts": f.attempts,
                "firm_url": firm_admin_url(f.deadline.firm_id),
            }
            for f in content.failed
        ],
        "admin_url": failed_reminders_admin_url(),
    }
