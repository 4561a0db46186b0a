"""The ladder inputs in the admin: the firm page's fieldset and inlines, the yearly figures' new
columns in the inline and in imports and exports, all within the staff member's incubators."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse

from accounts.models import StaffRole, User
from portfolio.choices import DistinctionKind, DistinctionLevel, IncidentKind, MarketStatus, StandardRole
from portfolio.models import ComplianceIncident, Distinction, InnovationSelfAssessment, YearlyFigures
from tests.module_data import built_once
from tests.portfolio.admin.conftest import Portfolio, portfolio_build, staff_member
from tests.portfolio.admin.forms import export_data, form_data
from tests.portfolio.admin.test_imports import CSV, XLSX, confirm, csv_file, preview, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shared_portfolio(django_db_setup, django_db_blocker) -> tuple[Portfolio, User]:
    """The portfolio and its incubator's liaison, built once for the module (tests/module_data.py);
    each test changes them in its own savepoint."""

    def build() -> tuple[Portfolio, User]:
        portfolio = portfolio_build()
        return portfolio, staff_member(portfolio.incubator, StaffRole.LIAISON)

    yield from built_once(django_db_blocker, build)


@pytest.fixture
def portfolio(shared_portfolio) -> Portfolio:
    return copy.deepcopy(shared_portfolio[0])  # the test's own instances, as its rows are


@pytest.fixture
def liaison(shared_portfolio) -> User:
    return copy.deepcopy(shared_portfolio[1])


LADDER_FIELDS = [
    "resident_enterprise",
    "audited_taxation",
    "industry_allowed",
    "high_tech_field_confirmed",
    "core_ip",
    "market_status",
    "market_status_since",
]


def _change(client, firm):
    url = reverse("admin:portfolio_firm_change", args=[firm.pk])
    return url, client.get(url)


def _prefix(page, model) -> str:
    return next(i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is model)


def _add_row(data: dict, prefix: str, **values) -> None:
    """One more inline row, as the browser's "add another" sends it."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{prefix}-{index}-{name}": value for name, value in values.items()})


def test_firm_page_shows_the_ladder_fieldset_and_inlines(liaison_client, portfolio):
    _, page = _change(liaison_client, portfolio.firm)
    assert page.status_code == 200
    fieldsets = {str(name): options["fields"] for name, options in page.context["adminform"].fieldsets}
    assert fieldsets["Ladder inputs"][:5] == LADDER_FIELDS[:5]
    models = {i.formset.model for i in page.context["inline_admin_formsets"]}
    assert {Distinction, ComplianceIncident, InnovationSelfAssessment} <= models
    html = page.content.decode()
    for figure in YearlyFigures.LADDER_FIGURES:
        assert f"-0-{figure}" in html, figure
    assert "国科发火〔2016〕195号" in html  # the help texts name the rules


def test_firm_page_saves_the_ladder_fields_and_new_inline_rows(liaison, liaison_client, portfolio):
    url, page = _change(liaison_client, portfolio.firm)
    data = form_data(
        page,
        audited_taxation="true",
        industry_allowed="",
        core_ip="false",
        market_status=MarketStatus.QUOTED,
        market_status_since="2025-09-01",
    )
    _add_row(
        data,
        _prefix(page, Distinction),
        kind=DistinctionKind.STANDARD,
        level=DistinctionLevel.NATIONAL,
        year="2024",
        role=StandardRole.LED,
        title="GB/T 99999-2024 演示标准",
    )
    _add_row(
        data,
        _prefix(page, ComplianceIncident),
        kind=IncidentKind.ABNORMAL_OPERATION_LIST,
        occurred_on="2025-07-01",
        resolved_on="2025-08-15",
        description="年报逾期",
    )
    _add_row(
        data, _prefix(page, InnovationSelfAssessment), year="2026", ip_advancement="8", training_rewards="4"
    )
    figures = _prefix(page, YearlyFigures)
    data.update(
        {
            f"{figures}-0-total_cost": "18000000",
            f"{figures}-0-total_liabilities": "25000000.50",
            f"{figures}-0-results_converted": "3",
        }
    )

    response = liaison_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    firm = portfolio.firm
    firm.refresh_from_db()
    assert (firm.audited_taxation, firm.industry_allowed, firm.core_ip) == (True, False, False)
    assert firm.high_tech_field_confirmed is None  # left unknown
    assert (firm.market_status, firm.market_status_since) == (MarketStatus.QUOTED, datetime.date(2025, 9, 1))
    standard = firm.distinctions.get(kind=DistinctionKind.STANDARD)
    assert (standard.role, standard.rank, standard.year) == (StandardRole.LED, None, 2024)
    assert firm.incidents.get(kind=IncidentKind.ABNORMAL_OPERATION_LIST).resolved_on == datetime.date(
        2025, 8, 15
    )
    assessment = firm.innovation_assessments.get(year=2026)
    assert (assessment.ip_advancement, assessment.training_rewards, assessment.rd_management) == (8, 4, None)
    assert assessment.assessed_by == liaison
    row = firm.yearly_figures.get()
    assert (row.total_cost, row.total_liabilities, row.results_converted) == (
        Decimal(18_000_000),
        Decimal("25000000.50"),
        3,
    )


