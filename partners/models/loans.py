"""Loan applications and decisions a partner bank records through the API."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from partners.models.keys import ApiKey
from portfolio.choices import LoanStatus


class LoanApplication(models.Model):
    """A bank's loan application for a firm, recorded through the API.

    The money itself is a ``portfolio.FinancingEvent`` (kind loan, origin partner API), which
    staff see as financing; this row adds what only the bank's side has: its own reference,
    the application date and the dated list of decisions.
    """

    event = models.OneToOneField(
        "portfolio.FinancingEvent",
        verbose_name=_("financing event"),
        on_delete=models.CASCADE,
        related_name="loan_application",
    )
    bank = models.ForeignKey(
        Organisation, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="loan_applications"
    )
    reference = models.CharField(
        _("bank's reference"), max_length=100, blank=True, help_text=_("The bank's own id for the loan.")
    )
    applied_on = models.DateField(_("applied on"))
    requested_amount = models.DecimalField(
        _("requested amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "reference"],
                condition=~models.Q(reference=""),
                name="partners_loan_unique_reference_per_bank",
                violation_error_message=_("This bank already recorded a loan with this reference."),
            ),
            models.CheckConstraint(
                condition=models.Q(requested_amount__isnull=True) | models.Q(requested_amount__gt=0),
                name="partners_loan_requested_amount_positive",
                violation_error_message=_("The requested amount must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} · {self.event.firm_id} · {self.applied_on}"


class LoanDecision(models.Model):
    """One step of a loan application: approved, disbursed, rejected, repaid, defaulted ..."""

    application = models.ForeignKey(
        LoanApplication,
        verbose_name=_("loan application"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    status = models.CharField(_("status"), max_length=20, choices=LoanStatus.choices)
    decided_on = models.DateField(_("decided on"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    note = models.TextField(_("note or reason"), blank=True)
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan decision")
        verbose_name_plural = _("loan decisions")
        ordering = ["application", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} {self.decided_on}"
