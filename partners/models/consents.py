"""What a firm agrees to share with a partner, and the firms an incubator recommends to banks."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.choices import RecommendationStatus
from portfolio.history import HistoricalRecords


def consent_in_force_q(at: datetime.datetime | None = None) -> models.Q:
    """The one definition of "in force" at a moment: started, not ended, not revoked.

    The end date is inclusive (a consent ending today still applies today); a revocation
    applies from its moment on.
    """
    at = at or timezone.now()
    today = timezone.localdate(at)
    return (
        (models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today))
        & (models.Q(revoked_at__isnull=True) | models.Q(revoked_at__gt=at))
        & models.Q(starts_on__lte=today)
    )


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, at: datetime.datetime | None = None) -> ConsentQuerySet:
        """Consents that apply at ``at`` (now by default)."""
        return self.filter(consent_in_force_q(at))

    def annotate_in_force(self, at: datetime.datetime | None = None) -> ConsentQuerySet:
        """Each consent with ``is_in_force`` (a boolean computed in the query, by the same rule)."""
        return self.annotate(
            is_in_force=models.ExpressionWrapper(consent_in_force_q(at), output_field=models.BooleanField())
        )

    def changed_since(self, since: datetime.datetime) -> ConsentQuerySet:
        """Consents edited, or (re)starting, at or after ``since``: what an incremental sync must see."""
        return self.filter(
            models.Q(updated_at__gte=since) | models.Q(starts_on__gte=timezone.localdate(since))
        )


class Consent(models.Model):
    """A firm's consent to share its data with one partner organisation, for a period."""

    firm = models.ForeignKey(
        "portfolio.Firm", verbose_name=_("firm"), on_delete=models.CASCADE, related_name="consents"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("shared with"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    evidence = models.CharField(
        _("evidence"), max_length=300, blank=True, help_text=_("E.g. the signed form's reference.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("data-sharing consent")
        verbose_name_plural = _("data-sharing consents")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="partners_consent_end_after_start",
                violation_error_message=_("A consent cannot end before it starts."),
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "firm"], name="partners_consent_org_firm"),
            # An incremental sync asks for the consents edited or (re)started since a moment.
            models.Index(fields=["organisation", "updated_at"], name="partners_consent_org_updated"),
            models.Index(fields=["organisation", "starts_on"], name="partners_consent_org_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.firm} → {self.organisation}"


class BankRecommendation(models.Model):
    """The white list: a firm an incubator recommends to a bank."""

    firm = models.ForeignKey(
        "portfolio.Firm", verbose_name=_("firm"), on_delete=models.CASCADE, related_name="recommendations"
    )
    incubator = models.ForeignKey(
        "portfolio.Incubator",
        verbose_name=_("recommended by"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    bank = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("bank"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    recommended_on = models.DateField(_("recommended on"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.RECOMMENDED,
    )
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bank recommendation")
        verbose_name_plural = _("bank recommendations (white list)")
        ordering = ["-recommended_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "bank"],
                condition=models.Q(status=RecommendationStatus.RECOMMENDED),
                name="partners_recommendation_one_active",
                violation_error_message=_("This firm is already recommended to this bank."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.firm} → {self.bank}"
