import datetime

import pytest

from ladder.engine.dates import add_months, whole_months
from ladder.engine.incubation import evaluate_clock, evaluate_entry
from ladder.engine.inputs import ClockInputs, EntryInputs

ON = datetime.date(2025, 6, 1)
d = datetime.date


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (d(2024, 1, 31), 1, d(2024, 2, 29)),
        (d(2023, 1, 31), 1, d(2023, 2, 28)),
        (d(2024, 2, 29), 12, d(2025, 2, 28)),
        (d(2024, 12, 15), 1, d(2025, 1, 15)),
        (d(2024, 3, 31), -1, d(2024, 2, 29)),
    ],
)
def test_add_months_clamps_to_the_month_end(start, months, end):
    assert add_months(start, months) == end


def test_whole_months():
    assert whole_months(d(2024, 1, 31), d(2024, 2, 29)) == 1
    assert whole_months(d(2024, 1, 31), d(2024, 2, 28)) == 0
    assert whole_months(d(2024, 3, 1), d(2024, 2, 29)) == -1


@pytest.mark.parametrize(
    ("founded", "entered", "met"),
    [
        (d(2022, 8, 31), d(2024, 8, 31), True),
        (d(2022, 8, 31), d(2024, 9, 1), False),
        (d(2022, 2, 28), d(2024, 2, 28), True),
        (d(2022, 2, 28), d(2024, 2, 29), False),
        (d(2022, 6, 1), d(2024, 5, 31), True),
    ],
)
def test_entry_at_exactly_24_months_passes_a_day_more_fails(incubation_rules, founded, entered, met):
    result = evaluate_entry(EntryInputs(founded_on=founded, entered_on=entered), ON, incubation_rules)
    assert result.criteria["entry_age"].met is met and result.eligible is met
    if not met:
        assert result.criteria["entry_age"].gap == 1


def test_entry_unknown_founding_date(incubation_rules):
    result = evaluate_entry(EntryInputs(founded_on=None, entered_on=ON), ON, incubation_rules)
    assert result.criteria["entry_age"].met is None and not result.eligible


@pytest.mark.parametrize(
    ("on", "over", "months_left"),
    [
        (d(2025, 1, 15), False, 0),
        (d(2025, 1, 16), True, -1),
        (d(2024, 12, 14), False, 1),
        (d(2021, 1, 15), False, 48),
    ],
)
def test_clock_at_exactly_48_months_and_one_day_after(incubation_rules, on, over, months_left):
    result = evaluate_clock(ClockInputs(entered_on=d(2021, 1, 15)), on, incubation_rules)
    assert result.extra["over_limit"] is over and result.extra["months_left"] == months_left
    assert result.extra["ends_on"] == d(2025, 1, 15)
    assert result.eligible is not over


def test_extended_fields_get_60_months_and_are_unverified(incubation_rules):
    result = evaluate_clock(
        ClockInputs(entered_on=d(2021, 1, 15), extended_field=True), d(2026, 1, 15), incubation_rules
    )
    assert result.extra["ends_on"] == d(2026, 1, 15) and not result.extra["over_limit"]
    assert result.criteria["within_limit"].unverified


def test_the_extended_field_list_is_data(incubation_rules):
    inputs = ClockInputs(entered_on=d(2021, 1, 15), industry_field="biomedicine")
    assert evaluate_clock(inputs, ON, incubation_rules).extra["ends_on"] == d(2026, 1, 15)
    inputs = ClockInputs(entered_on=d(2021, 1, 15), industry_field="software")
    assert evaluate_clock(inputs, ON, incubation_rules).extra["ends_on"] == d(2025, 1, 15)
