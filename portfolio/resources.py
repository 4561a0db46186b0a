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
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.resources import Diff

from accounts.models import User
from partners.models import LoanApplication
from portfolio.choices import CertificationStatus, DatePrecision, DeadlineStatus, TechField
from portfolio.models import (
    Certification,
    CertificationKind,
    Deadline,
    Firm,
    Incubator,
    Residency,
    ServiceRecord,
    YearlyFigures,
)
from portfolio.selectors.admin_lists import firm_list_annotate
from portfolio.selectors.scope import (
    firms_for_user,
    incubators_for_user,
    scope_to_incubators,
    user_sees_everything,
)
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


class ExportedDiff(Diff):
    """The import preview shows each column as an export writes it: the computed columns (a
    firm's incubator and entry date ...) through the resource's ``dehydrate_*`` methods, where
    the package's own diff read only the model attributes and left them blank."""

    def __init__(self, resource, instance, new) -> None:
        super().__init__(resource, instance, new)
        # A new row's "before" is empty (its computed columns could not be read: no firm yet).
        self.left = self._exported(resource, None if new else instance)

    def compare_with(self, resource, instance) -> None:
        self.right = self._exported(resource, instance)

    @staticmethod
    def _exported(resource, instance) -> list:
        if instance is None:
            return ["" for _field in resource.get_import_fields()]
        return [resource.export_field(field, instance) for field in resource.get_import_fields()]


class SafeResource(resources.ModelResource):
    """Spreadsheet-safe in both directions; the admin only imports and exports through these.

    Export: every text cell is neutralised against formula injection (CSV and XLSX alike). Done
    per field, where the column's kind is known: numeric columns (and any value that is not text)
    are left alone, so a negative number stays a number. Once quoted, no cell starts with "=",
    so openpyxl writes it as a string, never as a formula.

    Import: before a row reaches a lookup or the database, a cell with a control character (NUL
    ...) and, in ``formula_free_columns``, text that starts like a formula, are field errors; an
    empty XLSX cell (None) in a text column that cannot be null is the empty string; line ends
    are LF.
    """

    formula_free_columns: tuple[str, ...] = ()
    # Labels of the columns that are not model fields (the others use the field's verbose name).
    column_labels: dict[str, str] = {}

    @classmethod
    def column_label(cls, column: str) -> str:
        """What a column holds, in the interface's language: the export form's and the import
        template's caption for the column code."""
        if column in cls.column_labels:
            return capfirst(str(cls.column_labels[column]))
        field = cls.fields.get(column)
        attribute = (field.attribute if field is not None else None) or column
        try:
            return capfirst(str(cls._meta.model._meta.get_field(attribute.split("__")[0]).verbose_name))
        except FieldDoesNotExist:
            return column

    def get_diff_class(self):
        return ExportedDiff

    @classmethod
    def column_heading(cls, column: str) -> str:
        """What the column holds and its code, "Unified social credit code (credit_code)": the
        export form's and the import preview's heading. (The result's ``diff_headers`` stay the
        codes: the package reads an invalid row's values by them.)"""
        label = cls.column_label(column)
        return column if label == column else f"{label} ({column})"

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
        # Line ends as the admin's forms store them (LF), so re-importing a file is no change.
        for column, value in row.items():
            if isinstance(value, str) and "\r" in value:
                row[column] = value.replace("\r\n", "\n").replace("\r", "\n")
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


@dataclass(frozen=True)
class ImportColumn:
    """A column an import reads, as its template and import page describe it."""

    column: str
    label: str
    required: bool
    accepts: str


