from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portfolio.choices import CertificationStatus, DatePrecision, DeadlineStatus, ObligationSchedule
from portfolio.history import HistoricalRecords
from portfolio.models.base import Sourced

DEFAULT_REMINDER_DAYS = [90, 30, 7, 1]


def default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


def validate_reminder_days(value: object) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 3660 for d in value)
    ):
        raise ValidationError(
            _("Enter a list of whole numbers of days between 0 and 3660, e.g. [90, 30, 7, 1]."),
            code="invalid_reminder_days",
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each reminder day may appear only once."), code="duplicate_reminder_days")


def in_current_language(chinese: str, english: str) -> str:
    """The English name while the interface speaks English (when there is one), else the Chinese."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese


class CertificationKind(models.Model):
    """A rung of the ladder or another certificate, with its rules kept as editable data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    ladder_rank = models.PositiveSmallIntegerField(
        _("ladder rank"), null=True, blank=True, help_text=_("1 = tech-based SME, 2 = HNTE, 3 = listing.")
    )
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        help_text=_("Used to fill in the expiry date from the issue date; empty when it does not expire."),
    )
    reminder_days = models.JSONField(
        _("reminder days before a deadline"),
        default=default_reminder_days,
        validators=[validate_reminder_days],
        help_text=_("Days before each deadline when reminders go out, e.g. [90, 30, 7, 1]."),
    )
    description = models.TextField(_("description"), blank=True)
    needs_verification = models.BooleanField(
        _("rules need verification"),
        default=False,
        help_text=_("The rules were taken from secondary sources; confirm against the official text."),
    )
    source = models.CharField(
        _("source document"),
        max_length=300,
        blank=True,
        help_text=_("The official text (or article) these rules come from."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certification kind")
        verbose_name_plural = _("certification kinds")
        ordering = ["ladder_rank", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_current_language(self.name, self.name_en)


class Obligation(models.Model):
    """Something a holder of a certification must do by a date that follows from the certificate."""

    kind = models.ForeignKey(
        CertificationKind,
        verbose_name=_("certification kind"),
        on_delete=models.CASCADE,
        related_name="obligations",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    instructions = models.TextField(_("what to do (Chinese)"), blank=True)
    instructions_en = models.TextField(_("what to do (English)"), blank=True)
    schedule = models.CharField(_("schedule"), max_length=20, choices=ObligationSchedule.choices)
    months_before_expiry = models.PositiveSmallIntegerField(
        _("months before expiry"), null=True, blank=True, help_text=_("For 'before expiry' schedules.")
    )
    due_month = models.PositiveSmallIntegerField(_("due month"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("due day"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.CharField(
        _("source document"),
        max_length=300,
        blank=True,
        help_text=_("The official text (or article) this obligation comes from."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                name="portfolio_obligation_unique_code",
                violation_error_message=_(
                    "This certification kind already has an obligation with this code."
                ),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(schedule=ObligationSchedule.BEFORE_EXPIRY, months_before_expiry__isnull=False)
                    | models.Q(
                        schedule=ObligationSchedule.YEARLY,
                        due_month__gte=1,
                        due_month__lte=12,
                        due_day__gte=1,
                        due_day__lte=31,
                    )
                    | models.Q(schedule=ObligationSchedule.ANNIVERSARY)
                ),
                name="portfolio_obligation_schedule_complete",
                violation_error_message=_(
                    "A 'before expiry' obligation needs its months; a yearly one needs a due month and day."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.display_name}"

    @property
    def display_name(self) -> str:
        return in_current_language(self.name, self.name_en)


class ObligationWindow(models.Model):
    """A yearly obligation's actual dates for one year, when the authorities move them."""

    obligation = models.ForeignKey(
        Obligation, verbose_name=_("obligation"), on_delete=models.CASCADE, related_name="windows"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    due_on = models.DateField(_("due on"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("filing window")
        verbose_name_plural = _("filing windows")
        ordering = ["obligation", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "year"],
                name="portfolio_window_one_per_year",
                violation_error_message=_("This obligation already has a window for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True) | models.Q(opens_on__lte=models.F("due_on")),
                name="portfolio_window_opens_before_due",
                violation_error_message=_("A window cannot open after it is due."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} {self.year}"


class Certification(Sourced):
    """A firm's certificate (or application for one) of a given kind."""

    firm = models.ForeignKey(
        "portfolio.Firm", verbose_name=_("firm"), on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.ForeignKey(
        CertificationKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="certifications"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CertificationStatus.choices, default=CertificationStatus.GRANTED
    )
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_precision = models.CharField(
        _("precision of the issue date"),
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    expires_precision = models.CharField(
        _("precision of the expiry date"),
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Filled with the issue date's precision when the expiry is worked out from it."),
    )
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    assumed = models.BooleanField(
        _("assumed"),
        default=False,
        help_text=_("Not stated by the source: a demo assumption, explained in the notes."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["firm", "kind__ladder_rank", "-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(issued_on__isnull=True)
                | models.Q(expires_on__gt=models.F("issued_on")),
                name="portfolio_certification_expiry_after_issue",
                violation_error_message=_("The expiry date must be after the issue date."),
            ),
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=~models.Q(number=""),
                name="portfolio_certification_number_unique_per_kind",
                violation_error_message=_("A certificate of this kind with this number already exists."),
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="portfolio_cert_kind_status"),
            # certifications_expire_lapsed runs at every reminder pass: granted ones past expiry.
            models.Index(
                fields=["expires_on"],
                condition=models.Q(status=CertificationStatus.GRANTED),
                name="portfolio_cert_granted_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm} · {self.kind}"


class Deadline(models.Model):
    """A dated obligation of one certification; kept in sync by the certification services.

    Stored (not computed on the fly) so that "everything due in the next N days" is one
    indexed range query on (status, due_on).
    """

    certification = models.ForeignKey(
        Certification, verbose_name=_("certification"), on_delete=models.CASCADE, related_name="deadlines"
    )
    obligation = models.ForeignKey(
        Obligation, verbose_name=_("obligation"), on_delete=models.PROTECT, related_name="deadlines"
    )
    firm = models.ForeignKey(
        "portfolio.Firm", verbose_name=_("firm"), on_delete=models.CASCADE, related_name="deadlines"
    )
    due_on = models.DateField(_("due on"))
    due_precision = models.CharField(
        _("precision of the due date"),
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_(
            "Not 'exact day' when the certificate's dates are imprecise: the due date is then the "
            "earliest possible day, and no reminder is mailed for it until the date is completed."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", verbose_name=_("done by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "obligation", "due_on"],
                name="portfolio_deadline_unique",
                violation_error_message=_("This deadline already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=DeadlineStatus.DONE, done_on__isnull=False)
                | (~models.Q(status=DeadlineStatus.DONE) & models.Q(done_on__isnull=True)),
                name="portfolio_deadline_done_date_with_done",
                violation_error_message=_("A done deadline needs the date it was done, and only then."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="portfolio_deadline_due"),
            models.Index(fields=["firm", "status", "due_on"], name="portfolio_deadline_firm_due"),
        ]

    def __str__(self) -> str:
        return f"{self.obligation.display_name} · {self.due_on}"
