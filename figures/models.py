"""Figures requests: the incubator asks its firms for a year's figures; founders answer through a
signed link with no account; a liaison accepts or sends back; accepted values become the firm's
yearly figures. The emails of a request go through the reminder machinery's outbox.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.history import HistoricalRecords
from portfolio.models.reminders import OutboundEmail


class FiguresRequest(models.Model):
    """One incubator's request for one fiscal year's figures, to some or all of its firms."""

    incubator = models.ForeignKey(
        "portfolio.Incubator",
        verbose_name=_("incubator"),
        on_delete=models.PROTECT,
        related_name="figures_requests",
    )
    year = models.PositiveSmallIntegerField(_("fiscal year"), help_text=_("The year the figures are for."))
    due_on = models.DateField(_("due on"), help_text=_("The day founders are asked to submit by."))
    fields = models.JSONField(
        _("fields asked for"),
        default=list,
        blank=True,
        help_text=_("Names of the yearly figures asked for; empty asks for all of them."),
    )
    message = models.TextField(_("message to founders"), blank=True)
    closed = models.BooleanField(
        _("closed"),
        default=False,
        help_text=_("A closed request takes no more submissions and sends no reminders."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("figures request")
        verbose_name_plural = _("figures requests")
        ordering = ["-year", "incubator"]
        constraints = [
            models.UniqueConstraint(
                fields=["incubator", "year"],
                name="figures_request_one_per_incubator_year",
                violation_error_message=_("This incubator already has a figures request for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1949, year__lte=2200),
                name="figures_request_year_plausible",
                violation_error_message=_("The year must be between 1949 and 2200."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incubator} · {self.year}"


class SubmissionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Sent back")
    ACCEPTED = "accepted", _("Accepted")


class FiguresSubmission(models.Model):
    """One firm's answer to a request: its link, its draft or submitted values, and the review."""

    request = models.ForeignKey(
        FiguresRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="submissions"
    )
    firm = models.ForeignKey(
        "portfolio.Firm", verbose_name=_("firm"), on_delete=models.CASCADE, related_name="figures_submissions"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.NOT_STARTED
    )
    values = models.JSONField(
        _("values"),
        default=dict,
        blank=True,
        help_text=_("The founder's entries by field name, as text: a draft until submitted."),
    )
    # The link: a signed token names the submission and this version; revoking or re-issuing
    # bumps the version, so every older link stops working.
    link_version = models.PositiveIntegerField(_("link version"), default=1)
    link_revoked = models.BooleanField(_("link revoked"), default=False)
    link_expires_at = models.DateTimeField(_("link expires at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.CharField(
        _("submitted by"), max_length=200, blank=True, help_text=_("Name and email the founder gave.")
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("figures submission")
        verbose_name_plural = _("figures submissions")
        ordering = ["request", "firm__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "firm"],
                name="figures_submission_one_per_firm",
                violation_error_message=_("This firm is already part of this request."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["submitted", "accepted"])
                | models.Q(submitted_at__isnull=False),
                name="figures_submission_submitted_has_time",
                violation_error_message=_("A submitted answer needs the time it was submitted."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.firm}"


class FiguresEmailKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation with the link")
    REMINDER = "reminder", _("Reminder before the due date")
    RECEIPT = "receipt", _("Receipt of a submission")
    RETURNED = "returned", _("Sent back for changes")
    LIAISON_MISSING = "liaison_missing", _("Liaison: firms still missing")


class FiguresEmail(OutboundEmail):
    """One email of a figures request, recorded before it is sent: never two of the same.

    ``occasion`` tells apart emails of one kind that may legitimately repeat: the reminder's
    threshold in days, the link version of an invitation, the submission's count of receipts.
    """

    submission = models.ForeignKey(
        FiguresSubmission,
        verbose_name=_("submission"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    request = models.ForeignKey(
        FiguresRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="emails"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FiguresEmailKind.choices)
    occasion = models.CharField(_("occasion"), max_length=40, default="")
    contact = models.ForeignKey(
        "portfolio.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("figures email")
        verbose_name_plural = _("figures emails")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind", "occasion", "email"],
                condition=models.Q(submission__isnull=False),
                name="figures_email_once_per_submission",
                violation_error_message=_("This email has already been recorded."),
            ),
            models.UniqueConstraint(
                fields=["request", "kind", "occasion", "email"],
                condition=models.Q(submission__isnull=True),
                name="figures_email_once_per_request",
                violation_error_message=_("This email has already been recorded."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="figures_email_sent_has_time",
                violation_error_message=_("A sent email needs the time it was sent."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="figures_email_waiting",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.email}"


class TorchFilingEmail(OutboundEmail):
    """One reminder to one of an incubator's managers that the Torch return's filing window closes
    soon: once per incubator, report year, threshold (days before it closes) and address.

    The window is kept as it was when the reminder was recorded, with whether it was published
    or only expected (a year without a published notice), which the email says.
    """

    incubator = models.ForeignKey(
        "portfolio.Incubator",
        verbose_name=_("incubator"),
        on_delete=models.CASCADE,
        related_name="torch_filing_emails",
    )
    report_year = models.PositiveSmallIntegerField(_("report year"))
    threshold = models.PositiveSmallIntegerField(
        _("threshold (days before it closes)"), help_text=_("The reminder day of figures/rules/torch.yaml.")
    )
    opens_on = models.DateField(_("window opens on"))
    closes_on = models.DateField(_("window closes on"))
    published = models.BooleanField(
        _("published window"), help_text=_("False where the window is only expected from earlier years.")
    )
    source = models.CharField(_("source of the window"), max_length=300, blank=True)
    for_date = models.DateField(_("pass date"), help_text=_("The day (Asia/Shanghai) of the pass."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Torch filing reminder")
        verbose_name_plural = _("Torch filing reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incubator", "report_year", "threshold", "email"],
                name="figures_torch_filing_once_per_threshold",
                violation_error_message=_("This filing reminder has already been recorded."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="figures_torch_filing_sent_has_time",
                violation_error_message=_("A sent email needs the time it was sent."),
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__lte=models.F("closes_on")),
                name="figures_torch_filing_window_in_order",
                violation_error_message=_("The window cannot close before it opens."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                name="figures_torch_filing_waiting",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incubator_id} · {self.report_year} · {self.threshold} · {self.email}"