class ScopedResource(SafeResource):
    """Knows who imports, so lookups and writes stay inside their incubators."""

    # Read-only (never exported from the model) columns the import nevertheless reads itself.
    extra_import_columns: tuple[str, ...] = ()

    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user

    # --- what an import reads, for the template and the import page ---
    def import_columns(self) -> list[ImportColumn]:
        columns = []
        for name in self.get_import_order():
            field = self.fields[name]
            if field.readonly and name not in self.extra_import_columns:
                continue
            columns.append(
                ImportColumn(
                    name, self.column_label(name), self.column_required(name), self.column_accepts(name)
                )
            )
        return columns

    def _model_field(self, name: str) -> models.Field | None:
        attribute = self.fields[name].attribute
        if not attribute or "__" in attribute:
            return None
        try:
            return self._meta.model._meta.get_field(attribute)
        except FieldDoesNotExist:
            return None

    def column_required(self, name: str) -> bool:
        model_field = self._model_field(name)
        if model_field is None:
            return False
        return not (model_field.blank or model_field.null or model_field.has_default())

    def column_accepts(self, name: str) -> str:
        widget = self.fields[name].widget
        model_field = self._model_field(name)
        if isinstance(widget, ChoiceWidget):
            choices = "; ".join(f"{code} = {label}" for code, label in widget.choices.choices)
            text = gettext("One of these codes (or its name): %(choices)s.") % {"choices": choices}
        elif isinstance(widget, KindWidget):
            kinds = "; ".join(f"{k.code} = {k.display_name}" for k in CertificationKind.objects.all())
            text = gettext("The code of a certification kind: %(kinds)s.") % {"kinds": kinds}
        elif isinstance(widget, ScopedFirmWidget):
            text = gettext("The unified social credit code or the legal name of one of your firms.")
        elif isinstance(widget, StrictDateWidget):
            text = gettext("A date as YYYY-MM-DD, e.g. 2025-05-31 (or a spreadsheet date cell).")
        elif isinstance(widget, StrictIntegerWidget):
            text = gettext("A whole number.")
        elif isinstance(widget, StrictDecimalWidget):
            text = gettext(
                "A plain number: digits and a decimal point, no thousands separators, e.g. 1250000.50."
            )
        elif model_field is not None and getattr(model_field, "max_length", None):
            text = gettext("Text, at most %(n)d characters.") % {"n": model_field.max_length}
        else:
            text = gettext("Text.")
        if model_field is not None and model_field.help_text:
            text = f"{text} {model_field.help_text}"
        return text

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


