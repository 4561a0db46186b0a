"""The template an import page offers: the columns the import reads, and what each accepts.

CSV: one row of column headings (UTF-8 with a byte order mark, so that Excel shows Chinese).
XLSX: the headings on the first sheet (the one the import reads), each with a comment saying
what it accepts, and a second sheet listing every column: code, name, required, accepted values.
"""

from __future__ import annotations

import codecs
import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font

from portfolio.resources import formula_neutralise

TEMPLATE_FORMATS = ("xlsx", "csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_template_file(resource, extension: str) -> tuple[bytes, str]:
    """The template's bytes and content type for ``resource`` (a ScopedResource, told the user)."""
    columns = resource.import_columns()
    if extension == "csv":
        out = io.StringIO()
        csv.writer(out).writerow([c.column for c in columns])
        return codecs.BOM_UTF8 + out.getvalue().encode(), "text/csv; charset=utf-8"
    return _xlsx(columns), XLSX_CONTENT_TYPE


def _xlsx(columns) -> bytes:
    book = Workbook()
    data = book.active
    data.title = _("Data")[:31]
    data.append([c.column for c in columns])
    for cell, column in zip(data[1], columns, strict=True):
        cell.font = Font(bold=True)
        required = _("required") if column.required else _("optional")
        cell.comment = Comment(f"{column.label} ({required})\n{column.accepts}", "")  # comments are never run
        cell.comment.width, cell.comment.height = 320, 160
        data.column_dimensions[cell.column_letter].width = max(14, len(column.column) + 4)
    data.freeze_panes = "A2"

    help_sheet = book.create_sheet(_("Accepted values")[:31])
    name = pgettext("import template column", "Name")
    help_sheet.append([_("Column"), name, _("Required"), _("Accepted values")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        required = _("required") if column.required else _("optional")
        # Names come from the database (kinds, incubators): never let one run as a formula.
        help_sheet.append(
            [formula_neutralise(v) for v in (column.column, column.label, required, column.accepts)]
        )
    for letter, width in zip("ABCD", (22, 28, 12, 90), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
