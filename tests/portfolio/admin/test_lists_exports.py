"""Exports staff asked for: the deadline, service-record and loan lists, firms with their entry
date, column names in the interface's language, a fixed number of queries."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from partners.models import LoanApplication, LoanDecision
from portfolio.choices import DeadlineStatus, FinancingKind, Instrument, LoanStatus, ServiceKind
from portfolio.models import Deadline, ServiceRecord
from tests.factories import (
    BankFactory,
    CertificationFactory,
    FinancingEventFactory,
    FirmFactory,
    ResidencyFactory,
)
from tests.portfolio.admin.forms import export_data

pytestmark = pytest.mark.django_db

CSV, XLSX = 0, 1


def export(client, url: str, file_format: int = CSV, query: str = "") -> list[dict]:
    page = client.get(url + query)
    response = client.post(url + query, export_data(page, file_format))
    assert response.status_code == 200
    if file_format == XLSX:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


DEADLINES = reverse("admin:portfolio_deadline_export")
SERVICES = reverse("admin:portfolio_servicerecord_export")
LOANS = reverse("admin:partners_loanapplication_export")


# --- deadlines --------------------------------------------------------------------------------


def test_deadline_export_has_the_users_deadlines_with_names_in_the_interfaces_language(
    liaison_client, portfolio
):
    rows = export(liaison_client, DEADLINES)
    mine = Deadline.objects.filter(firm=portfolio.firm).count()
    assert len(rows) == mine > 0
    assert {row["firm"] for row in rows} == {portfolio.firm.name}  # the other incubator's firm: no
    row = next(r for r in rows if r["obligation"] == "HNTE annual report")
    assert row["certification_kind"] == "High and new technology enterprise"
    assert row["incubator"] == portfolio.incubator.name
    assert row["status"] == "Open"
    datetime.date.fromisoformat(row["due_on"])


def test_deadline_export_follows_the_lists_filters(liaison_client, portfolio):
    done = Deadline.objects.filter(firm=portfolio.firm).first()
    done.status, done.done_on = DeadlineStatus.DONE, datetime.date(2025, 5, 1)
    done.save()
    rows = export(liaison_client, DEADLINES, query="?status__exact=done")
    assert [(r["status"], r["done_on"]) for r in rows] == [("Done", "2025-05-01")]


def test_deadline_export_queries_do_not_grow_with_rows(admin_client, portfolio, django_assert_num_queries):
    page = admin_client.get(DEADLINES)
    data = export_data(page, CSV)
    with django_assert_num_queries(5):
        admin_client.post(DEADLINES, data)
    for n in range(10):
        firm = FirmFactory()
        ResidencyFactory(firm=firm, incubator=portfolio.incubator)
        CertificationFactory(firm=firm, issued_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=n))
    with django_assert_num_queries(5):
        response = admin_client.post(DEADLINES, data)
    assert response.content.decode("utf-8-sig").count("\n") > 30


def test_the_export_form_names_columns_in_the_interfaces_language(admin_client, portfolio):
    page = admin_client.get(DEADLINES).content.decode()
    assert "Due on (due_on)" in page
    assert "Certification kind (certification_kind)" in page
    chinese = admin_client.get(DEADLINES, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "截止日期 (due_on)" in chinese


def test_firm_export_form_labels_are_the_fields_names(admin_client, portfolio):
    page = admin_client.get(reverse("admin:portfolio_firm_export")).content.decode()
    assert "Unified social credit code (credit_code)" in page
    assert "Entered on (entered_on)" in page
    assert "Credit Code" not in page  # the package's own label, made from the code


# --- firms: entry date -----------------------------------------------------------------------


def test_firm_export_fills_the_entry_date_of_the_stay_it_names(liaison_client, portfolio):
    rows = export(liaison_client, reverse("admin:portfolio_firm_export"))
    [row] = [r for r in rows if r["name"] == portfolio.firm.name]
    assert (row["incubator"], row["entered_on"]) == (portfolio.incubator.name, "2022-01-10")


def test_firm_export_queries_do_not_grow_with_the_entry_date(
    admin_client, portfolio, django_assert_num_queries
):
    url = reverse("admin:portfolio_firm_export")
    data = export_data(admin_client.get(url), XLSX)
    with django_assert_num_queries(5):
        admin_client.post(url, data)
    for _n in range(10):
        ResidencyFactory(firm=FirmFactory(), incubator=portfolio.incubator)
    with django_assert_num_queries(5):
        admin_client.post(url, data)


# --- service records -------------------------------------------------------------------------


def test_service_export_lists_the_firms_served_the_user_may_see(liaison_client, portfolio):
    portfolio.service.firms.add(portfolio.other_firm)  # shared with the other incubator's firm
    rows = export(liaison_client, SERVICES, XLSX)
    [row] = rows
    assert row["firms"] == portfolio.firm.name
    assert (row["topic"], row["kind"], row["mentor"]) == ("高企申报辅导", "One-to-one coaching", "李凯")
    assert row["incubator"] == portfolio.incubator.name


def test_service_export_queries_do_not_grow_with_rows(admin_client, portfolio, django_assert_num_queries):
    data = export_data(admin_client.get(SERVICES), CSV)
    with django_assert_num_queries(6):
        admin_client.post(SERVICES, data)
    for n in range(20):
        record = ServiceRecord.objects.create(
            kind=ServiceKind.TRAINING, incubator=portfolio.incubator, topic=f"培训{n}"
        )
        record.firms.add(portfolio.firm, portfolio.other_firm)
    with django_assert_num_queries(6):
        response = admin_client.post(SERVICES, data)
    assert "培训19" in response.content.decode("utf-8-sig")


# --- loan applications -----------------------------------------------------------------------


def loan(firm, bank, reference: str) -> LoanApplication:
    event = FinancingEventFactory(
        firm=firm,
        kind=FinancingKind.LOAN,
        instrument=Instrument.REHAB_LOAN,
        amount=None,
        loan_status=LoanStatus.APPLIED,
    )
    application = LoanApplication.objects.create(
        event=event, bank=bank, reference=reference, applied_on=datetime.date(2025, 3, 1)
    )
    LoanDecision.objects.create(
        application=application, status=LoanStatus.APPLIED, decided_on=datetime.date(2025, 3, 2)
    )
    return application


def test_loan_export_has_status_and_last_decision(admin_client, portfolio):
    loan(portfolio.firm, BankFactory(name="青岛银行"), "L-1")
    [row] = export(admin_client, LOANS)
    assert (row["firm"], row["bank"], row["reference"]) == (portfolio.firm.name, "青岛银行", "L-1")
    assert (row["loan_status"], row["last_decision_on"]) == ("Applied", "2025-03-02")


def test_loan_list_and_export_are_scoped_to_the_users_firms(portfolio):
    from django.contrib.auth.models import Permission

    from tests.portfolio.admin.conftest import staff_member

    bank = BankFactory()
    loan(portfolio.firm, bank, "L-mine")
    loan(portfolio.other_firm, bank, "L-theirs")
    manager = staff_member(portfolio.incubator, "manager")
    manager.user_permissions.add(Permission.objects.get(codename="view_loanapplication"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)
    assert [row["reference"] for row in export(client, LOANS)] == ["L-mine"]
    assert "L-theirs" not in client.get(reverse("admin:partners_loanapplication_changelist")).content.decode()


def test_loan_export_queries_do_not_grow_with_rows(admin_client, portfolio, django_assert_num_queries):
    bank = BankFactory()
    loan(portfolio.firm, bank, "L-0")
    data = export_data(admin_client.get(LOANS), CSV)
    with django_assert_num_queries(4):
        admin_client.post(LOANS, data)
    for n in range(1, 15):
        loan(portfolio.firm, bank, f"L-{n}")
    with django_assert_num_queries(4):
        response = admin_client.post(LOANS, data)
    assert "L-14" in response.content.decode("utf-8-sig")
