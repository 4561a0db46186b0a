"""The workbook, opened with openpyxl: the forms' headings in order, one row per incubatee of the
year without demo records, money in thousand CNY rounded half-up, no formula anywhere."""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.db.models import Q

from figures.torch.returns import torch_return_build
from figures.torch.rules import load_rules
from figures.torch.workbook import (
    FIRST_DATA_ROW,
    HEADING_EN_ROW,
    HEADING_ROW,
    NUMBER_ROW,
    UNVERIFIED_MARK,
    workbook_bytes,
)
from portfolio.choices import ExitReason, RecordOrigin
from portfolio.models import Residency, YearlyFigures
from tests.factories import IncubatorFactory
from tests.figures.torch.factories import YEAR, incubatee
from tests.module_data import built_once

pytestmark = pytest.mark.django_db

RULES = load_rules()
COLUMN = {f.key: i for i, f in enumerate(RULES.fields)}


def _build_book():
    incubator = IncubatorFactory(name="青岛测试孵化器", area_m2=Decimal("8000.00"))
    # Half-way cases: 12,345 yuan is 12.345 thousand (12.35 half-up); 12,325 is 12.325
    # (12.33 half-up where half-even would give 12.32); a loss of 2,345 is -2.35.
    incubatee(
        incubator,
        name="甲公司",
        figures={"revenue": Decimal("12345.00"), "net_profit": Decimal("-2345.00")},
    )
    incubatee(
        incubator,
        name="乙公司",
        figures={"revenue": Decimal("12325.00"), "rd_expense": Decimal("1999.99")},
        residency={"exited_on": datetime.date(2024, 9, 30), "exit_reason": ExitReason.INVESTMENT},
    )
    incubatee(incubator, name='=HYPERLINK("http://x.example","点我")', registration_type="+有限责任公司")
    incubatee(incubator, name="演示公司", origin=RecordOrigin.DEMO)
    incubatee(incubator, name="演示入孵公司", residency={"origin": RecordOrigin.DEMO})
    incubatee(
        incubator,
        name="去年迁出公司",
        residency={"exited_on": datetime.date(2023, 6, 30), "exit_reason": ExitReason.MOVED_OUT},
    )
    ret = torch_return_build(incubator=incubator, year=YEAR)
    expected_firms = set(
        Residency.objects.filter(incubator=incubator, entered_on__lte=datetime.date(YEAR, 12, 31))
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=datetime.date(YEAR, 1, 1)))
        .exclude(Q(origin=RecordOrigin.DEMO) | Q(firm__origin=RecordOrigin.DEMO))
        .values_list("firm__name", flat=True)
    )
    figures = {f.firm.name: f for f in YearlyFigures.objects.filter(year=YEAR).select_related("firm")}
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(ret)))
    return workbook, expected_firms, figures


@pytest.fixture(scope="module")
def book(django_db_setup, django_db_blocker):
    """One incubator's 2024 return, built once for the module and rolled back after it (built in
    English, as the tests assert: tests/module_data.py)."""
    yield from built_once(django_db_blocker, _build_book)


def data_rows(sheet):
    return list(sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True))


def by_name(sheet) -> dict:
    return {row[COLUMN["name"]]: row for row in data_rows(sheet)}


def test_the_workbook_has_the_two_forms_the_validation_report_and_the_notes(book):
    workbook, _firms, _figures = book
    assert workbook.sheetnames == ["Incubatees", "Operations", "Validation", "Notes"]


def test_the_headings_are_the_numbered_chinese_headings_in_order(book):
    sheet = book[0].worksheets[0]
    numbers = [c.value.rstrip(UNVERIFIED_MARK) for c in sheet[NUMBER_ROW]]
    assert numbers == [f.number for f in RULES.fields]
    assert [c.value for c in sheet[HEADING_ROW]] == [f.zh for f in RULES.fields]
    assert [c.value for c in sheet[HEADING_EN_ROW]] == [f.en for f in RULES.fields]
    assert numbers[:4] == ["1", "2", "3", "4"] and numbers[23:29] == [f"24.{i}" for i in range(1, 7)]


def test_the_unverified_columns_are_marked(book):
    sheet = book[0].worksheets[0]
    marked = {c.value for c in sheet[NUMBER_ROW] if c.value.endswith(UNVERIFIED_MARK)}
    assert marked == {f"L{i}{UNVERIFIED_MARK}" for i in range(1, 5)}


