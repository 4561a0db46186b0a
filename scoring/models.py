"""Score packs (the model, editable by superusers) and each firm's current innovation score."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portfolio.history import HistoricalRecords
from scoring.engine.pack import PackError


class PackLabel(models.TextChoices):
    OURS = "ours", _("Ours (our own weighting)")
    OFFICIAL = "official", _("Official table")
    ZONE = "zone", _("A zone's own")
    BANK = "bank", _("A bank's own")


class ScoreStatus(models.TextChoices):
    SCORED = "scored", _("Scored")
    NO_SCORE = "no_score", _("No score")


class ScorePack(models.Model):
    """One version of the innovation score's model: groups, indicators, normaliser, stages and
    weights (format: scoring/packs/default.yaml). The active pack scores every firm."""

    version = models.CharField(
        _("version"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("Letters, digits, '.', '-' and '_' only."))],
        help_text=_("A unique name, e.g. ours-2025.1; every score records the version it used."),
    )
    label = models.CharField(
        _("whose model"), max_length=20, choices=PackLabel.choices, default=PackLabel.OURS
    )
    title = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    source = models.TextField(
        _("source"), help_text=_("The documents the pack follows, or what it is modelled on.")
    )
    notes = models.TextField(_("notes"), blank=True)
    unverified = models.JSONField(
        _("unverified values"),
        default=list,
        blank=True,
        help_text=_('Field paths no official copy confirmed, e.g. ["data.indicators"].'),
    )
    data = models.JSONField(
        _("model data"),
        help_text=_(
            "Groups, indicators, normaliser, stages and weights; the format is described in "
            "scoring/packs/default.yaml."
        ),
    )
    active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("The one pack every firm is scored with. Use the action 'Activate' to switch packs."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score pack")
        verbose_name_plural = _("score packs")
        ordering = ["-active", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="scoring_scorepack_one_active",
                violation_error_message=_(
                    "Another pack is active; activate this one with the action instead."
                ),
            ),
            models.CheckConstraint(
                condition=Q(label__in=PackLabel.values),
                name="scoring_scorepack_label_valid",
                violation_error_message=_("Unknown label."),
            ),
        ]

    def __str__(self) -> str:
        return self.version

    def as_raw(self) -> dict:
        """The row as the parser reads it (the same shape as the YAML file)."""
        return {
            "version": self.version,
            "label": self.label,
            "title": {"zh": self.title, "en": self.title_en},
            "source": self.source,
            "notes": self.notes,
            "unverified": self.unverified,
            "data": self.data,
        }

    def parsed(self):
        from scoring.engine.pack import parse_pack

        return parse_pack(self.as_raw())

    def clean(self) -> None:
        super().clean()
        if not self.version or not self.title or not self.title_en or not self.source:
            return  # the field errors say it already
        try:
            self.parsed()
        except PackError as exc:
            field = "unverified" if ": unverified:" in str(exc) else "data"
            raise ValidationError({field: str(exc)}, code="invalid_pack") from None


class FirmScore(models.Model):
    """A firm's current innovation score, as last computed, with its whole breakdown.

    Rewritten whenever the firm's cohort is recomputed (a change of one of its members, the
    nightly pass, a pack switch); ``breakdown`` is what the panel and the API show.
    """

    firm = models.OneToOneField(
        "portfolio.Firm",
        verbose_name=_("firm"),
        on_delete=models.CASCADE,
        related_name="innovation_score",
        primary_key=True,
    )
    pack_version = models.CharField(_("pack version"), max_length=40)
    year = models.PositiveSmallIntegerField(
        _("score year"), null=True, blank=True, help_text=_("The fiscal year whose figures were scored.")
    )
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ScoreStatus.choices)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True, blank=True)
    completeness = models.DecimalField(
        _("completeness"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Share of the stage's weight whose indicators have data (0-1)."),
    )
    cohort_key = models.CharField(_("cohort"), max_length=200, blank=True, db_index=True)
    cohort_size = models.PositiveIntegerField(_("cohort size"), default=0)
    reasons = models.JSONField(_("why there is no score"), default=list, blank=True)
    breakdown = models.JSONField(_("breakdown"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("innovation score")
        verbose_name_plural = _("innovation scores")
        indexes = [models.Index(fields=["total"], name="scoring_firmscore_total")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=ScoreStatus.SCORED) & Q(total__isnull=False))
                | (Q(status=ScoreStatus.NO_SCORE) & Q(total__isnull=True)),
                name="scoring_firmscore_total_iff_scored",
                violation_error_message=_("A score has a total exactly when it is scored."),
            ),
            models.CheckConstraint(
                condition=Q(completeness__isnull=True) | Q(completeness__gte=0, completeness__lte=1),
                name="scoring_firmscore_completeness_share",
                violation_error_message=_("Completeness is a share between 0 and 1."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id}: {self.total if self.total is not None else '-'} ({self.pack_version})"
