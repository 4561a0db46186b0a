import datetime

import pytest
import yaml

from figures.torch import TorchRulesError, filing_window
from figures.torch.rules import RULES_PATH, parse_rules


def _raw():
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def test_a_published_window_is_read_from_the_data():
    assert filing_window(2021) == (
        datetime.date(2022, 1, 5),
        datetime.date(2022, 1, 30),
        True,
        filing_window(2021).source,
    )
    assert "2021" in filing_window(2021).source


def test_a_year_without_a_published_window_gets_the_expected_january_window():
    opens_on, closes_on, published, source = filing_window(2025)
    assert (opens_on, closes_on, published) == (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), False)
    assert source


def test_a_regional_window_names_its_region():
    assert filing_window(2024).source.startswith("广东")


def test_an_unverified_window_is_not_published():
    raw = _raw()
    raw["filing_windows"][2]["unverified"] = True
    assert parse_rules(raw).window_for(2024).published is False


def test_a_window_closing_before_it_opens_is_one_line_naming_the_field():
    raw = _raw()
    raw["filing_windows"][0]["closes_on"] = datetime.date(2019, 12, 1)
    with pytest.raises(
        TorchRulesError, match=r"^2017-form: filing_windows\[0\]\.closes_on: .*before"
    ) as caught:
        parse_rules(raw)
    assert "\n" not in str(caught.value)