def test_the_title_rows_name_the_incubator_the_year_the_unit_and_the_rounding(book):
    sheet = book[0].worksheets[0]
    assert "青岛测试孵化器" in sheet["A1"].value and "2024" in sheet["A1"].value
    assert (
        "千元" in sheet["A2"].value and "half-up" in sheet["A2"].value and "2 decimals" in sheet["A2"].value
    )


def test_one_row_per_incubatee_of_the_year_without_demo_records(book):
    workbook, expected_firms, _figures = book
    names = [row[COLUMN["name"]] for row in data_rows(workbook.worksheets[0])]
    assert len(names) == len(expected_firms) == 3
    assert {n.lstrip("'") for n in names} == expected_firms


def _thousands(yuan: Decimal) -> float:
    return float((yuan / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_money_is_thousand_cny_rounded_half_up_from_the_portfolio(book):
    workbook, _firms, figures = book
    rows = by_name(workbook.worksheets[0])
    for name in ("甲公司", "乙公司"):
        row, source = rows[name], figures[name]
        for key, field in (
            ("revenue", "revenue"),
            ("rd_expense", "rd_expense"),
            ("net_profit", "net_profit"),
        ):
            assert row[COLUMN[key]] == pytest.approx(_thousands(getattr(source, field))), (name, key)
    assert rows["甲公司"][COLUMN["revenue"]] == pytest.approx(12.35)
    assert rows["乙公司"][COLUMN["revenue"]] == pytest.approx(12.33)  # half-even would be 12.32
    assert rows["甲公司"][COLUMN["net_profit"]] == pytest.approx(-2.35)
    assert rows["乙公司"][COLUMN["rd_expense"]] == pytest.approx(2.00)


def test_money_cells_are_numbers_with_the_rule_s_decimals(book):
    sheet = book[0].worksheets[0]
    cell = sheet.cell(row=FIRST_DATA_ROW, column=COLUMN["revenue"] + 1)
    assert cell.data_type == "n" and cell.number_format == "0.00"


def test_yes_no_and_choices_are_written_as_the_form_writes_them(book):
    rows = by_name(book[0].worksheets[0])
    graduate, other = rows["乙公司"], rows["甲公司"]
    assert (graduate[COLUMN["graduated"]], graduate[COLUMN["graduated_on"]].date()) == (
        "是",
        datetime.date(2024, 9, 30),
    )
    assert (other[COLUMN["graduated"]], other[COLUMN["graduated_on"]]) == ("否", None)
    assert other[COLUMN["taxpayer_type"]] == "小规模纳税人"
    assert other[COLUMN["tech_field"]] == "电子信息"


def test_no_cell_of_any_sheet_is_a_formula(book):
    workbook = book[0]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    rows = data_rows(workbook.worksheets[0])
    names = [r[COLUMN["name"]] for r in rows]
    assert '\'=HYPERLINK("http://x.example","点我")' in names
    assert "'+有限责任公司" in [r[COLUMN["registration_type"]] for r in rows]


def test_the_operations_sheet_lists_every_item_with_blanks_explained(book):
    sheet = book[0]["Operations"]
    rows = [r for r in sheet.iter_rows(min_row=6, values_only=True) if r[0]]
    assert [r[0] for r in rows] == [item.number for item in RULES.operations]
    by_key = dict(zip([item.key for item in RULES.operations], rows, strict=True))
    assert by_key["area_m2"][4] == 8000
    assert by_key["incubatees_year_end"][4] == 2  # 乙公司 graduated in September
    assert by_key["incubator_income"][4] is None and "Not computed" in by_key["incubator_income"][5]


def test_the_validation_sheet_lists_the_report(book):
    sheet = book[0]["Validation"]
    codes = [r[2] for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert "graduation_reason_unsupported" not in codes  # graduated by investment
    assert sheet["A2"].value.startswith("0 errors")


def test_the_notes_sheet_names_the_sources_and_the_unverified_items(book):
    text = " ".join(str(v) for r in book[0]["Notes"].iter_rows(values_only=True) for v in r if v)
    assert RULES.source in text
    assert "fields.rd_staff" in text and "figures.angel_vc_received" in text
