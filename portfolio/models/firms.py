from __future__ import annotations

import datetime

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from portfolio.choices import DatePrecision, ExitReason, MarketStatus, TechField
from portfolio.history import HistoricalRecords
from portfolio.models.base import Sourced
from portfolio.models.torch_fields import (
    TORCH_AMOUNTS,
    TORCH_COUNTS,
    TORCH_STAFF,
    TorchFirmFields,
    TorchYearFields,
)
from portfolio.rules.credit_code import validate_credit_code


class Firm(Sourced, TorchFirmFields):
    """A firm hosted by one or more incubators."""

    name = models.CharField(_("legal name (Chinese)"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, GB 32100-2015. Leave empty when unknown; never guess."),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    founded_precision = models.CharField(
        _("precision of the founding date"),
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    industry = models.CharField(_("technology field"), max_length=30, choices=TechField.choices, blank=True)
    industry_detail = models.CharField(_("industry detail"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)

    # Inputs of the certification ladder's rules (RULES.md 1-3) that belong to the firm, not a year.
    resident_enterprise = models.BooleanField(
        _("resident enterprise"),
        default=True,
        help_text=_("TSME gate (国科发政〔2017〕115号): a resident enterprise registered in mainland China."),
    )
    audited_taxation = models.BooleanField(
        _("taxed on audited accounts (查账征收)"),
        null=True,
        blank=True,
        help_text=_(
            "TSME gate (国科发政〔2017〕115号): corporate income tax is levied on audited accounts "
            "(查账征收), not on a deemed basis. Empty: not known yet."
        ),
    )
    industry_allowed = models.BooleanField(
        _("industry allowed"),
        default=True,
        help_text=_(
            "TSME gate (国科发政〔2017〕115号): not in a restricted or eliminated industry and not in an "
            "industry excluded from the R&D super-deduction. Untick when it is."
        ),
    )
    high_tech_field_confirmed = models.BooleanField(
        _("core technology in a state-supported high-tech field"),
        null=True,
        blank=True,
        help_text=_(
            "HNTE condition 3 (国科发火〔2016〕32号): staff judgement that the core technology is within "
            "国家重点支持的高新技术领域. Empty: not assessed."
        ),
    )
    core_ip = models.BooleanField(
        _("owns core IP"),
        null=True,
        blank=True,
        help_text=_(
            "HNTE condition 2 (国科发火〔2016〕32号): owns IP giving core support to its main products "
            "and services. Empty: not known."
        ),
    )
    market_status = models.CharField(
        _("capital market status"),
        max_length=20,
        choices=MarketStatus.choices,
        default=MarketStatus.NONE,
        help_text=_("Graduation (国科发区〔2018〕300号): merged, acquired, quoted or listed."),
    )
    market_status_since = models.DateField(
        _("capital market status since"),
        null=True,
        blank=True,
        help_text=_("When the firm was quoted, listed, merged or acquired; empty while the status is none."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("firm")
        verbose_name_plural = _("firms")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="portfolio_firm_name_unique",
                violation_error_message=_("A firm with this legal name already exists."),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="portfolio_firm_credit_code_unique",
                violation_error_message=_("Another firm has this unified social credit code."),
            ),
            models.CheckConstraint(
                condition=~models.Q(market_status=MarketStatus.NONE)
                | models.Q(market_status_since__isnull=True),
                name="portfolio_firm_market_since_with_status",
                violation_error_message=_("A capital market date needs a capital market status."),
            ),
        ]
        # The partner API and the admin order firm lists by name.
        indexes = [models.Index(fields=["name"], name="portfolio_firm_name")]

    def __str__(self) -> str:
        return self.name


class FirmAlias(models.Model):
    """Another name the firm goes by, e.g. a former name or a different spelling in a source."""

    firm = models.ForeignKey(Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("other name")
        verbose_name_plural = _("other names")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "name"],
                name="portfolio_firmalias_unique",
                violation_error_message=_("This firm already has this name recorded."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at the firm who receives reminders."""

    firm = models.ForeignKey(Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("full name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    receives_reminders = models.BooleanField(_("receives reminders"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["firm", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.firm})"


class Residency(Sourced):
    """A firm's stay in an incubator, from entry to graduation or exit."""

    firm = models.ForeignKey(
        Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="residencies"
    )
    incubator = models.ForeignKey(
        "portfolio.Incubator",
        verbose_name=_("incubator"),
        on_delete=models.PROTECT,
        related_name="residencies",
    )
    entered_on = models.DateField(_("entered on"))
    entered_precision = models.CharField(
        _("precision of the entry date"),
        max_length=12,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=30, choices=ExitReason.choices, blank=True)
    limit_months = models.PositiveSmallIntegerField(
        _("incubation limit (months)"),
        default=48,
        help_text=_("48 months; 60 for biomedicine, IC design, modern agriculture and talent founders."),
    )
    space_m2 = models.DecimalField(
        _("space occupied (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    entry_age_reason = models.CharField(
        _("reason for admitting an older firm"),
        max_length=300,
        blank=True,
        help_text=_(
            "Required when the firm was more than 24 months old on entry (国科发区〔2018〕300号: "
            "incubatees are at most 24 months old when admitted); why staff admitted it anyway."
        ),
    )
    liaison = models.ForeignKey(
        "accounts.User",
        verbose_name=_("responsible staff member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residencies",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        ordering = ["-entered_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "incubator"],
                condition=models.Q(exited_on__isnull=True),
                name="portfolio_residency_one_open_per_incubator",
                violation_error_message=_("This firm already has an open residency in this incubator."),
            ),
            models.CheckConstraint(
                condition=models.Q(exited_on__isnull=True) | models.Q(exited_on__gte=models.F("entered_on")),
                name="portfolio_residency_exit_after_entry",
                violation_error_message=_("The exit date cannot be before the entry date."),
            ),
            models.CheckConstraint(
                condition=(models.Q(exited_on__isnull=True) & models.Q(exit_reason=""))
                | (models.Q(exited_on__isnull=False) & ~models.Q(exit_reason="")),
                name="portfolio_residency_exit_reason_with_exit",
                violation_error_message=_("Give an exit reason exactly when an exit date is set."),
            ),
            models.CheckConstraint(
                condition=models.Q(limit_months__gte=1),
                name="portfolio_residency_limit_positive",
                violation_error_message=_("The incubation limit must be at least one month."),
            ),
        ]
        indexes = [models.Index(fields=["incubator", "exited_on"], name="portfolio_res_inc_exit")]

    def __str__(self) -> str:
        return f"{self.firm} @ {self.incubator}"

    @property
    def is_open(self) -> bool:
        return self.exited_on is None

    def months_in(self, today: datetime.date | None = None) -> int:
        """Whole months from entry to exit (or today)."""
        end = self.exited_on or today or timezone.localdate()
        months = (end.year - self.entered_on.year) * 12 + end.month - self.entered_on.month
        if end.day < self.entered_on.day:
            months -= 1
        return max(months, 0)

    def months_left(self, today: datetime.date | None = None) -> int | None:
        """Months left of the incubation limit, negative when over it; None once exited."""
        if self.exited_on is not None:
            return None
        return self.limit_months - self.months_in(today)


# Yearly amounts in CNY that cannot be negative (net assets can: liabilities may exceed assets).
FIGURE_AMOUNTS = (
    "revenue",
    "rd_expense",
    "rd_expense_domestic",
    "high_tech_revenue",
    "total_assets",
    "tax_paid",
    "angel_vc_received",
    "total_cost",
    "total_liabilities",
)


class YearlyFigures(Sourced, TorchYearFields):
    """A firm's figures for one fiscal year: inputs of eligibility checks and of what banks see."""

    # The figures themselves, in the order staff and banks see them (admin inline, API). The
    # partner API serialises exactly these: a new figure joins LADDER_FIGURES, not this tuple,
    # unless the API is meant to grow.
    FIGURES = (
        "revenue",
        "rd_expense",
        "rd_expense_domestic",
        "high_tech_revenue",
        "total_assets",
        "tax_paid",
        "employees",
        "rd_staff",
        "ip_class1",
        "ip_class2",
        "angel_vc_received",
    )
    # Figures only the certification-ladder rules read (staff see them; the partner API does not).
    LADDER_FIGURES = ("total_cost", "total_liabilities", "results_converted")
    # Figures the Torch statistics return asks for beyond those (RULES.md section 4).
    TORCH_FIGURES = ("net_profit", *TORCH_AMOUNTS, *TORCH_STAFF, *TORCH_COUNTS)
    AMOUNTS = FIGURE_AMOUNTS

    firm = models.ForeignKey(
        Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="yearly_figures"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    revenue = models.DecimalField(
        _("revenue (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Sales revenue of the fiscal year. TSME gate (≤ 200M) and R&D option 1 (国科发政〔2017〕115号); "
            "HNTE R&D ratio, high-tech share and sales growth (国科发火〔2016〕32号/195号); graduation "
            "by revenue over two consecutive years (国科发区〔2018〕300号)."
        ),
    )
    rd_expense = models.DecimalField(
        _("R&D expense (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "TSME R&D options 1 and 2 (国科发政〔2017〕115号); HNTE condition 5 (国科发火〔2016〕32号): "
            "Σ R&D ÷ Σ sales revenue over the last three fiscal years."
        ),
    )
    rd_expense_domestic = models.DecimalField(
        _("R&D expense in China (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        # xgettext:no-python-format
        help_text=_("HNTE condition 5 (国科发火〔2016〕32号): R&D spent in China ≥ 60% of all R&D."),
    )
    high_tech_revenue = models.DecimalField(
        _("high-tech product/service revenue (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        # xgettext:no-python-format
        help_text=_("HNTE condition 6 (国科发火〔2016〕32号): ≥ 60% of the latest fiscal year's revenue."),
    )
    total_assets = models.DecimalField(
        _("total assets (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "At year end. TSME gate (国科发政〔2017〕115号): ≤ 200M CNY. HNTE innovation score, "
            "net-asset growth (国科发火〔2016〕195号): net assets = total assets − total liabilities."
        ),
    )
    total_liabilities = models.DecimalField(
        _("total liabilities (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "At year end. HNTE innovation score, net-asset growth (国科发火〔2016〕195号): net assets = "
            "total assets − total liabilities. May exceed total assets."
        ),
    )
    total_cost = models.DecimalField(
        _("total cost and expense (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "成本费用总额 of the fiscal year. TSME R&D option 2 (国科发政〔2017〕115号): "
            "R&D expense ÷ total cost and expense."
        ),
    )
    tax_paid = models.DecimalField(
        _("tax paid (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    employees = models.PositiveIntegerField(
        _("employees"),
        null=True,
        blank=True,
        help_text=_(
            "Staff of the year. TSME gate (≤ 500) and tech-staff share (国科发政〔2017〕115号); HNTE "
            "condition 4 (国科发火〔2016〕32号) counts staff who worked 183 days in the year."
        ),
    )
    rd_staff = models.PositiveIntegerField(
        _("R&D / tech staff"),
        null=True,
        blank=True,
        help_text=_(
            # xgettext:no-python-format
            "Technology staff. TSME tech-staff share (国科发政〔2017〕115号; part-time and temporary "
            "staff only after 6 months' work in the year); HNTE condition 4 (国科发火〔2016〕32号): "
            "≥ 10% of the year's staff."
        ),
    )
    ip_class1 = models.PositiveIntegerField(
        _("class-I IP (invention patents etc.)"),
        null=True,
        blank=True,
        help_text=_(
            "Valid, undisputed IP tied to the main products: invention patents, plant varieties, "
            "national crop varieties, national new drugs, first-class protected TCM varieties, IC "
            "layout designs. TSME IP score (国科发政〔2017〕115号): one or more → 30; HNTE innovation "
            "score, IP quantity (国科发火〔2016〕195号)."
        ),
    )
    ip_class2 = models.PositiveIntegerField(
        _("class-II IP (utility models, software copyrights etc.)"),
        null=True,
        blank=True,
        help_text=_(
            "Valid, undisputed IP tied to the main products: utility models, designs, software "
            "copyrights (trademarks do not count). TSME IP score (国科发政〔2017〕115号): 4 → 24, "
            "3 → 18, 2 → 12, 1 → 6; HNTE innovation score, IP quantity (国科发火〔2016〕195号)."
        ),
    )
    results_converted = models.PositiveIntegerField(
        _("results converted"),
        null=True,
        blank=True,
        help_text=_(
            "Conversions of scientific and technological results in the fiscal year. HNTE innovation "
            "score, conversion of results (国科发火〔2016〕195号): by the yearly average over three years."
        ),
    )
    angel_vc_received = models.DecimalField(
        _("angel/VC received (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Graduation (国科发区〔2018〕300号): cumulative angel/VC investment over 5M CNY."),
    )

    # Who reported and who accepted these figures when they came through a figures request.
    reported_by = models.CharField(
        _("reported by"),
        max_length=200,
        blank=True,
        help_text=_("The firm's contact who entered these figures on the founder's page, if they did."),
    )
    accepted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")
        ordering = ["firm", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "year"],
                name="portfolio_figures_one_per_year",
                violation_error_message=_("This firm already has figures for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1949, year__lte=2200),
                name="portfolio_figures_year_plausible",
                violation_error_message=_("The year must be between 1949 and 2200."),
            ),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
                    name=f"portfolio_figures_{field}_not_negative",
                    violation_error_message=_("Amounts cannot be negative."),
                )
                for field in FIGURE_AMOUNTS
            ],
            models.CheckConstraint(
                condition=models.Q(rd_staff__isnull=True)
                | models.Q(employees__isnull=True)
                | models.Q(rd_staff__lte=models.F("employees")),
                name="portfolio_figures_rd_staff_within_employees",
                violation_error_message=_("R&D staff cannot exceed the number of employees."),
            ),
            models.CheckConstraint(
                condition=models.Q(rd_expense_domestic__isnull=True)
                | models.Q(rd_expense__isnull=True)
                | models.Q(rd_expense_domestic__lte=models.F("rd_expense")),
                name="portfolio_figures_domestic_rd_within_rd",
                violation_error_message=_("R&D expense in China cannot exceed total R&D expense."),
            ),
            *TorchYearFields.torch_constraints(),
        ]

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"


class Milestone(Sourced):
    """A dated event on a firm's timeline that is neither a certification nor money."""

    firm = models.ForeignKey(
        Firm, verbose_name=_("firm"), on_delete=models.CASCADE, related_name="milestones"
    )
    occurred_on = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Empty when the source gives no date.")
    )
    date_precision = models.CharField(
        _("precision of the date"), max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    title = models.CharField(_("title (Chinese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["firm", models.F("occurred_on").asc(nulls_last=True)]

    def __str__(self) -> str:
        return f"{self.occurred_on:%Y} {self.title}" if self.occurred_on else self.title