def test_an_unchanged_self_assessment_keeps_who_recorded_it(liaison_client, portfolio):
    assessment = portfolio.firm.innovation_assessments.get()
    assert assessment.assessed_by is None
    url, page = _change(liaison_client, portfolio.firm)
    assert liaison_client.post(url, form_data(page)).status_code == 302
    assessment.refresh_from_db()
    assert assessment.assessed_by is None


@pytest.mark.parametrize(
    ("model", "row", "message"),
    [
        (
            Distinction,
            {"kind": "standard", "level": "national", "year": "2024", "title": "无角色标准"},
            "Give the firm&#x27;s role in the drafting for standards, and only for them.",
        ),
        (
            Distinction,
            {
                "kind": "rd_institution",
                "level": "provincial",
                "year": "2024",
                "rank": "1",
                "title": "研发中心",
            },
            "A unit rank is given for awards only.",
        ),
        (
            ComplianceIncident,
            {"kind": "fraud", "occurred_on": "2025-03-02", "resolved_on": "2025-03-01"},
            "The resolution date cannot be before the incident.",
        ),
        (
            InnovationSelfAssessment,
            {"year": "2027", "ip_standards_bonus": "3"},
            "Ensure this value is less than or equal to 2.",
        ),
        (
            InnovationSelfAssessment,
            {"year": "2025"},  # the portfolio's firm has one for 2025 already
            "Please correct the duplicate data for year.",
        ),
    ],
    ids=["standard-without-role", "rank-on-institution", "resolved-before", "score-over-max", "same-year"],
)
def test_a_broken_inline_row_is_a_form_error(liaison_client, portfolio, model, row, message):
    before = model.objects.count()
    url, page = _change(liaison_client, portfolio.firm)
    data = form_data(page)
    _add_row(data, _prefix(page, model), **row)
    response = liaison_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert model.objects.count() == before


def test_quoted_since_without_a_status_is_a_form_error(liaison_client, portfolio):
    url, page = _change(liaison_client, portfolio.firm)
    response = liaison_client.post(url, form_data(page, market_status_since="2025-01-01"))
    assert response.status_code == 200
    assert "A capital market date needs a capital market status." in response.content.decode()


def test_ladder_lists_show_only_the_users_incubators(liaison_client, portfolio):
    for model in ("distinction", "complianceincident", "innovationselfassessment"):
        response = liaison_client.get(reverse(f"admin:portfolio_{model}_changelist"))
        assert response.status_code == 200, model
        assert {row.firm_id for row in response.context["cl"].result_list} == {portfolio.firm.pk}, model


def test_counsellor_records_distinctions_and_self_assessments_but_only_views_incidents(client, portfolio):
    client.force_login(staff_member(portfolio.incubator, StaffRole.COUNSELLOR))
    assert client.get(reverse("admin:portfolio_distinction_add")).status_code == 200
    assert client.get(reverse("admin:portfolio_innovationselfassessment_add")).status_code == 200
    assert client.get(reverse("admin:portfolio_complianceincident_add")).status_code == 403
    assert client.get(reverse("admin:portfolio_complianceincident_changelist")).status_code == 200


# --- import and export of yearly figures ------------------------------------------------------

HEADERS = [
    "firm",
    "year",
    "revenue",
    "rd_expense",
    "employees",
    "rd_staff",
    "total_cost",
    "total_liabilities",
    "results_converted",
]


def test_figures_import_takes_the_new_columns_and_updates_the_firms_year(liaison_client, portfolio):
    existing = portfolio.firm.yearly_figures.get()  # 2024
    upload = csv_file(
        HEADERS,
        [
            [portfolio.firm.name, "2024", "20000000", "1500000", "60", "15", "17500000", "9000000", "2"],
            [portfolio.firm.name, "2025", "26000000", "2100000", "70", "18", "22000000", "30000000", "4"],
        ],
        name="figures.csv",
    )
    page = preview(liaison_client, "yearlyfigures", upload)
    assert page.context["confirm_form"] is not None, page.context["result"].invalid_rows
    assert confirm(liaison_client, "yearlyfigures", page).status_code == 302
    existing.refresh_from_db()
    assert (existing.total_cost, existing.total_liabilities, existing.results_converted) == (
        Decimal(17_500_000),
        Decimal(9_000_000),
        2,
    )
    later = portfolio.firm.yearly_figures.get(year=2025)
    assert later.total_liabilities > later.total_cost  # liabilities may exceed anything: allowed
    assert later.results_converted == 4


