"""What the certification-ladder rules read about a firm beyond its yearly figures (RULES.md 1-3).

Distinctions (awards, standards, accredited R&D institutions) give TSME direct passes; compliance
incidents close the TSME and HNTE gates for a time; the innovation self-assessment holds the
expert-scored parts of the HNTE innovation-capability score as the firm rates itself.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.choices import DistinctionKind, DistinctionLevel, IncidentKind, StandardRole
from portfolio.history import HistoricalRecords
from portfolio.models.base import Sourced
from portfolio.models.firms import Firm


class Distinction(Sourced):
    """An S&T award, a standard the firm drafted, or an accredited R&D institution it runs."""

    firm = models.ForeignKey(
        Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="distinctions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DistinctionKind.choices)
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=DistinctionLevel.choices,
        help_text=_(
            "TSME direct passes (国科发政〔2017〕115号): a national award, a provincial-or-higher R&D "
            "institution, an international, national or industry standard."
        ),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        help_text=_(
            "Year of the award, of the standard's publication or of the accreditation. TSME direct "
            "passes (国科发政〔2017〕115号) count awards and standards of the last 5 years."
        ),
    )
    awarded_on = models.DateField(_("date"), null=True, blank=True, help_text=_("Empty when not known."))
    rank = models.PositiveSmallIntegerField(
        _("unit rank"),
        null=True,
        blank=True,
        help_text=_(
            "Awards only: the firm's rank among the completing units (1 = first). TSME direct pass "
            "(国科发政〔2017〕115号): a national S&T award ranked in the top 3 units."
        ),
    )
    role = models.CharField(
        _("role in the drafting"),
        max_length=20,
        choices=StandardRole.choices,
        blank=True,
        help_text=_(
            "Standards only. TSME direct pass (国科发政〔2017〕115号): led the drafting of an "
            "international, national or industry standard."
        ),
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_(
            "Accredited R&D institutions: end of the accreditation, empty when open-ended. TSME direct "
            "pass (国科发政〔2017〕115号): an accredited provincial-or-higher R&D institution."
        ),
    )
    title = models.CharField(_("title"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("distinction")
        verbose_name_plural = _("distinctions")
        ordering = ["firm", "-year", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=1949, year__lte=2200),
                name="portfolio_distinction_year_plausible",
                violation_error_message=_("The year must be between 1949 and 2200."),
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(kind=DistinctionKind.AWARD),
                name="portfolio_distinction_rank_only_for_awards",
                violation_error_message=_("A unit rank is given for awards only."),
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1),
                name="portfolio_distinction_rank_positive",
                violation_error_message=_("The unit rank starts at 1 (the first unit)."),
            ),
            models.CheckConstraint(
                condition=(models.Q(kind=DistinctionKind.STANDARD) & ~models.Q(role=""))
                | (~models.Q(kind=DistinctionKind.STANDARD) & models.Q(role="")),
                name="portfolio_distinction_role_for_standards",
                violation_error_message=_(
                    "Give the firm's role in the drafting for standards, and only for them."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(awarded_on__isnull=True)
                | models.Q(valid_until__gte=models.F("awarded_on")),
                name="portfolio_distinction_valid_after_date",
                violation_error_message=_("The end of validity cannot be before the date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ComplianceIncident(Sourced):
    """An accident, violation or blacklisting that closes the TSME and HNTE gates for a time."""

    firm = models.ForeignKey(Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=IncidentKind.choices,
        help_text=_(
            "TSME gates (国科发政〔2017〕115号): none in the previous and the current year, not on the "
            "abnormal-operation or serious-violation lists. HNTE condition 8 (国科发火〔2016〕32号): no "
            "major safety/quality accident or serious environmental violation in the year before."
        ),
    )
    occurred_on = models.DateField(
        _("occurred on"), help_text=_("For a list: the day the firm was put on it.")
    )
    resolved_on = models.DateField(
        _("resolved on"),
        null=True,
        blank=True,
        help_text=_("For a list: the day the firm was taken off it. Empty while it stands."),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("compliance incident")
        verbose_name_plural = _("compliance incidents")
        ordering = ["firm", "-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resolved_on__isnull=True)
                | models.Q(resolved_on__gte=models.F("occurred_on")),
                name="portfolio_incident_resolved_after_occurred",
                violation_error_message=_("The resolution date cannot be before the incident."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


# The expert-scored items of the HNTE innovation-capability score (国科发火〔2016〕195号) and their
# maximum points: field name -> maximum.
SELF_ASSESSMENT_MAXIMA = {
    "ip_advancement": 8,
    "ip_core_support": 8,
    "ip_how_obtained": 6,
    "ip_standards_bonus": 2,
    "rd_management": 6,
    "rd_institution": 6,
    "conversion_incentives": 4,
    "training_rewards": 4,
}


class InnovationSelfAssessment(Sourced):
    """The expert-scored parts of the HNTE innovation-capability score, as the firm rates itself.

    The computable parts (IP quantity, conversions of results, growth) come from the yearly
    figures; these eight are the rest, shown as a self-assessment wherever they are used.
    """

    firm = models.ForeignKey(
        Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="innovation_assessments"
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        help_text=_(
            "The year of the HNTE application the assessment is for; its figures are those of the "
            "three fiscal years before."
        ),
    )
    ip_advancement = models.PositiveSmallIntegerField(
        _("IP: advancement"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(8)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), IP, technical advancement: 0-8 points. The "
            "firm's own self-assessment, not an expert score; empty: not assessed."
        ),
    )
    ip_core_support = models.PositiveSmallIntegerField(
        _("IP: core support"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(8)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), IP, core support of the main products and "
            "services: 0-8 points. The firm's own self-assessment, not an expert score; empty: "
            "not assessed."
        ),
    )
    ip_how_obtained = models.PositiveSmallIntegerField(
        _("IP: how obtained"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), IP, how obtained (own R&D 1-6; only by "
            "transfer, gift or merger 1-3): 0-6 points. The firm's own self-assessment, not an "
            "expert score; empty: not assessed."
        ),
    )
    ip_standards_bonus = models.PositiveSmallIntegerField(
        _("IP: standards bonus"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(2)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), IP, bonus for drafting standards: 0-2 "
            "points. The firm's own self-assessment, not an expert score; empty: not assessed."
        ),
    )
    rd_management = models.PositiveSmallIntegerField(
        _("R&D management"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), R&D organisation, management system and R&D "
            "accounting: 0-6 points. The firm's own self-assessment, not an expert score; empty: "
            "not assessed."
        ),
    )
    rd_institution = models.PositiveSmallIntegerField(
        _("R&D institution"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), R&D organisation, internal R&D institution "
            "and cooperation: 0-6 points. The firm's own self-assessment, not an expert score; "
            "empty: not assessed."
        ),
    )
    conversion_incentives = models.PositiveSmallIntegerField(
        _("conversion incentives"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), R&D organisation, incentives for conversion "
            "and open platform: 0-4 points. The firm's own self-assessment, not an expert score; "
            "empty: not assessed."
        ),
    )
    training_rewards = models.PositiveSmallIntegerField(
        _("training and rewards"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
        help_text=_(
            "HNTE innovation score (国科发火〔2016〕195号), R&D organisation, talent training and "
            "rewards: 0-4 points. The firm's own self-assessment, not an expert score; empty: not"
            " assessed."
        ),
    )
    assessed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="innovation_assessments",
        help_text=_("The staff member who last recorded the assessment."),
    )
    note = models.CharField(
        _("basis"),
        max_length=300,
        blank=True,
        help_text=_("What the assessment rests on, e.g. a coaching session or the firm's filing draft."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("innovation self-assessment")
        verbose_name_plural = _("innovation self-assessments")
        ordering = ["firm", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "year"],
                name="portfolio_selfassessment_one_per_year",
                violation_error_message=_("This firm already has a self-assessment for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1949, year__lte=2200),
                name="portfolio_selfassessment_year_plausible",
                violation_error_message=_("The year must be between 1949 and 2200."),
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__isnull": True})
                    | models.Q(**{f"{field}__gte": 0, f"{field}__lte": maximum}),
                    name=f"portfolio_selfassessment_{field}_range",
                    violation_error_message=_("A self-assessed score lies between 0 and its item's maximum."),
                )
                for field, maximum in SELF_ASSESSMENT_MAXIMA.items()
            ],
        ]

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"
