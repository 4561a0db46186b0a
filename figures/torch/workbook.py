"""The return as an XLSX workbook (openpyxl): the per-incubatee form, the operations form, the
validation report and a notes sheet naming the sources and what is unverified.

Every text cell goes through the project's spreadsheet guard (portfolio.resources.
formula_neutralise): a firm name or a phone number a founder typed never becomes a formula.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from figures.torch.operations import OperationValue
from figures.torch.returns import TorchReturn
from figures.torch.rules import Field, TorchRules
from portfolio.resources import formula_neutralise

# Sheet 1's layout: title rows, then the numbers, the Chinese and English headings and the units.
NUMBER_ROW = 5
HEADING_ROW = 6
HEADING_EN_ROW = 7
UNIT_ROW = 8
FIRST_DATA_ROW = 9
UNVERIFIED_MARK = "†"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _text(value: Any) -> Any:
    return formula_neutralise(value) if isinstance(value, str) else value


def _put(sheet: Worksheet, row: int, column: int, value: Any, number_format: str = "") -> None:
    cell = sheet.cell(row=row, column=column, value=_text(value))
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"


def _append(sheet: Worksheet, values: list[Any], *, bold: bool = False) -> None:
    sheet.append([_text(v) for v in values])
    if bold:
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD


def money_format(rules: TorchRules) -> str:
    return "0" if rules.money.decimals == 0 else "0." + "0" * rules.money.decimals


def unit_label(rules: TorchRules, kind: str) -> str:
    return {"money": rules.money.label, "area": "m²", "date": "YYYY-MM-DD"}.get(kind, "")


def cell_value(rules: TorchRules, field: Field, value: Any) -> Any:
    """A row's value as the form writes it: 是/否, the form's words for codes, numbers as numbers."""
    if value is None:
        return None
    if field.kind == "yes_no":
        return rules.yes_no[bool(value)]
    if field.kind == "choice" and field.choices:
        return field.choices.get(value, value)
    return value


def rounding_note(rules: TorchRules) -> str:
    money = rules.money
    return _(
        "Money in %(label)s (%(label_en)s): yuan ÷ %(per)s, %(decimals)s decimals, "
        "rounded %(rounding)s%(ours)s. Area in m²."
    ) % {
        "label": money.label,
        "label_en": money.label_en,
        "per": money.yuan_per_unit,
        "decimals": money.decimals,
        "rounding": money.rounding.replace("_", "-"),
        "ours": _(" (our choice: no published rule found)") if money.ours else "",
    }


def _title(sheet: Worksheet, ret: TorchReturn, form: str) -> None:
    name = ret.incubator.name
    _put(
        sheet,
        1,
        1,
        _("%(form)s: %(incubator)s, report year %(year)s")
        % {"form": form, "incubator": name, "year": ret.year},
    )
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    _put(sheet, 2, 1, rounding_note(ret.rules))
    _put(
        sheet,
        3,
        1,
        _("Rule data %(version)s. %(mark)s: not confirmed by an official copy (see the notes sheet).")
        % {"version": ret.rules.version, "mark": UNVERIFIED_MARK},
    )


def _incubatee_sheet(sheet: Worksheet, ret: TorchReturn) -> None:
    rules = ret.rules
    _title(sheet, ret, "科技企业孵化器在孵(毕业)企业情况表")
    headings_unverified = rules.is_unverified("headings")
    formats = {"money": money_format(rules), "area": "0.00", "count": "0"}
    for column, field in enumerate(rules.fields, start=1):
        mark = UNVERIFIED_MARK if rules.is_unverified(f"fields.{field.key}") else ""
        _put(sheet, NUMBER_ROW, column, field.number + mark)
        _put(sheet, HEADING_ROW, column, field.zh)
        _put(sheet, HEADING_EN_ROW, column, field.en)
        _put(sheet, UNIT_ROW, column, unit_label(rules, field.kind))
        for row in (NUMBER_ROW, HEADING_ROW):
            sheet.cell(row=row, column=column).font = BOLD
        sheet.cell(row=HEADING_ROW, column=column).alignment = WRAP
        sheet.cell(row=HEADING_EN_ROW, column=column).alignment = WRAP
        sheet.column_dimensions[get_column_letter(column)].width = 14 if field.key != "name" else 30
    if headings_unverified:
        _put(
            sheet, 4, 1, _("The Chinese headings are our wording after RULES.md §4, not the official form's.")
        )
    for row, entry in enumerate(ret.entries, start=FIRST_DATA_ROW):
        for column, field in enumerate(rules.fields, start=1):
            value = cell_value(rules, field, entry.values.get(field.key))
            _put(sheet, row, column, value, formats.get(field.kind, "") if value is not None else "")
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=3)


def _operation_cell(ret: TorchReturn, value: OperationValue) -> tuple[Any, str]:
    if value.value is None:
        return None, ""
    if value.item.unit == "money":
        return value.value, money_format(ret.rules)
    if value.item.unit == "area":
        return Decimal(value.value), "0.00"
    return value.value, "0"


def _operations_sheet(sheet: Worksheet, ret: TorchReturn) -> None:
    _title(sheet, ret, "科技企业孵化器综合情况表")
    _append(sheet, [])
    _append(sheet, [_("No."), "指标", _("Item"), _("Unit"), _("Value"), _("Note")], bold=True)
    units = {"money": ret.rules.money.label, "area": "m²", "people": "人", "firms": "个"}
    for value in ret.operations:
        item = value.item
        _append(sheet, [item.number, item.zh, item.en, units[item.unit], None, value.note])
        number, number_format = _operation_cell(ret, value)
        _put(sheet, sheet.max_row, 5, number, number_format)
    for column, width in zip("ABCDEF", (6, 30, 36, 8, 14, 60), strict=True):
        sheet.column_dimensions[column].width = width


def _validation_sheet(sheet: Worksheet, ret: TorchReturn) -> None:
    _put(
        sheet,
        1,
        1,
        _("Validation report: %(incubator)s, report year %(year)s")
        % {"incubator": ret.incubator.name, "year": ret.year},
    )
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    _put(
        sheet,
        2,
        1,
        _("%(errors)s errors, %(warnings)s warnings.")
        % {"errors": len(ret.errors), "warnings": len(ret.warnings)},
    )
    _append(sheet, [])
    _append(sheet, [_("Severity"), _("Firm"), _("Check"), _("Problem")], bold=True)
    labels = {"error": _("Error"), "warning": _("Warning")}
    for issue in ret.issues:
        _append(sheet, [labels[issue.severity], issue.firm or ret.incubator.name, issue.code, issue.message])
    if not ret.issues:
        _append(sheet, ["", "", "", _("No problems found.")])
    for column, width in zip("ABCD", (10, 30, 28, 100), strict=True):
        sheet.column_dimensions[column].width = width


def _source_text(field: Field) -> str:
    return field.source or _("computed: %(name)s") % {"name": field.compute}


def _notes_sheet(sheet: Worksheet, ret: TorchReturn) -> None:
    rules, window = ret.rules, ret.window
    _put(sheet, 1, 1, _("Notes: sources and unverified items"))
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
    state = _("published") if window.published else _("expected (no published notice in the rule data)")
    lines = [
        [_("Rule data"), f"{rules.version}: {rules.source}"],
        [
            _("Filing window"),
            _("%(opens)s to %(closes)s, %(state)s; source: %(source)s")
            % {"opens": window.opens_on, "closes": window.closes_on, "state": state, "source": window.source},
        ],
        [_("Money"), rounding_note(rules) + " " + rules.money.note],
        [
            _("Incubatees"),
            _(
                "Firms whose stay in the incubator overlaps the report year; demo firms, stays, "
                "figures, certificates, services and financing are left out."
            ),
        ],
        [
            _("Field 16"),
            _(
                "Angel/VC received is the firm's yearly figure; the year's recorded angel/VC rounds "
                "only cross-check it (validation report)."
            ),
        ],
        [
            _("Field 12"),
            _(
                "A HNTE certificate granted (or since expired) and valid on at least one day of "
                "the report year."
            ),
        ],
        [_("Unverified"), ", ".join(rules.unverified)],
    ]
    for item in ret.operations:
        if not item.item.compute:
            lines.append([_("Not computed"), f"{item.item.number} {item.item.zh}: {item.item.reason}"])
    _append(sheet, [])
    for line in lines:
        _append(sheet, line)
    _append(sheet, [])
    _append(sheet, [_("No."), "表头", _("Heading"), _("Source"), _("Unverified")], bold=True)
    for field in rules.fields:
        unverified = rules.is_unverified(f"fields.{field.key}") or rules.is_unverified("headings")
        _append(
            sheet, [field.number, field.zh, field.en, _source_text(field), _("yes") if unverified else ""]
        )
    for column, width in zip("ABCDE", (16, 40, 40, 30, 12), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2, max_col=2):
        row[1].alignment = WRAP


def workbook_bytes(ret: TorchReturn) -> bytes:
    book = Workbook()
    sheets = (
        (book.active, _("Incubatees"), _incubatee_sheet),
        (book.create_sheet(), _("Operations"), _operations_sheet),
        (book.create_sheet(), _("Validation"), _validation_sheet),
        (book.create_sheet(), _("Notes"), _notes_sheet),
    )
    for sheet, title, write in sheets:
        sheet.title = title[:31]
        write(sheet, ret)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_filename(ret: TorchReturn) -> str:
    key = ret.incubator.key or f"incubator-{ret.incubator.pk}"
    return f"torch-return-{key}-{ret.year}.xlsx"
