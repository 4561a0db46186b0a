from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.choices import DatePrecision, IncubatorKind, IncubatorLevel
from portfolio.history import HistoricalRecords
from portfolio.models.base import Sourced


class Incubator(Sourced):
    """A carrier that hosts firms: incubator, maker space, accelerator or industrial park."""

    name = models.CharField(_("name (Chinese)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=60)
    zone = models.CharField(_("zone"), max_length=120, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=IncubatorKind.choices, default=IncubatorKind.INCUBATOR
    )
    level = models.CharField(_("level"), max_length=20, choices=IncubatorLevel.choices, blank=True)
    level_reached_on = models.DateField(_("level reached on"), null=True, blank=True)
    level_reached_precision = models.CharField(
        _("precision of that date"),
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    area_m2 = models.DecimalField(
        _("incubation area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    operator = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubators",
    )
    default_limit_months = models.PositiveSmallIntegerField(
        _("incubation limit (months)"),
        default=48,
        help_text=_("Longest incubation for a new residency; 60 for extended fields."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incubator")
        verbose_name_plural = _("incubators")
        ordering = ["city", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area_m2__isnull=True) | models.Q(area_m2__gte=0),
                name="portfolio_incubator_area_not_negative",
                violation_error_message=_("The incubation area cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(default_limit_months__gte=1),
                name="portfolio_incubator_limit_positive",
                violation_error_message=_("The incubation limit must be at least one month."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
