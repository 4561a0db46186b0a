"""Reminder emails before certification deadlines, and the staff's weekly digest.

Every email is a row before it is a message: the row is created once (a unique constraint),
claimed by exactly one sender at a time (a row lock plus a lease), and records its outcome.
See portfolio/services/reminders/ and the README's "Reminders" section for the design.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from portfolio.models.certifications import Deadline


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class RecipientKind(models.TextChoices):
    CONTACT = "contact", _("Firm contact")
    STAFF = "staff", _("Incubator staff")


class OutboundEmail(models.Model):
    """The state every queued email shares: who, in which language, and how sending went."""

    email = models.EmailField(_("recipient email"))
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), help_text=_("A pending email is not sent before this time.")
    )
    enqueued_at = models.DateTimeField(_("handed to a worker at"), null=True, blank=True)
    claimed_at = models.DateTimeField(
        _("claimed at"), null=True, blank=True, help_text=_("When a sender last took this email.")
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ReminderDelivery(OutboundEmail):
    """One reminder of one deadline, at one threshold, to one address: never two."""

    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    threshold = models.PositiveSmallIntegerField(
        _("threshold (days before)"), help_text=_("The reminder day of the certification kind this is for.")
    )
    days_left = models.SmallIntegerField(_("days left when due"))
    for_date = models.DateField(_("pass date"), help_text=_("The day (Asia/Shanghai) of the pass."))
    recipient_kind = models.CharField(_("recipient"), max_length=10, choices=RecipientKind.choices)
    contact = models.ForeignKey(
        "portfolio.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder_deliveries",
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminder_deliveries",
    )
    firm_has_no_contact = models.BooleanField(
        _("firm has no contact email"),
        default=False,
        help_text=_("Sent to staff in place of the firm, which has no contact with an email address."),
    )

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "threshold", "email"],
                name="portfolio_reminder_once_per_threshold",
                violation_error_message=_(
                    "This reminder has already been recorded for this deadline, threshold and address."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(recipient_kind=RecipientKind.CONTACT, user__isnull=True)
                | models.Q(recipient_kind=RecipientKind.STAFF, contact__isnull=True),
                name="portfolio_reminder_recipient_matches_kind",
                violation_error_message=_("A contact's reminder has no staff member, and the reverse."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeliveryStatus.SENT) | models.Q(sent_at__isnull=False),
                name="portfolio_reminder_sent_has_time",
                violation_error_message=_("A sent reminder needs the time it was sent."),
            ),
        ]
        indexes = [
            # The dispatcher's query: what is waiting or stuck. Sent rows (nearly all) stay out.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="portfolio_reminder_waiting",
                condition=models.Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            ),
            models.Index(
                fields=["status", "updated_at"],
                name="portfolio_reminder_failed",
                condition=models.Q(status=DeliveryStatus.FAILED),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} · {self.threshold} · {self.email}"


class DigestDelivery(OutboundEmail):
    """One staff member's weekly digest: one per person and week."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="digests"
    )
    week_of = models.DateField(_("week of"), help_text=_("The Monday of the week the digest is for."))

    class Meta:
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")
        ordering = ["-week_of", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week_of"],
                name="portfolio_digest_once_per_week",
                violation_error_message=_("This person already has a digest for this week."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="portfolio_digest_waiting",
                condition=models.Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.week_of}"
