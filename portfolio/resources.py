"""django-import-export resources: what the admin imports from and exports to CSV/XLSX.

Columns use the field codes (``name``, ``credit_code`` ...) so a file works in either admin
language. Firms are found by unified social credit code, else by legal name; certification
kinds by code; yearly figures by firm and year. A staff member who is not a superuser can only
touch firms of their incubators and only admit new firms into them. Imports are all-or-nothing
(see the admin's import view).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from accounts.models import User
from portfolio.choices import CertificationStatus, DatePrecision, TechField
from portfolio.models import Certification, CertificationKind, Firm, Incubator, YearlyFigures
from portfolio.selectors.admin_lists import firm_list_annotate
from portfolio.selectors.scope import firms_for_user, incubators_for_user, user_sees_everything
from portfolio.services.imports import residency_ensure_open


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


class ChoiceWidget(widgets.Widget):
    """A choice given as its code or its label (Chinese or English)."""

    def __init__(self, choices, **kwargs) -> None:
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return ""
        for code, label in self.choices.choices:
            names = {code.lower(), str(label).lower()}
            for language in ("en", "zh-hans"):
                with override(language):
                    names.add(str(label).lower())
            if text.lower() in names:
                return code
        raise ValueError(
            gettext("“%(value)s” is not one of: %(codes)s.")
            % {"value": text, "codes": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ScopedFirmWidget(widgets.ForeignKeyWidget):
    """A firm named by its credit code or legal name, among the importing user's firms."""

    def __init__(self, **kwargs) -> None:
        super().__init__(Firm, field="name", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        user = kwargs.get("user")
        queryset = firms_for_user(user) if user is not None else Firm.objects.all()
        firm = queryset.filter(Q(credit_code=text.upper()) | Q(name__iexact=text)).first()
        if firm is None:
            raise ValueError(
                gettext("No firm with the credit code or legal name “%(value)s” in your incubators.")
                % {"value": text}
            )
        return firm


class KindWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs) -> None:
        super().__init__(CertificationKind, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if not text:
            return None
        kind = CertificationKind.objects.filter(code__iexact=text).first()
        if kind is None:
            codes = ", ".join(CertificationKind.objects.values_list("code", flat=True))
            raise ValueError(
                gettext("No certification kind with the code “%(value)s”; the codes are: %(codes)s.")
                % {"value": text, "codes": codes}
            )
        return kind


class StrictDateWidget(widgets.DateWidget):
    """ISO dates (2025-05-31); spreadsheets' own date cells are accepted as they are."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if not _text(value):
            return None
        try:
            return datetime.date.fromisoformat(_text(value)[:10])
        except ValueError:
            raise ValueError(
                gettext("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": value}
            ) from None


# A plain number: digits with an optional sign and decimal point. Thousands separators are refused
# rather than guessed at ("1,500" is 1500 in one locale and 1.5 in another).
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def _plain_number(value: object) -> Decimal | None:
    """The cell as a Decimal (None when empty); ValueError, with the cell named, when not a number."""
    if isinstance(value, bool):
        raise ValueError(gettext("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _text(value)
        if not text:
            return None
        if not PLAIN_NUMBER.fullmatch(text):
            raise ValueError(
                gettext("“%(value)s” is not a number: write digits and a decimal point, no separators.")
                % {"value": text}
            )
        number = Decimal(text)
    if not number.is_finite():
        raise ValueError(gettext("“%(value)s” is not a number.") % {"value": value})
    return number


class StrictDecimalWidget(widgets.DecimalWidget):
    """An amount in CNY: a plain number (spreadsheets' own number cells are taken as they are)."""

    def clean(self, value, row=None, **kwargs):
        return _plain_number(value)


class StrictIntegerWidget(widgets.IntegerWidget):
    """A count or a year: a whole plain number; 12.5 is refused, never rounded."""

    def clean(self, value, row=None, **kwargs):
        number = _plain_number(value)
        if number is None:
            return None
        try:
            whole = number == number.to_integral_value()
        except InvalidOperation:
            whole = False
        if not whole or abs(number) > 10**12:
            raise ValueError(gettext("“%(value)s” is not a whole number.") % {"value": value})
        return int(number)


# OWASP's CSV-injection rule: a cell starting with one of these is read by spreadsheet programs
# as a formula (=, +, -, @; tab and carriage return can hide one), as are the full-width forms
# a Chinese input method types.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def formula_neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with a single quote; else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# Control characters never belong in a cell: PostgreSQL refuses NUL in text, and the others
# (escape, bell ...) only garble what staff and banks see. Tab and line breaks are text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SafeResource(resources.ModelResource):
    """Spreadsheet-safe in both directions; the admin only imports and exports through these.

    Export: every text cell is neutralised against formula injection (CSV and XLSX alike). Done
    per field, where the column's kind is known: numeric columns (and any value that is not text)
    are left alone, so a negative number stays a number. Once quoted, no cell starts with "=",
    so openpyxl writes it as a string, never as a formula.

    Import: before a row reaches a lookup or the database, a cell with a control character (NUL
    ...) and, in ``formula_free_columns``, text that starts like a formula, are field errors; an
    empty XLSX cell (None) in a text column that cannot be null is the empty string.
    """

    formula_free_columns: tuple[str, ...] = ()

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget):
            return value
        return formula_neutralise(value)

    def get_or_init_instance(self, instance_loader, row):
        # The first step of a row's import that queries the database: check its cells here.
        errors = self.cell_errors(row)
        if errors:
            raise ValidationError(errors)
        self._empty_text_cells_as_blank(row)
        return super().get_or_init_instance(instance_loader, row)

    def cell_errors(self, row) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for column, value in row.items():
            if not isinstance(value, str):
                continue
            if CONTROL_CHARACTERS.search(value):
                errors[column] = [
                    gettext(
                        "This cell contains a control character (such as NUL); remove it and import again."
                    )
                ]
            elif column in self.formula_free_columns and value.strip().startswith(FORMULA_TRIGGERS):
                errors[column] = [
                    gettext(
                        "A name cannot begin with =, +, -, @ or a tab: "
                        "spreadsheet programs would run it as a formula."
                    )
                ]
        return errors

    def _empty_text_cells_as_blank(self, row) -> None:
        for field in self.get_import_fields():
            if not field.attribute or field.column_name not in row or row[field.column_name] is not None:
                continue
            try:
                model_field = self._meta.model._meta.get_field(field.attribute)
            except FieldDoesNotExist:
                continue
            if isinstance(model_field, models.CharField | models.TextField) and not model_field.null:
                row[field.column_name] = ""


class ScopedResource(SafeResource):
    """Knows who imports, so lookups and writes stay inside their incubators."""

    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user") or self.user
        return super().before_import(dataset, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        kwargs.setdefault("user", self.user)
        return super().import_instance(instance, row, **kwargs)

    def _may_touch(self, firm_id: int) -> bool:
        if self.user is None or user_sees_everything(self.user):
            return True
        return firms_for_user(self.user).filter(pk=firm_id).exists()


class FirmResource(ScopedResource):
    name = fields.Field(attribute="name", column_name="name")
    name_en = fields.Field(attribute="name_en", column_name="name_en")
    credit_code = fields.Field(attribute="credit_code", column_name="credit_code")
    founded_on = fields.Field(attribute="founded_on", column_name="founded_on", widget=StrictDateWidget())
    industry = fields.Field(attribute="industry", column_name="industry", widget=ChoiceWidget(TechField))
    industry_detail = fields.Field(attribute="industry_detail", column_name="industry_detail")
    website = fields.Field(attribute="website", column_name="website")
    # Not firm fields: where a new firm is admitted (its open residency), and since when.
    incubator = fields.Field(column_name="incubator", readonly=True)
    entered_on = fields.Field(column_name="entered_on", readonly=True, widget=StrictDateWidget())
    next_deadline = fields.Field(column_name="next_deadline", readonly=True)

    class Meta:
        model = Firm
        fields = (
            "name",
            "name_en",
            "credit_code",
            "founded_on",
            "industry",
            "industry_detail",
            "website",
            "incubator",
            "entered_on",
            "next_deadline",
        )
        import_id_fields = ("name",)
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False
        report_skipped = True

    # A legal name never starts like a formula; one that does is a spreadsheet attack.
    formula_free_columns = ("name", "name_en")

    @classmethod
    def get_display_name(cls) -> str:
        return str(_("Firms"))

    # --- export ---
    def filter_export(self, queryset, **kwargs):
        if "incubator_name" not in queryset.query.annotations and self.user is not None:
            queryset = firm_list_annotate(queryset, user=self.user)
        return queryset

    def dehydrate_incubator(self, firm: Firm) -> str:
        return getattr(firm, "incubator_name", None) or ""

    def dehydrate_entered_on(self, firm: Firm) -> str:
        return ""

    def dehydrate_next_deadline(self, firm: Firm) -> str:
        due = getattr(firm, "next_deadline_on", None)
        return due.isoformat() if due else ""

    # --- import ---
    def before_import_row(self, row, **kwargs):
        for column in ("name", "credit_code"):
            if column in row and row[column] is not None:
                row[column] = _text(row[column])
        if row.get("credit_code"):
            row["credit_code"] = row["credit_code"].upper()

    def get_instance(self, instance_loader, row):
        code = _text(row.get("credit_code")).upper()
        name = _text(row.get("name"))
        found = None
        if code:
            found = Firm.objects.filter(credit_code=code).first()
        if found is None and name:
            found = Firm.objects.filter(name__iexact=name).first()
        if found is not None and not self._may_touch(found.pk):
            column = "credit_code" if code and found.credit_code == code else "name"
            raise ValidationError(
                {column: gettext("This firm is already registered by an incubator you do not belong to.")}
            )
        return found

    def _incubators(self) -> QuerySet[Incubator]:
        return incubators_for_user(self.user) if self.user is not None else Incubator.objects.all()

    def _resolve_incubator(self, row, new: bool) -> Incubator | None:
        text = _text(row.get("incubator"))
        choices = self._incubators()
        if not text:
            if not new or self.user is None or user_sees_everything(self.user):
                return None
            mine = list(choices[:2])
            if len(mine) == 1:
                return mine[0]
            raise ValidationError(
                {"incubator": gettext("Name the incubator the new firm joins (one of yours).")}
            )
        incubator = choices.filter(Q(name=text) | Q(name_en__iexact=text) | Q(key=text)).first()
        if incubator is None:
            raise ValidationError(
                {"incubator": gettext("“%(value)s” is not one of your incubators.") % {"value": text}}
            )
        return incubator

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance._import_incubator = self._resolve_incubator(row, new=instance.pk is None)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        try:
            instance._import_entered_on = StrictDateWidget().clean(row.get("entered_on"))
        except ValueError as error:
            errors["entered_on"] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        incubator = getattr(instance, "_import_incubator", None)
        if incubator is not None:
            residency_ensure_open(
                firm=instance, incubator=incubator, entered_on=getattr(instance, "_import_entered_on", None)
            )


class CertificationResource(ScopedResource):
    firm = fields.Field(attribute="firm", column_name="firm", widget=ScopedFirmWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=KindWidget())
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(CertificationStatus))
    number = fields.Field(attribute="number", column_name="number")
    issued_on = fields.Field(attribute="issued_on", column_name="issued_on", widget=StrictDateWidget())
    issued_precision = fields.Field(
        attribute="issued_precision", column_name="issued_precision", widget=ChoiceWidget(DatePrecision)
    )
    expires_on = fields.Field(attribute="expires_on", column_name="expires_on", widget=StrictDateWidget())
    issuer = fields.Field(attribute="issuer", column_name="issuer")
    notes = fields.Field(attribute="notes", column_name="notes")
    firm_credit_code = fields.Field(column_name="firm_credit_code", readonly=True)
    next_deadline = fields.Field(column_name="next_deadline", readonly=True)

    class Meta:
        model = Certification
        fields = (
            "firm",
            "firm_credit_code",
            "kind",
            "status",
            "number",
            "issued_on",
            "issued_precision",
            "expires_on",
            "issuer",
            "notes",
            "next_deadline",
        )
        import_id_fields = ("firm", "kind")
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False

    @classmethod
    def get_display_name(cls) -> str:
        return str(_("Certifications"))

    def dehydrate_firm_credit_code(self, certification: Certification) -> str:
        return certification.firm.credit_code

    def dehydrate_next_deadline(self, certification: Certification) -> str:
        due = getattr(certification, "next_deadline_on", None)
        return due.isoformat() if due else ""

    def get_instance(self, instance_loader, row):
        """The same certificate: same kind and number, else same firm, kind and issue date."""
        kind = CertificationKind.objects.filter(code__iexact=_text(row.get("kind"))).first()
        if kind is None:
            return None
        queryset = Certification.objects.filter(kind=kind)
        number = _text(row.get("number"))
        if number:
            found = queryset.filter(number=number).first()
        else:
            try:
                firm = ScopedFirmWidget().clean(row.get("firm"), row=row, user=self.user)
                issued_on = StrictDateWidget().clean(row.get("issued_on"))
            except ValueError:
                return None
            found = queryset.filter(firm=firm, issued_on=issued_on).first() if firm and issued_on else None
        if found is not None and not self._may_touch(found.firm_id):
            raise ValidationError(
                {"number": gettext("This certificate belongs to a firm outside your incubators.")}
            )
        return found

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not instance.status:
            instance.status = CertificationStatus.GRANTED
        if not instance.issued_precision:
            instance.issued_precision = DatePrecision.DAY


def _figure_field(name: str) -> fields.Field:
    model_field = YearlyFigures._meta.get_field(name)
    widget = StrictDecimalWidget() if isinstance(model_field, models.DecimalField) else StrictIntegerWidget()
    return fields.Field(attribute=name, column_name=name, widget=widget)


class YearlyFiguresResource(ScopedResource):
    """One row per firm and fiscal year; a row for a firm and year already there updates it."""

    firm = fields.Field(attribute="firm", column_name="firm", widget=ScopedFirmWidget())
    firm_credit_code = fields.Field(column_name="firm_credit_code", readonly=True)
    year = fields.Field(attribute="year", column_name="year", widget=StrictIntegerWidget())
    revenue = _figure_field("revenue")
    rd_expense = _figure_field("rd_expense")
    rd_expense_domestic = _figure_field("rd_expense_domestic")
    high_tech_revenue = _figure_field("high_tech_revenue")
    total_assets = _figure_field("total_assets")
    tax_paid = _figure_field("tax_paid")
    employees = _figure_field("employees")
    rd_staff = _figure_field("rd_staff")
    ip_class1 = _figure_field("ip_class1")
    ip_class2 = _figure_field("ip_class2")
    angel_vc_received = _figure_field("angel_vc_received")
    total_cost = _figure_field("total_cost")
    total_liabilities = _figure_field("total_liabilities")
    results_converted = _figure_field("results_converted")
    # The Torch statistics return's figures (RULES.md section 4).
    net_profit = _figure_field("net_profit")
    imports_exports = _figure_field("imports_exports")
    staff_phd = _figure_field("staff_phd")
    staff_college = _figure_field("staff_college")
    staff_returnees = _figure_field("staff_returnees")
    staff_talent_plan = _figure_field("staff_talent_plan")
    staff_fresh_graduates = _figure_field("staff_fresh_graduates")
    ip_applied = _figure_field("ip_applied")
    ip_granted = _figure_field("ip_granted")
    ip_valid = _figure_field("ip_valid")
    invention_patents = _figure_field("invention_patents")
    software_copyrights = _figure_field("software_copyrights")
    plant_varieties = _figure_field("plant_varieties")
    ic_layouts = _figure_field("ic_layouts")
    foreign_patents_bought = _figure_field("foreign_patents_bought")
    tech_contracts = _figure_field("tech_contracts")
    tech_contracts_amount = _figure_field("tech_contracts_amount")
    national_projects = _figure_field("national_projects")
    provincial_awards = _figure_field("provincial_awards")
    notes = fields.Field(attribute="notes", column_name="notes")

    class Meta:
        model = YearlyFigures
        fields = (
            "firm",
            "firm_credit_code",
            "year",
            *YearlyFigures.FIGURES,
            *YearlyFigures.LADDER_FIGURES,
            *YearlyFigures.TORCH_FIGURES,
            "notes",
        )
        import_id_fields = ("firm", "year")
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False

    @classmethod
    def get_display_name(cls) -> str:
        return str(_("Yearly figures"))

    def dehydrate_firm_credit_code(self, figures: YearlyFigures) -> str:
        return figures.firm.credit_code

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("firm")

    def get_instance(self, instance_loader, row):
        """The firm's figures for that year, among the importing user's firms only."""
        try:
            firm = ScopedFirmWidget().clean(row.get("firm"), row=row, user=self.user)
            year = StrictIntegerWidget().clean(row.get("year"))
        except ValueError:
            return None  # reported as the cell's error when the row is imported
        if firm is None or year is None:
            return None
        return YearlyFigures.objects.filter(firm=firm, year=year).first()
