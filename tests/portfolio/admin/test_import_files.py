"""Import files as staff save them: Excel's encodings on Chinese Windows, and cells the database refuses."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portfolio.models import Firm
from tests.portfolio.admin.test_imports import FIRM_HEADERS, XLSX, confirm, credit_code, preview

pytestmark = pytest.mark.django_db

NAMES = ["青岛新锐科技有限公司", "青岛海川医疗有限公司"]


def _csv_text(rows, delimiter=",") -> str:
    return tablib.Dataset(*rows, headers=FIRM_HEADERS).export("csv", delimiter=delimiter)


def _rows(names):
    return [[name, "", credit_code(60 + n), "", "", "", ""] for n, name in enumerate(names)]


def _upload(content: bytes, name="firms.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def chinese_client(liaison):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(liaison)
    return client


def _form_errors(page) -> list[str]:
    return page.context["form"].errors.get("import_file", [])


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("utf-8", NAMES),
        ("utf-8-sig", NAMES),  # Excel's "CSV UTF-8"
        ("gbk", NAMES),  # Excel's plain "CSV" on Chinese Windows
        ("gb18030", [*NAMES, "青岛䶮𠀾科技有限公司"]),  # beyond GBK: CJK extension characters
        ("utf-16", NAMES),  # with its byte order mark
    ],
)
def test_csv_import_reads_the_encodings_excel_saves(liaison_client, portfolio, encoding, names):
    page = preview(liaison_client, "firm", _upload(_csv_text(_rows(names)).encode(encoding)))
    assert page.status_code == 200, _form_errors(page)
    assert page.context["confirm_form"] is not None
    assert confirm(liaison_client, "firm", page).status_code == 302
    assert sorted(Firm.objects.filter(name__in=names).values_list("name", flat=True)) == sorted(names)


def test_csv_import_reads_excels_unicode_text_tab_separated_utf16(liaison_client, portfolio):
    content = _csv_text(_rows(NAMES), delimiter="\t").encode("utf-16")
    page = preview(liaison_client, "firm", _upload(content, "firms.txt"))
    assert page.context["confirm_form"] is not None, _form_errors(page)
    confirm(liaison_client, "firm", page)
    assert Firm.objects.filter(name__in=NAMES).count() == 2


def test_csv_in_an_encoding_that_cannot_be_read_is_refused_in_the_staffs_language(chinese_client, portfolio):
    content = _csv_text(_rows(["Café Müller Technik GmbH"])).encode("cp1252")
    page = preview(chinese_client, "firm", _upload(content))
    assert page.context.get("confirm_form") is None
    [error] = _form_errors(page)
    assert "另存为" in error and "UTF-8" in error and "XLSX" in error
    assert "UnicodeDecodeError" not in page.content.decode()
    assert not Firm.objects.filter(name__startswith="Caf").exists()


def test_csv_in_an_encoding_that_cannot_be_read_is_refused_in_english_too(liaison_client, portfolio):
    content = _csv_text(_rows(["Café Müller Technik GmbH"])).encode("cp1252")
    [error] = _form_errors(preview(liaison_client, "firm", _upload(content)))
    assert "Save it as CSV UTF-8 or as XLSX" in error


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b"], ids=["NUL", "start-of-heading", "escape"])
def test_a_control_character_in_a_cell_is_a_field_error_not_a_database_error(chinese_client, portfolio, bad):
    rows = _rows(["青岛甲科技有限公司", f"青岛乙{bad}科技有限公司"])
    rows[0][1] = f"Jia{bad}Tech"
    page = preview(chinese_client, "firm", _upload(_csv_text(rows).encode("utf-8")))
    assert page.status_code == 200
    assert page.context.get("confirm_form") is None
    errors = {row.number: row.field_specific_errors for row in page.context["result"].invalid_rows}
    assert sorted(errors) == [1, 2]
    assert list(errors[1]) == ["name_en"] and list(errors[2]) == ["name"]
    assert "控制字符" in errors[2]["name"][0]
    content = page.content.decode()
    assert "Failing row" not in content and "NUL (0x00)" not in content
    assert not Firm.objects.filter(name__startswith="青岛甲").exists()


def _xlsx_with_formula_name() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(FIRM_HEADERS)
    sheet.append(["青岛丙科技有限公司", "", credit_code(70), "", "", "", ""])
    sheet.append(['=HYPERLINK("http://evil.example","青岛丁科技有限公司")', "", "", "", "", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_formula_cell_in_an_xlsx_import_is_a_field_error(liaison_client, portfolio):
    upload = SimpleUploadedFile("firms.xlsx", _xlsx_with_formula_name())
    page = preview(liaison_client, "firm", upload, XLSX)
    assert page.status_code == 200
    assert page.context.get("confirm_form") is None
    [row] = page.context["result"].invalid_rows
    assert row.number == 2 and list(row.field_specific_errors) == ["name"]
    assert "Failing row" not in page.content.decode()
    assert not Firm.objects.filter(name="青岛丙科技有限公司").exists()


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "＠SUM(1)"])
def test_a_firm_name_that_starts_like_a_formula_is_refused(chinese_client, portfolio, name):
    page = preview(chinese_client, "firm", _upload(_csv_text(_rows([name])).encode("utf-8")))
    [row] = page.context["result"].invalid_rows
    assert list(row.field_specific_errors) == ["name"]
    assert "公式" in row.field_specific_errors["name"][0]
    assert not Firm.objects.filter(name=name).exists()


def test_empty_optional_text_cells_in_an_xlsx_import_are_blank_not_null(liaison_client, portfolio):
    # openpyxl reads an empty cell as None; PostgreSQL refused it in a NOT NULL text column.
    book = openpyxl.Workbook()
    book.active.append(FIRM_HEADERS)
    book.active.append(["青岛戊己科技有限公司", None, credit_code(71), None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    page = preview(liaison_client, "firm", SimpleUploadedFile("firms.xlsx", out.getvalue()), XLSX)
    assert page.context["confirm_form"] is not None
    assert confirm(liaison_client, "firm", page).status_code == 302
    assert Firm.objects.get(credit_code=credit_code(71)).name_en == ""
