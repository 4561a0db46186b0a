"""Importing firms and certifications through the admin: preview, row errors, all or nothing."""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portfolio.choices import CertificationStatus
from portfolio.models import Certification, Firm, Residency
from portfolio.rules.credit_code import check_character, organisation_check_character
from tests.factories import FirmFactory, ResidencyFactory

pytestmark = pytest.mark.django_db

FIRM_HEADERS = ["name", "name_en", "credit_code", "founded_on", "industry", "incubator", "entered_on"]
CSV, XLSX = 0, 1


def credit_code(n: int) -> str:
    org = f"{n:08d}"
    first17 = "91370200" + org + organisation_check_character(org)
    return first17 + check_character(first17)


def csv_file(headers, rows, name="firms.csv") -> SimpleUploadedFile:
    data = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile(name, data.export("csv").encode("utf-8"), content_type="text/csv")


def xlsx_file(headers, rows, name="firms.xlsx") -> SimpleUploadedFile:
    data = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile(name, data.export("xlsx"))


def preview(client, model, upload, file_format=CSV):
    return client.post(
        reverse(f"admin:portfolio_{model}_import"),
        {"import_file": upload, "format": str(file_format), "resource": "0"},
    )


def confirm(client, model, preview_response):
    form = preview_response.context["confirm_form"]
    return client.post(reverse(f"admin:portfolio_{model}_process_import"), form.initial)


def test_firm_import_previews_then_saves_with_a_residency(liaison_client, portfolio):
    upload = csv_file(
        FIRM_HEADERS,
        [
            [
                "青岛新锐科技有限公司",
                "Xinrui",
                credit_code(1),
                "2023-05-01",
                "new_materials",
                "",
                "2025-01-02",
            ],
            ["青岛海川医疗有限公司", "", credit_code(2), "", "biomedicine", portfolio.incubator.name, ""],
        ],
    )
    page = preview(liaison_client, "firm", upload)
    assert page.status_code == 200
    assert page.context["confirm_form"] is not None
    assert not Firm.objects.filter(name="青岛新锐科技有限公司").exists()  # the preview saves nothing

    response = confirm(liaison_client, "firm", page)
    assert response.status_code == 302
    xinrui = Firm.objects.get(name="青岛新锐科技有限公司")
    assert xinrui.credit_code == credit_code(1)
    residency = Residency.objects.get(firm=xinrui)
    assert (residency.incubator, residency.entered_on) == (portfolio.incubator, datetime.date(2025, 1, 2))
    assert Residency.objects.filter(firm__name="青岛海川医疗有限公司", incubator=portfolio.incubator).exists()


def test_firm_import_with_one_bad_row_saves_nothing_and_names_row_and_field(liaison_client, portfolio):
    bad_code = credit_code(4)[:-1] + ("0" if credit_code(4)[-1] != "0" else "1")
    upload = csv_file(
        FIRM_HEADERS,
        [
            ["青岛甲科技有限公司", "", credit_code(3), "", "", "", ""],
            ["青岛乙科技有限公司", "", bad_code, "", "", "", ""],
            ["青岛丙科技有限公司", "", credit_code(5), "", "", "", ""],
        ],
    )
    page = preview(liaison_client, "firm", upload)
    assert page.context.get("confirm_form") is None
    invalid = page.context["result"].invalid_rows
    assert [row.number for row in invalid] == [2]
    assert list(invalid[0].field_specific_errors) == ["credit_code"]
    assert "check character" in invalid[0].field_specific_errors["credit_code"][0]
    assert not Firm.objects.filter(
        name__in=["青岛甲科技有限公司", "青岛乙科技有限公司", "青岛丙科技有限公司"]
    ).exists()


def test_firm_import_rejects_an_incubator_the_user_does_not_belong_to(liaison_client, portfolio):
    upload = csv_file(
        FIRM_HEADERS, [["青岛丁科技有限公司", "", "", "", "", portfolio.other_incubator.name, ""]]
    )
    page = preview(liaison_client, "firm", upload)
    row = page.context["result"].invalid_rows[0]
    assert list(row.field_specific_errors) == ["incubator"]
    assert not Firm.objects.filter(name="青岛丁科技有限公司").exists()


