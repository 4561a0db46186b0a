"""The Torch rule data: the shipped file's content, and the checker's one-line errors."""

from decimal import Decimal

import pytest
import yaml

from figures.torch.rules import RULES_PATH, TorchRulesError, load_rules, parse_rules

RAW = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def _parse_changed(change) -> None:
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    change(raw)
    parse_rules(raw)


def test_the_fields_follow_the_form_from_1_to_26_with_staff_and_ip_expanded():
    numbers = [f.number for f in load_rules().fields]
    top = [n.split(".")[0] for n in numbers if not n.startswith("L")]
    assert list(dict.fromkeys(top)) == [str(n) for n in range(1, 27)]
    assert [n for n in numbers if n.startswith("24.")] == [f"24.{i}" for i in range(1, 7)]
    assert [n for n in numbers if n.startswith("25.")] == [f"25.{i}" for i in range(1, 13)]
    assert [n for n in numbers if n.startswith("26.")] == [f"26.{i}" for i in range(1, 5)]


def test_the_later_columns_and_the_headings_are_marked_unverified():
    rules = load_rules()
    for key in ("tsme", "hnte_certified_on", "hnte_number", "rd_staff"):
        assert rules.is_unverified(f"fields.{key}"), key
    assert rules.is_unverified("headings")
    assert not rules.is_unverified("fields.revenue")


def test_the_rounding_rule_is_stated_and_marked_as_our_choice():
    money = load_rules().money
    assert (money.yuan_per_unit, money.decimals, money.rounding, money.ours) == (1000, 2, "half_up", True)


@pytest.mark.parametrize(
    ("yuan", "thousands"),
    [
        ("12345.00", "12.35"),  # a half goes up
        ("12355.00", "12.36"),  # not to the even digit (12.36 either way) ...
        ("12325.00", "12.33"),  # ... and here half-even would give 12.32
        ("12344.99", "12.34"),
        ("-12345.00", "-12.35"),  # a loss: half away from zero
        ("0.00", "0.00"),
    ],
)
def test_yuan_become_thousand_cny_rounded_half_up(yuan, thousands):
    assert load_rules().money.convert(Decimal(yuan)) == Decimal(thousands)


def test_a_field_reading_a_field_the_portfolio_lacks_is_one_line_naming_it():
    with pytest.raises(
        TorchRulesError, match=r"^2017-form: fields\[18\]\.source: figures has no field turnover$"
    ):
        _parse_changed(lambda raw: raw["fields"][18].update(source="figures.turnover"))


def test_an_unknown_computation_is_refused():
    with pytest.raises(TorchRulesError, match=r"fields\[8\]\.compute: must be one of"):
        _parse_changed(lambda raw: raw["fields"][8].update(compute="mentor_ever"))


def test_a_repeated_field_number_is_refused():
    with pytest.raises(TorchRulesError, match=r"fields\[1\]: repeats"):
        _parse_changed(lambda raw: raw["fields"][1].update(number="1"))


def test_an_unknown_rounding_is_refused():
    with pytest.raises(TorchRulesError, match=r"money\.rounding: must be one of half_up, half_even"):
        _parse_changed(lambda raw: raw["money"].update(rounding="banker"))


def test_an_operations_item_without_a_computation_needs_its_reason():
    def change(raw):
        raw["operations"][0].update(compute=None)

    with pytest.raises(TorchRulesError, match=r"operations\[0\]\.reason: is missing"):
        _parse_changed(change)


@pytest.mark.django_db
def test_the_shipped_file_has_a_reading_for_every_computation():
    rules = load_rules()
    assert rules.computations.hnte_kind == "hnte"
    assert "angel" in rules.computations.angel_vc_instruments
    assert {f.compute for f in rules.fields if f.compute} <= {
        "mentor_in_year",
        "graduated",
        "graduation_date",
        "hnte_in_year",
        "tsme_in_year",
        "hnte_certified_on",
        "hnte_number",
    }
