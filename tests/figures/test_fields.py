"""The catalogue of fields a figures request may ask for."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import models

from figures.fields import (
    ALL_FIELDS,
    CATALOGUE,
    FIELDS,
    FIRM_FIELDS,
    GROUP_NAMES,
    PERSON_FIELDS,
    YEAR_FIELDS,
    Kind,
    as_text,
    fields_for,
    grouped,
    ordered,
    person_values,
    stored_values,
)
from figures.models import FiguresRequest
from portfolio.models import Firm, YearlyFigures
from portfolio.models.torch_fields import TorchFirmFields


def test_year_fields_are_exactly_the_figures_yearly_figures_stores():
    expected = {*YearlyFigures.FIGURES, *YearlyFigures.LADDER_FIGURES, *YearlyFigures.TORCH_FIGURES}
    assert set(YEAR_FIELDS) == expected
    assert len(YEAR_FIELDS) == len(expected)


def test_firm_fields_are_exactly_the_torch_firm_fields():
    assert set(FIRM_FIELDS) == {f.name for f in TorchFirmFields._meta.get_fields()}


def test_person_fields_are_the_people_of_torch_field_26():
    assert PERSON_FIELDS == ("unit_head", "statistics_head", "form_filler", "phone")
    assert all(FIELDS[name].torch == "26" for name in PERSON_FIELDS)


def test_all_fields_are_in_catalogue_order_once_each():
    assert tuple(f.name for f in CATALOGUE) == ALL_FIELDS
    assert len(set(ALL_FIELDS)) == len(ALL_FIELDS)


@pytest.mark.parametrize("name", YEAR_FIELDS + FIRM_FIELDS)
def test_each_stored_field_matches_its_model_column(name):
    model = YearlyFigures if name in YEAR_FIELDS else Firm
    column = model._meta.get_field(name)
    kind = FIELDS[name].kind
    if kind is Kind.AMOUNT:
        assert isinstance(column, models.DecimalField) and column.decimal_places == 2
    elif kind is Kind.COUNT:
        assert isinstance(column, models.PositiveIntegerField)
    elif kind is Kind.CHOICE:
        assert [code for code, _label in FIELDS[name].choices] == [code for code, _label in column.choices]
    elif kind is Kind.YES_NO:
        assert isinstance(column, models.BooleanField) and column.null
    else:
        assert 0 < FIELDS[name].max_length <= column.max_length


def test_only_net_profit_may_be_negative():
    assert [f.name for f in CATALOGUE if f.signed] == ["net_profit"]


@pytest.mark.parametrize("field", CATALOGUE, ids=lambda f: f.name)
def test_each_field_has_a_label_help_and_a_known_group(field):
    assert str(field.label) and str(field.help)
    assert field.group in GROUP_NAMES


def test_amount_help_says_yuan_not_wan():
    income = next(group for group, _fields in grouped(ALL_FIELDS) if group.name == "income")
    assert "not 万元" in str(income.intro)
    assert "not 万元" in str(next(g for g, _f in grouped(["total_assets"])).intro)


def test_help_explains_what_counts_as_tech_staff_and_ip_classes():
    assert "Sales and administration staff do not count" in str(FIELDS["rd_staff"].help)
    assert "invention patents" in str(FIELDS["ip_class1"].help)
    assert "Trademarks do not count" in str(FIELDS["ip_class2"].help)


def test_fields_for_an_empty_list_is_every_field():
    assert fields_for(FiguresRequest(fields=[])) == list(ALL_FIELDS)


def test_fields_for_keeps_catalogue_order_and_drops_unknown_names():
    request = FiguresRequest(fields=["employees", "nonsense", "revenue", 7, "employees"])
    assert fields_for(request) == ["revenue", "employees"]


def test_ordered_follows_the_catalogue():
    assert ordered(["phone", "revenue", "serial_founder"]) == ["revenue", "serial_founder", "phone"]


def test_grouped_leaves_out_empty_groups_and_keeps_order():
    groups = grouped(["phone", "employees", "revenue"])
    assert [(g.name, [f.name for f in fields]) for g, fields in groups] == [
        ("income", ["revenue"]),
        ("staff", ["employees"]),
        ("people", ["phone"]),
    ]


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("12000.00"), "12000"),
        (Decimal("12000.50"), "12000.5"),
        (Decimal("-350000.00"), "-350000"),
        (Decimal("-0.00"), "0"),
        (Decimal("1E+3"), "1000"),
        (12, "12"),
        (True, "yes"),
        (False, "no"),
        (None, ""),
        ("有限责任公司", "有限责任公司"),
    ],
)
def test_as_text(value, text):
    assert as_text(value) == text


def test_stored_values_reads_year_fields_from_figures_and_firm_fields_from_the_firm():
    figures = YearlyFigures(revenue=Decimal("1500000.00"), employees=18, net_profit=None)
    firm = Firm(registration_type="有限责任公司", serial_founder=False)
    values = stored_values(
        ["revenue", "employees", "net_profit", "registration_type", "serial_founder", "phone", "bogus"],
        figures=figures,
        firm=firm,
    )
    assert values == {
        "revenue": "1500000",
        "employees": "18",
        "registration_type": "有限责任公司",
        "serial_founder": "no",
    }


def test_person_values_takes_only_the_people_as_text():
    assert person_values({"form_filler": "陈静", "phone": 123, "revenue": "1", "unit_head": ""}) == {
        "form_filler": "陈静"
    }
    assert person_values(None) == {} and person_values(["x"]) == {}
