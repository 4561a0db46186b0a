"""Rule data as database rows: editable copies of ladder/rules/*.yaml, versioned and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ladder.engine.reader import RuleDataError
from portfolio.history import HistoricalRecords


class RuleFamily(models.TextChoices):
    TSME = "tsme", _("Tech-based SME")
    HNTE = "hnte", _("High and new technology enterprise")
    INCUBATION = "incubation", _("Incubation: entry, clock and graduation")


class EffectivePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class RuleSet(models.Model):
    """One version of one rule family's data; evaluations on a date use the version in force."""

    rule = models.CharField(_("rule"), max_length=20, choices=RuleFamily.choices)
    version = models.SlugField(
        _("version"), max_length=40, unique=True, help_text=_("A unique name, e.g. tsme-2022.")
    )
    effective_from = models.DateField(
        _("effective from"), help_text=_("Evaluations on this date or later use this version.")
    )
    effective_precision = models.CharField(
        _("precision of the effective date"),
        max_length=10,
        choices=EffectivePrecision.choices,
        default=EffectivePrecision.YEAR,
        help_text=_("How much of the date the source states; with 'year' only the year is known."),
    )
    source = models.CharField(
        _("source documents"),
        max_length=300,
        help_text=_("Document numbers as the official texts write them."),
    )
    notes = models.TextField(_("notes"), blank=True)
    unverified = models.JSONField(
        _("unverified values"),
        default=list,
        blank=True,
        help_text=_(
            'Field paths no copy of the official text confirmed, e.g. ["effective_from", "data.clock"].'
        ),
    )
    data = models.JSONField(
        _("rule data"),
        help_text=_("Bands, thresholds and gates; the format is described in ladder/rules/*.yaml."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive versions are kept for the record but never used.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["rule", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "effective_from"],
                condition=Q(active=True),
                name="ladder_ruleset_one_active_per_rule_and_date",
                violation_error_message=_(
                    "Another active version of this rule takes effect on the same date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rule__in=RuleFamily.values),
                name="ladder_ruleset_rule_valid",
                violation_error_message=_("Unknown rule."),
            ),
            models.CheckConstraint(
                condition=Q(effective_precision__in=EffectivePrecision.values),
                name="ladder_ruleset_precision_valid",
                violation_error_message=_("Unknown precision of the effective date."),
            ),
        ]

    def __str__(self) -> str:
        return self.version

    def as_raw(self) -> dict:
        """The row as the parser reads it (the same shape as a YAML item)."""
        return {
            "version": self.version,
            "effective_from": self.effective_from,
            "effective_precision": self.effective_precision,
            "source": self.source,
            "notes": self.notes,
            "unverified": self.unverified,
            "data": self.data,
        }

    def parsed(self):
        from ladder.engine.rules import parse_ruleset

        return parse_ruleset(self.as_raw(), rule=self.rule)

    def clean(self) -> None:
        super().clean()
        if not self.version or self.effective_from is None or self.rule not in RuleFamily.values:
            return  # the field errors say it already
        try:
            self.parsed()
        except RuleDataError as exc:
            field = "unverified" if ": unverified:" in str(exc) else "data"
            raise ValidationError({field: str(exc)}, code="invalid_rule_data") from None