def test_firm_import_cannot_update_another_incubators_firm(liaison_client, portfolio):
    upload = csv_file(FIRM_HEADERS, [[portfolio.other_firm.name, "Renamed", "", "", "", "", ""]])
    page = preview(liaison_client, "firm", upload)
    assert list(page.context["result"].invalid_rows[0].field_specific_errors) == ["name"]
    portfolio.other_firm.refresh_from_db()
    assert portfolio.other_firm.name_en != "Renamed"


def test_firm_import_from_xlsx(liaison_client, portfolio):
    upload = xlsx_file(FIRM_HEADERS, [["青岛戊科技有限公司", "Wu", credit_code(6), "", "", "", ""]])
    page = preview(liaison_client, "firm", upload, XLSX)
    response = confirm(liaison_client, "firm", page)
    assert response.status_code == 302
    assert Firm.objects.get(credit_code=credit_code(6)).residencies.get().incubator == portfolio.incubator


def test_confirm_saves_nothing_when_a_row_became_invalid_after_the_preview(liaison_client, portfolio):
    upload = csv_file(
        FIRM_HEADERS,
        [
            ["青岛己科技有限公司", "", credit_code(7), "", "", "", ""],
            ["青岛庚科技有限公司", "", credit_code(8), "", "", "", ""],
        ],
    )
    page = preview(liaison_client, "firm", upload)
    # Meanwhile another incubator registers the second firm's credit code.
    ResidencyFactory(firm=FirmFactory(credit_code=credit_code(8)), incubator=portfolio.other_incubator)
    response = confirm(liaison_client, "firm", page)
    assert response.status_code == 400
    assert [row.number for row in response.context["result"].invalid_rows] == [2]
    assert not Firm.objects.filter(name="青岛己科技有限公司").exists()


CERT_HEADERS = ["firm", "kind", "status", "number", "issued_on", "expires_on"]


def test_certification_import_finds_firms_by_credit_code_or_name_and_kinds_by_code(liaison_client, portfolio):
    portfolio.firm.credit_code = credit_code(9)
    portfolio.firm.save()
    upload = csv_file(
        CERT_HEADERS,
        [
            [credit_code(9), "tsme", "granted", "2025370200001", "2025-04-01", ""],
            [portfolio.firm.name, "listing_pool", "planned", "", "", ""],
        ],
        name="certs.csv",
    )
    page = preview(liaison_client, "certification", upload)
    response = confirm(liaison_client, "certification", page)
    assert response.status_code == 302
    tsme = Certification.objects.get(firm=portfolio.firm, kind__code="tsme")
    assert (tsme.status, tsme.number) == (CertificationStatus.GRANTED, "2025370200001")
    assert Certification.objects.filter(
        firm=portfolio.firm, kind__code="listing_pool", status="planned"
    ).exists()


def test_certification_import_with_one_bad_row_saves_nothing_and_names_row_and_field(
    liaison_client, portfolio
):
    upload = csv_file(
        CERT_HEADERS,
        [
            [portfolio.firm.name, "tsme", "granted", "A-1", "2025-04-01", ""],
            [portfolio.firm.name, "no-such-kind", "granted", "A-2", "2025-04-01", ""],
            [portfolio.other_firm.name, "tsme", "granted", "A-3", "2025-04-01", ""],
        ],
        name="certs.csv",
    )
    page = preview(liaison_client, "certification", upload)
    errors = {row.number: list(row.field_specific_errors) for row in page.context["result"].invalid_rows}
    assert errors == {2: ["kind"], 3: ["firm"]}
    assert page.context.get("confirm_form") is None
    assert not Certification.objects.filter(number__in=["A-1", "A-2", "A-3"]).exists()
    assert "no-such-kind" in page.content.decode()


def test_export_of_the_filtered_list_as_xlsx(admin_client, portfolio):
    from tests.portfolio.admin.forms import export_data

    url = reverse("admin:portfolio_firm_export") + f"?incubator={portfolio.other_incubator.pk}"
    response = admin_client.post(url, export_data(admin_client.get(url), XLSX))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = tablib.Dataset().load(response.content, format="xlsx")
    assert sheet["name"] == [portfolio.other_firm.name]
    assert sheet["incubator"] == [portfolio.other_incubator.name]
