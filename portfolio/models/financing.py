from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.choices import (
    AmountPrecision,
    DatePrecision,
    FinancingKind,
    InstitutionRole,
    Instrument,
    LoanStatus,
    ProgrammeKind,
)
from portfolio.history import HistoricalRecords
from portfolio.models.base import Sourced

_MONEY = {"max_digits": 16, "decimal_places": 2, "null": True, "blank": True}


class Programme(Sourced):
    """A financing scheme or fund firms draw on: the rehab loan, a risk-compensation fund ..."""

    name = models.CharField(_("name (Chinese)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ProgrammeKind.choices)
    operators = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("operators"), blank=True, related_name="programmes"
    )
    city = models.CharField(_("city"), max_length=60, blank=True)
    fund_size = models.DecimalField(_("fund size (CNY)"), **_MONEY)
    cap_per_firm = models.DecimalField(_("cap per firm (CNY)"), **_MONEY)
    risk_share_percent = models.DecimalField(
        _("risk share covered (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Share of a bad loan the fund or government covers."),
    )
    stats_note = models.TextField(_("figures reported"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("financing programme")
        verbose_name_plural = _("financing programmes")
        ordering = ["city", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(risk_share_percent__isnull=True)
                | models.Q(risk_share_percent__gte=0, risk_share_percent__lte=100),
                name="portfolio_programme_risk_share_range",
                violation_error_message=_("The risk share is a percentage between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=(models.Q(fund_size__isnull=True) | models.Q(fund_size__gte=0))
                & (models.Q(cap_per_firm__isnull=True) | models.Q(cap_per_firm__gte=0)),
                name="portfolio_programme_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FinancingEvent(Sourced):
    """Money a firm raised or was granted: an equity round, a loan, government money, insurance."""

    firm = models.ForeignKey(
        "portfolio.Firm", verbose_name=_("firm"), on_delete=models.CASCADE, related_name="financing"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FinancingKind.choices)
    instrument = models.CharField(_("instrument"), max_length=30, choices=Instrument.choices)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="financing",
    )
    amount = models.DecimalField(_("amount"), help_text=_("For insurance, the amount insured."), **_MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    amount_precision = models.CharField(
        _("precision of the amount"),
        max_length=20,
        choices=AmountPrecision.choices,
        default=AmountPrecision.EXACT,
    )
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("precision of the date"), max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    # Loans only.
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    loan_status = models.CharField(_("loan status"), max_length=20, choices=LoanStatus.choices, blank=True)
    risk_share_percent = models.DecimalField(
        _("risk share covered (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Share of this loan a risk-compensation fund covers."),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("recorded by partner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recorded_financing",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("financing event")
        verbose_name_plural = _("financing events")
        ordering = ["firm", "-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="portfolio_financing_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(risk_share_percent__isnull=True)
                | models.Q(risk_share_percent__gte=0, risk_share_percent__lte=100),
                name="portfolio_financing_risk_share_range",
                violation_error_message=_("The risk share is a percentage between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=models.Q(term_months__isnull=True) | models.Q(term_months__gte=1),
                name="portfolio_financing_term_positive",
                violation_error_message=_("A loan term is at least one month."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind=FinancingKind.LOAN)
                | (models.Q(loan_status="") & models.Q(term_months__isnull=True)),
                name="portfolio_financing_loan_fields_on_loans",
                violation_error_message=_("Loan status and term apply to loans only."),
            ),
        ]
        indexes = [models.Index(fields=["firm", "occurred_on"], name="portfolio_fin_firm_date")]

    def __str__(self) -> str:
        return f"{self.firm} · {self.get_instrument_display()}"


class FinancingParticipant(models.Model):
    """An institution's part in a financing event."""

    event = models.ForeignKey(
        FinancingEvent,
        verbose_name=_("financing event"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="financing_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=InstitutionRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation", "role"],
                name="portfolio_participant_unique",
                violation_error_message=_("This organisation already has this role in this event."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"
