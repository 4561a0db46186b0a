from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.choices import DatePrecision, MentorKind, ServiceKind
from portfolio.history import HistoricalRecords
from portfolio.models.base import Sourced


class Mentor(Sourced):
    """A person who serves firms: startup mentor, finance counsellor, commissioner, broker."""

    name = models.CharField(_("full name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=MentorKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentors",
    )
    incubators = models.ManyToManyField(
        "portfolio.Incubator", verbose_name=_("incubators served"), blank=True, related_name="mentors"
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceRecord(Sourced):
    """One service given: coaching, a training session, a financing match, certification help."""

    kind = models.CharField(_("kind"), max_length=30, choices=ServiceKind.choices)
    incubator = models.ForeignKey(
        "portfolio.Incubator",
        verbose_name=_("incubator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    mentor = models.ForeignKey(
        Mentor,
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
    )
    firms = models.ManyToManyField(
        "portfolio.Firm", verbose_name=_("firms served"), blank=True, related_name="services"
    )
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("precision of the date"), max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=300)
    outcome = models.TextField(_("outcome"), blank=True)
    attendees_note = models.CharField(_("attendees"), max_length=300, blank=True)

    history = HistoricalRecords(m2m_fields=[firms])

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-occurred_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gt=0),
                name="portfolio_service_hours_positive",
                violation_error_message=_("Hours must be more than zero."),
            )
        ]

    def __str__(self) -> str:
        return self.topic