def _latest_residency_value(user: User, field: str, firm_ref: str = "pk") -> Subquery:
    """A value of the firm's most recent stay the user may see (the one the list's incubator
    column names: open first, then the latest entered)."""
    residencies = scope_to_incubators(Residency.objects.filter(firm_id=OuterRef(firm_ref)), user)
    latest = residencies.order_by(F("exited_on").desc(nulls_first=True), "-entered_on")
    return Subquery(latest.values(field)[:1])


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
    column_labels = {
        "incubator": _("incubator"),
        "entered_on": _("entered on"),
        "next_deadline": _("next deadline"),
    }
    extra_import_columns = ("incubator", "entered_on")

    def column_accepts(self, name: str) -> str:
        if name == "incubator":
            names = "; ".join(self._incubators().values_list("name", flat=True))
            return gettext(
                "The incubator the firm joins (its stay there is opened unless one is open already), "
                "one of: %(names)s. May be left empty when you belong to one incubator only."
            ) % {"names": names}
        if name == "entered_on":
            return gettext("The entry date of a new stay, as YYYY-MM-DD; empty: today.")
        return super().column_accepts(name)

    @classmethod
    def get_display_name(cls) -> str:
        return str(_("Firms"))

    # --- export (and the import preview, which shows each row as it would be exported) ---
    def filter_export(self, queryset, **kwargs):
        if "incubator_name" not in queryset.query.annotations and self.user is not None:
            queryset = firm_list_annotate(queryset, user=self.user)
        if self.user is not None:
            entered_on = _latest_residency_value(self.user, "entered_on")
            queryset = queryset.annotate(residency_entered_on=entered_on)
        return queryset

    def _stay(self, firm: Firm) -> tuple[str, datetime.date | None]:
        """The incubator and entry date the row shows: of the stay an import opened or found,
        else the firm's most recent stay the user may see (annotated on exported rows)."""
        residency = getattr(firm, "_import_residency", None)
        if residency is None and hasattr(firm, "incubator_name"):
            return firm.incubator_name or "", getattr(firm, "residency_entered_on", None)
        if residency is None and firm.pk is not None and self.user is not None:
            residency = (
                scope_to_incubators(Residency.objects.filter(firm=firm), self.user)
                .select_related("incubator")
                .order_by(F("exited_on").desc(nulls_first=True), "-entered_on")
                .first()
            )
        if residency is None:
            return "", None
        return residency.incubator.name, residency.entered_on

    def dehydrate_incubator(self, firm: Firm) -> str:
        return self._stay(firm)[0]

    def dehydrate_entered_on(self, firm: Firm) -> str:
        entered_on = self._stay(firm)[1]
        return entered_on.isoformat() if entered_on else ""

    def dehydrate_next_deadline(self, firm: Firm) -> str:
        if hasattr(firm, "next_deadline_on"):  # exported rows: annotated
            due = firm.next_deadline_on
        else:  # an imported row in the preview
            due = (
                firm.deadlines.filter(status=DeadlineStatus.OPEN)
                .order_by("due_on")
                .values_list("due_on", flat=True)
                .first()
                if firm.pk
                else None
            )
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
            # Kept on the row so that the preview shows the stay as saved (a new one, or the
            # open one already there, whose entry date the file does not change).
            instance._import_residency, _created = residency_ensure_open(
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

    column_labels = {"firm_credit_code": _("firm's credit code"), "next_deadline": _("next open deadline")}

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

    column_labels = {"firm_credit_code": _("firm's credit code")}

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


# --- lists staff export (not imported) ----------------------------------------------------------
#
# Choices are written as their labels and names in the interface's language, since these files
# are read by people, not imported again; dates are ISO. The admin hands each resource the
# list's own queryset (scoped, filtered and searched as on the page); ``filter_export`` adds
# what the rows show in a fixed number of queries.


def _label(instance, field: str) -> str:
    return getattr(instance, f"get_{field}_display")() if getattr(instance, field) else ""


def _name(obj) -> str:
    return "" if obj is None else str(obj)


class DeadlineResource(ScopedResource):
    firm = fields.Field(column_name="firm")
    firm_credit_code = fields.Field(column_name="firm_credit_code")
    incubator = fields.Field(column_name="incubator")
    certification_kind = fields.Field(column_name="certification_kind")
    obligation = fields.Field(column_name="obligation")
    due_on = fields.Field(attribute="due_on", column_name="due_on", widget=widgets.DateWidget("%Y-%m-%d"))
    due_precision = fields.Field(column_name="due_precision")
    status = fields.Field(column_name="status")
    done_on = fields.Field(attribute="done_on", column_name="done_on", widget=widgets.DateWidget("%Y-%m-%d"))
    done_by = fields.Field(column_name="done_by")
    note = fields.Field(attribute="note", column_name="note")

    column_labels = {
        "firm_credit_code": _("firm's credit code"),
        "incubator": _("incubator"),
        "certification_kind": _("certification kind"),
    }

    class Meta:
        model = Deadline
        fields = (
            "firm",
            "firm_credit_code",
            "incubator",
            "certification_kind",
            "obligation",
            "due_on",
            "due_precision",
            "status",
            "done_on",
            "done_by",
            "note",
        )

    @classmethod
    def get_display_name(cls) -> str:
        return str(_("Deadlines"))

    def filter_export(self, queryset, **kwargs):
        queryset = queryset.select_related("firm", "certification__kind", "obligation", "done_by")
        if self.user is not None:
            queryset = queryset.annotate(
                incubator_name=_latest_residency_value(self.user, "incubator__name", "firm_id")
            )
        return queryset

    def dehydrate_firm(self, deadline: Deadline) -> str:
        return deadline.firm.name

    def dehydrate_firm_credit_code(self, deadline: Deadline) -> str:
        return deadline.firm.credit_code

    def dehydrate_incubator(self, deadline: Deadline) -> str:
        return getattr(deadline, "incubator_name", None) or ""

    def dehydrate_certification_kind(self, deadline: Deadline) -> str:
        return deadline.certification.kind.display_name

    def dehydrate_obligation(self, deadline: Deadline) -> str:
        return deadline.obligation.display_name

    def dehydrate_due_precision(self, deadline: Deadline) -> str:
        return _label(deadline, "due_precision")

    def dehydrate_status(self, deadline: Deadline) -> str:
        return _label(deadline, "status")

    def dehydrate_done_by(self, deadline: Deadline) -> str:
        return _name(deadline.done_by)


class ServiceRecordResource(ScopedResource):
    occurred_on = fields.Field(
        attribute="occurred_on", column_name="occurred_on", widget=widgets.DateWidget("%Y-%m-%d")
    )
    date_precision = fields.Field(column_name="date_precision")
    kind = fields.Field(column_name="kind")
    topic = fields.Field(attribute="topic", column_name="topic")
    incubator = fields.Field(column_name="incubator")
    mentor = fields.Field(column_name="mentor")
    firms = fields.Field(column_name="firms")
    hours = fields.Field(attribute="hours", column_name="hours", widget=widgets.DecimalWidget())
    attendees_note = fields.Field(attribute="attendees_note", column_name="attendees_note")
    outcome = fields.Field(attribute="outcome", column_name="outcome")

    class Meta:
        model = ServiceRecord
        fields = (
            "occurred_on",
            "date_precision",
            "kind",
            "topic",
            "incubator",
            "mentor",
            "firms",
            "hours",
            "attendees_note",
            "outcome",
        )

    @classmethod
    def get_display_name(cls) -> str:
        return str(_("Service records"))

    def filter_export(self, queryset, **kwargs):
        # The firms served that the user may see (a shared service may name another incubator's).
        firms = firms_for_user(self.user) if self.user is not None else Firm.objects.all()
        return queryset.select_related("incubator", "mentor").prefetch_related(
            Prefetch("firms", queryset=firms.order_by("name"), to_attr="visible_firms")
        )

    def dehydrate_date_precision(self, record: ServiceRecord) -> str:
        return _label(record, "date_precision")

    def dehydrate_kind(self, record: ServiceRecord) -> str:
        return _label(record, "kind")

    def dehydrate_incubator(self, record: ServiceRecord) -> str:
        return _name(record.incubator)

    def dehydrate_mentor(self, record: ServiceRecord) -> str:
        return _name(record.mentor)

    def dehydrate_firms(self, record: ServiceRecord) -> str:
        return "; ".join(firm.name for firm in getattr(record, "visible_firms", ()))


class LoanApplicationResource(ScopedResource):
    firm = fields.Field(column_name="firm")
    firm_credit_code = fields.Field(column_name="firm_credit_code")
    bank = fields.Field(column_name="bank")
    reference = fields.Field(attribute="reference", column_name="reference")
    applied_on = fields.Field(
        attribute="applied_on", column_name="applied_on", widget=widgets.DateWidget("%Y-%m-%d")
    )
    requested_amount = fields.Field(
        attribute="requested_amount", column_name="requested_amount", widget=widgets.DecimalWidget()
    )
    loan_status = fields.Field(column_name="loan_status")
    amount = fields.Field(attribute="event__amount", column_name="amount", widget=widgets.DecimalWidget())
    term_months = fields.Field(
        attribute="event__term_months", column_name="term_months", widget=widgets.IntegerWidget()
    )
    last_decision_on = fields.Field(column_name="last_decision_on")

    column_labels = {
        "firm": _("firm"),
        "firm_credit_code": _("firm's credit code"),
        "loan_status": _("loan status"),
        "amount": _("amount (CNY)"),
        "term_months": _("term (months)"),
        "last_decision_on": _("last decision on"),
    }

    class Meta:
        model = LoanApplication
        fields = (
            "firm",
            "firm_credit_code",
            "bank",
            "reference",
            "applied_on",
            "requested_amount",
            "loan_status",
            "amount",
            "term_months",
            "last_decision_on",
        )

    @classmethod
    def get_display_name(cls) -> str:
        return str(_("Loan applications"))

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("event__firm", "bank").annotate(
            latest_decision_on=Max("decisions__decided_on")
        )

    def dehydrate_firm(self, application: LoanApplication) -> str:
        return application.event.firm.name

    def dehydrate_firm_credit_code(self, application: LoanApplication) -> str:
        return application.event.firm.credit_code

    def dehydrate_bank(self, application: LoanApplication) -> str:
        return _name(application.bank)

    def dehydrate_loan_status(self, application: LoanApplication) -> str:
        return _label(application.event, "loan_status")

    def dehydrate_last_decision_on(self, application: LoanApplication) -> str:
        day = getattr(application, "latest_decision_on", None)
        return day.isoformat() if day else ""
