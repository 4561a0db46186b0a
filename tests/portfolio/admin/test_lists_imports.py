"""Import pages: a template to download with the accepted values, a preview showing every column
that will be saved, a heading over rows with errors that reads right in Chinese."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.models import Firm, Residency
from tests.portfolio.admin.conftest import staff_member
from tests.portfolio.admin.test_imports import FIRM_HEADERS, XLSX, confirm, credit_code, csv_file, preview

pytestmark = pytest.mark.django_db


def template(client, model: str, extension: str):
    return client.get(reverse(f"admin:portfolio_{model}_import_template", kwargs={"extension": extension}))


def test_the_import_page_links_the_templates_and_lists_accepted_values(liaison_client, portfolio):
    page = liaison_client.get(reverse("admin:portfolio_firm_import")).content.decode()
    for extension in ("xlsx", "csv"):
        assert reverse("admin:portfolio_firm_import_template", kwargs={"extension": extension}) in page
    assert 'id="import-columns"' in page
    assert "new_materials = New materials" in page  # a choice column's codes with their names
    assert portfolio.incubator.name in page  # where a new firm may be admitted
    assert portfolio.other_incubator.name not in page


def test_the_xlsx_template_has_the_headings_and_a_sheet_of_accepted_values(liaison_client, portfolio):
    response = template(liaison_client, "firm", "xlsx")
    assert response.status_code == 200
    assert "attachment;" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, accepted = book.worksheets
    headings = [cell.value for cell in data[1]]
    assert headings == [*FIRM_HEADERS[:5], "industry_detail", "website", "incubator", "entered_on"]
    assert "YYYY-MM-DD" in data["D1"].comment.text  # founded_on
    rows = {row[0]: row for row in accepted.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(headings)
    assert rows["name"][1:3] == ("Legal name (Chinese)", "required")
    assert "biomedicine = Biomedicine and medical devices" in rows["industry"][3]
    assert "next_deadline" not in rows  # shown in exports, never imported


def test_the_filled_xlsx_template_imports(liaison_client, portfolio):
    book = openpyxl.load_workbook(io.BytesIO(template(liaison_client, "firm", "xlsx").content))
    data = book.worksheets[0]
    headings = [cell.value for cell in data[1]]
    values = {"name": "青岛模板科技有限公司", "credit_code": credit_code(31), "industry": "new_materials"}
    data.append([values.get(h, "") for h in headings])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("filled.xlsx", out.getvalue())
    response = confirm(liaison_client, "firm", preview(liaison_client, "firm", upload, XLSX))
    assert response.status_code == 302
    assert Firm.objects.get(credit_code=credit_code(31)).industry == "new_materials"


def test_the_csv_template_is_the_heading_row_with_a_byte_order_mark(liaison_client, portfolio):
    response = template(liaison_client, "certification", "csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == ["firm,kind,status,number,issued_on,issued_precision,expires_on,issuer,notes"]


def test_yearly_figures_template_lists_its_columns(liaison_client, portfolio):
    book = openpyxl.load_workbook(io.BytesIO(template(liaison_client, "yearlyfigures", "xlsx").content))
    headings = [cell.value for cell in book.worksheets[0][1]]
    assert headings[:3] == ["firm", "year", "revenue"]
    assert "firm_credit_code" not in headings


def test_a_template_needs_the_import_permission(portfolio, client):
    counsellor = staff_member(portfolio.incubator, "counsellor")  # may not add firms
    client.force_login(counsellor)
    assert template(client, "firm", "xlsx").status_code == 403
    assert template(client, "certification", "xlsx").status_code == 200


def test_an_unknown_template_format_answers_404(liaison_client, portfolio):
    assert template(liaison_client, "firm", "pdf").status_code == 404


def test_the_preview_shows_the_incubator_and_entry_date_that_will_be_saved(liaison_client, portfolio):
    upload = csv_file(
        FIRM_HEADERS,
        [
            ["青岛预览科技有限公司", "", credit_code(32), "", "", portfolio.incubator.name, "2025-02-03"],
            [portfolio.firm.name, "", "", "", "", "", ""],  # already in the incubator since 2022
        ],
    )
    page = preview(liaison_client, "firm", upload)
    result = page.context["result"]
    headers = result.diff_headers
    new, update = (dict(zip(headers, row.diff, strict=True)) for row in result.valid_rows())
    assert portfolio.incubator.name in new["incubator"]
    assert "2025-02-03" in new["entered_on"]
    assert portfolio.incubator.name in update["incubator"]
    assert "2022-01-10" in update["entered_on"]
    assert not Residency.objects.filter(firm__name="青岛预览科技有限公司").exists()
    # The preview's headings say what each column holds.
    assert "<th>Entered on (entered_on)</th>" in page.content.decode()


def test_rows_with_errors_have_a_readable_heading_in_chinese(liaison_client, portfolio):
    upload = csv_file(FIRM_HEADERS, [["青岛坏行科技有限公司", "", "91350100M000100Y44", "", "", "", ""]])
    response = liaison_client.post(
        reverse("admin:portfolio_firm_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert 'id="import-validation-errors"' in page
    assert "<td>91350100M000100Y44</td>" in page  # the bad row's cells, under their headings
    assert "某些行验数据证失败" not in page  # django-import-export's garbled heading
    assert not Firm.objects.filter(name="青岛坏行科技有限公司").exists()


def test_imported_notes_are_stored_with_unix_line_ends(liaison_client, portfolio):
    upload = csv_file(
        ["firm", "kind", "issued_on", "notes"], [[portfolio.firm.name, "tsme", "2025-04-01", "a\r\nb"]]
    )
    page = preview(liaison_client, "certification", upload)
    assert confirm(liaison_client, "certification", page).status_code == 302
    certification = portfolio.firm.certifications.get(kind__code="tsme", issued_on=datetime.date(2025, 4, 1))
    assert certification.notes == "a\nb"
