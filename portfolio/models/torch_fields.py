"""The Torch statistics return's per-incubatee fields (RULES.md section 4) that the portfolio did
not hold before: a firm's standing facts and a year's figures.

They are abstract models mixed into Firm and YearlyFigures, so that each field lives once, with
the number of the form's field it fills (2017 form, 科技企业孵化器在孵(毕业)企业情况表).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaxpayerType(models.TextChoices):
    GENERAL = "general", _("General VAT taxpayer (一般纳税人)")
    SMALL_SCALE = "small_scale", _("Small-scale taxpayer (小规模纳税人)")


class FounderProfile(models.TextChoices):
    """Torch field 13; RULES.md names three and ends with '...', hence 'other'."""

    GRADUATE = "graduate", _("Graduate entrepreneur (大学生创业)")
    SCIENTIST = "scientist", _("Scientist or engineer (科技人员创业)")
    RETURNEE = "returnee", _("Returnee from study abroad (留学人员创业)")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class TorchFirmFields(models.Model):
    """Torch fields 6, 8, 13-15 and 18: facts of the firm rather than of a year."""

    registration_type = models.CharField(
        _("registration type"),
        max_length=60,
        blank=True,
        help_text=_("Torch return field 6: as on the business licence, e.g. 有限责任公司."),
    )
    nbs_industry_code = models.CharField(
        _("industry code (NBS)"),
        max_length=5,
        blank=True,
        help_text=_("Torch return field 5: the national economic industry code (GB/T 4754), e.g. I6510."),
    )
    taxpayer_type = models.CharField(
        _("taxpayer type"),
        max_length=20,
        choices=TaxpayerType.choices,
        blank=True,
        help_text=_("Torch return field 8."),
    )
    founder_profile = models.CharField(
        _("founder profile"),
        max_length=20,
        choices=FounderProfile.choices,
        blank=True,
        help_text=_("Torch return field 13."),
    )
    serial_founder = models.BooleanField(
        _("serial founder"),
        null=True,
        blank=True,
        help_text=_("Torch return field 14: the founder has founded a firm before. Empty: not known."),
    )
    founder_sex = models.CharField(
        _("founder's sex"),
        max_length=10,
        choices=Sex.choices,
        blank=True,
        help_text=_("Torch return field 15."),
    )
    registered_capital = models.DecimalField(
        _("registered capital at founding (CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Torch return field 18, in yuan here; the return shows thousand CNY."),
    )

    class Meta:
        abstract = True


# Yearly amounts in CNY of the Torch fields that cannot be negative (net profit can).
TORCH_AMOUNTS = ("imports_exports", "tech_contracts_amount")
# Yearly head counts that are part of the year's staff (Torch field 24).
TORCH_STAFF = ("staff_phd", "staff_college", "staff_returnees", "staff_talent_plan", "staff_fresh_graduates")
# Yearly counts of field 25.
TORCH_COUNTS = (
    "ip_applied",
    "ip_granted",
    "ip_valid",
    "invention_patents",
    "software_copyrights",
    "plant_varieties",
    "ic_layouts",
    "foreign_patents_bought",
    "tech_contracts",
    "national_projects",
    "provincial_awards",
)


def _count(label: str, help_text: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=True, blank=True, help_text=help_text)


def _amount(label: str, help_text: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=16, decimal_places=2, null=True, blank=True, help_text=help_text
    )


class TorchYearFields(models.Model):
    """Torch fields 20-25: a year's figures the return asks for beyond the ladder's."""

    net_profit = _amount(_("net profit (CNY)"), _("Torch return field 20; negative for a loss."))
    imports_exports = _amount(
        _("imports and exports (CNY)"), _("Torch return field 21: total value of imports and exports.")
    )
    staff_phd = _count(_("staff with a doctorate"), _("Torch return field 24."))
    staff_college = _count(
        _("staff with college education or above"),
        _("Torch return field 24: 大专及以上, doctorates included."),
    )
    staff_returnees = _count(_("returnees on staff"), _("Torch return field 24: 留学归国人员."))
    staff_talent_plan = _count(
        _("national talent-plan members on staff"),
        _("Torch return field 24: 千人计划 and similar national plans."),
    )
    staff_fresh_graduates = _count(
        _("fresh graduates hired"), _("Torch return field 24: graduates of the year taken on in the year.")
    )
    ip_applied = _count(
        _("IP applications of the year"), _("Torch return field 25: all kinds, filed in the year.")
    )
    ip_granted = _count(
        _("IP granted in the year"), _("Torch return field 25: all kinds, granted in the year.")
    )
    ip_valid = _count(_("valid IP held"), _("Torch return field 25: all kinds in force at year end."))
    invention_patents = _count(
        _("invention patents held"), _("Torch return field 25: valid invention patents at year end.")
    )
    software_copyrights = _count(_("software copyrights held"), _("Torch return field 25."))
    plant_varieties = _count(_("plant varieties held"), _("Torch return field 25."))
    ic_layouts = _count(_("IC layout designs held"), _("Torch return field 25."))
    foreign_patents_bought = _count(
        _("foreign patents bought"), _("Torch return field 25: patents bought from abroad in the year.")
    )
    tech_contracts = _count(
        _("technology contracts"), _("Torch return field 25: registered technology contracts of the year.")
    )
    tech_contracts_amount = _amount(
        _("technology contract turnover (CNY)"), _("Torch return field 25: amount of those contracts.")
    )
    national_projects = _count(
        _("national S&T projects of the year"), _("Torch return field 25: national programme projects won.")
    )
    provincial_awards = _count(
        _("S&T awards of the year (provincial or higher)"), _("Torch return field 25.")
    )

    class Meta:
        abstract = True

    @classmethod
    def torch_constraints(cls) -> list[models.BaseConstraint]:
        """Named checks YearlyFigures adds to its own: amounts not negative, staff within staff."""
        checks: list[models.BaseConstraint] = [
            models.CheckConstraint(
                condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
                name=f"portfolio_figures_{field}_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            )
            for field in TORCH_AMOUNTS
        ]
        checks += [
            models.CheckConstraint(
                condition=models.Q(**{f"{field}__isnull": True})
                | models.Q(employees__isnull=True)
                | models.Q(**{f"{field}__lte": models.F("employees")}),
                name=f"portfolio_figures_{field}_within_employees",
                violation_error_message=_("A part of the staff cannot exceed the number of employees."),
            )
            for field in TORCH_STAFF
        ]
        checks.append(
            models.CheckConstraint(
                condition=models.Q(staff_phd__isnull=True)
                | models.Q(staff_college__isnull=True)
                | models.Q(staff_phd__lte=models.F("staff_college")),
                name="portfolio_figures_phd_within_college",
                violation_error_message=_("Doctorates are counted among the college-educated staff."),
            )
        )
        return checks