def test_figures_import_from_xlsx_number_cells(liaison_client, portfolio):
    upload = xlsx_file(
        ["firm", "year", "total_cost", "results_converted"],
        [[portfolio.firm.name, 2023, 1234567.5, 3]],
        name="figures.xlsx",
    )
    page = preview(liaison_client, "yearlyfigures", upload, XLSX)
    assert confirm(liaison_client, "yearlyfigures", page).status_code == 302
    row = portfolio.firm.yearly_figures.get(year=2023)
    assert (row.total_cost, row.results_converted) == (Decimal("1234567.50"), 3)


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("total_cost", "1,500", "not a number"),
        ("total_cost", "abc", "not a number"),
        ("total_cost", "-1", "Amounts cannot be negative."),
        ("total_liabilities", "-0.01", "Amounts cannot be negative."),
        ("total_liabilities", "1.234", "decimal places"),
        ("results_converted", "2.5", "not a whole number"),
        ("results_converted", "-1", "greater than or equal to 0"),
    ],
)
def test_figures_import_with_one_bad_cell_saves_nothing_and_names_it(
    liaison_client, portfolio, column, value, words
):
    row = {"firm": portfolio.firm.name, "year": "2025", "total_cost": "", "total_liabilities": ""}
    row.update({"results_converted": "", column: value})
    upload = csv_file(
        ["firm", "year", "total_cost", "total_liabilities", "results_converted"],
        [[portfolio.firm.name, "2023", "100", "100", "1"], list(row.values())],
        name="figures.csv",
    )
    page = preview(liaison_client, "yearlyfigures", upload)
    assert page.context.get("confirm_form") is None
    [invalid] = page.context["result"].invalid_rows
    assert invalid.number == 2
    errors = invalid.field_specific_errors or invalid.non_field_specific_errors
    assert words in str(errors), errors
    assert not portfolio.firm.yearly_figures.filter(year__in=[2023, 2025]).exists()


def test_figures_import_cannot_touch_another_incubators_firm(liaison_client, portfolio):
    upload = csv_file(
        ["firm", "year", "total_cost"], [[portfolio.other_firm.name, "2024", "1"]], name="figures.csv"
    )
    page = preview(liaison_client, "yearlyfigures", upload)
    assert list(page.context["result"].invalid_rows[0].field_specific_errors) == ["firm"]
    assert portfolio.other_firm.yearly_figures.get().total_cost is None


def test_figures_export_has_the_new_columns(liaison_client, portfolio):
    portfolio.firm.yearly_figures.update(
        total_cost=Decimal(9), total_liabilities=Decimal(4), results_converted=1
    )
    url = reverse("admin:portfolio_yearlyfigures_export")
    response = liaison_client.post(url, export_data(liaison_client.get(url), CSV))
    sheet = tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")
    assert sheet["firm"] == [portfolio.firm.name]  # only the user's incubators
    assert [sheet["total_cost"][0], sheet["total_liabilities"][0], sheet["results_converted"][0]] == [
        "9.00",
        "4.00",
        "1",
    ]


def test_the_figures_resource_has_a_column_for_every_figure():
    from portfolio.resources import YearlyFiguresResource

    columns = [field.column_name for field in YearlyFiguresResource().get_import_fields()]
    assert set(YearlyFigures.FIGURES) | set(YearlyFigures.LADDER_FIGURES) <= set(columns)


def test_the_figures_resource_has_a_column_for_every_torch_figure():
    from portfolio.resources import YearlyFiguresResource

    columns = [field.column_name for field in YearlyFiguresResource().get_import_fields()]
    assert set(YearlyFigures.TORCH_FIGURES) <= set(columns)


def test_figures_import_takes_the_torch_figures_and_a_loss(liaison_client, portfolio):
    upload = csv_file(
        ["firm", "year", "employees", "net_profit", "staff_college", "staff_phd", "ip_applied"],
        [[portfolio.firm.name, "2023", "20", "-150000.50", "12", "2", "3"]],
        name="figures.csv",
    )
    page = preview(liaison_client, "yearlyfigures", upload)
    assert confirm(liaison_client, "yearlyfigures", page).status_code == 302
    row = portfolio.firm.yearly_figures.get(year=2023)
    assert (row.net_profit, row.staff_college, row.staff_phd, row.ip_applied) == (
        Decimal("-150000.50"),
        12,
        2,
        3,
    )


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("imports_exports", "-1", "Amounts cannot be negative."),
        ("staff_college", "21", "cannot exceed the number of employees"),
        ("staff_phd", "13", "Doctorates are counted among the college-educated staff."),
    ],
)
def test_figures_import_refuses_a_bad_torch_figure_and_saves_nothing(
    liaison_client, portfolio, column, value, words
):
    row = {"firm": portfolio.firm.name, "year": "2023", "employees": "20", "staff_college": "12"}
    row[column] = value
    upload = csv_file(list(row), [list(row.values())], name="figures.csv")
    page = preview(liaison_client, "yearlyfigures", upload)
    assert page.context.get("confirm_form") is None
    [invalid] = page.context["result"].invalid_rows
    errors = invalid.field_specific_errors or invalid.non_field_specific_errors
    assert words in str(errors), errors
    assert not portfolio.firm.yearly_figures.filter(year=2023).exists()
