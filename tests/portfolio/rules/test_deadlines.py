"""Deadline dates from a certificate and an obligation rule: month ends, leap years, the edges of
the validity period, published windows and certificates that do not expire."""

from __future__ import annotations

import datetime

import pytest

from portfolio.rules.deadlines import ObligationRule, add_months, due_dates, expiry_from_validity, yearly_date

D = datetime.date
HNTE_REPORT = ObligationRule(schedule="yearly", due_month=5, due_day=31)
LEAP_DAY = ObligationRule(schedule="yearly", due_month=2, due_day=29)
TODAY = D(2025, 3, 15)


def before_expiry(months: int) -> ObligationRule:
    return ObligationRule(schedule="before_expiry", months_before_expiry=months)


# --- add_months and yearly_date ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 8, 31), -6, D(2024, 2, 29)),  # into a leap February
        (D(2023, 8, 31), -6, D(2023, 2, 28)),  # into a common February
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day, a year on
        (D(2024, 2, 29), 48, D(2028, 2, 29)),  # leap day, four years on
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2024, 5, 31), 1, D(2024, 6, 30)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),  # across a year end
        (D(2025, 1, 15), -1, D(2024, 12, 15)),
        (D(2025, 5, 31), 0, D(2025, 5, 31)),
    ],
)
def test_add_months_clamps_to_the_months_end(start, months, expected):
    assert add_months(start, months) == expected


def test_yearly_29_february_falls_on_28_february_in_a_common_year():
    assert yearly_date(2025, 2, 29) == D(2025, 2, 28)
    assert yearly_date(2024, 2, 29) == D(2024, 2, 29)


def test_yearly_leap_day_obligation_over_common_and_leap_years():
    dates = due_dates(LEAP_DAY, issued_on=D(2023, 1, 1), expires_on=D(2025, 12, 31), today=TODAY)
    assert dates == [D(2023, 2, 28), D(2024, 2, 29), D(2025, 2, 28)]


# --- yearly: the 31 May report and the edges of the validity period --------------------------


def test_hnte_reports_fall_on_31_may_of_each_validity_year():
    dates = due_dates(HNTE_REPORT, issued_on=D(2023, 12, 1), expires_on=D(2026, 11, 30), today=TODAY)
    assert dates == [D(2024, 5, 31), D(2025, 5, 31), D(2026, 5, 31)]


def test_a_due_date_on_the_issue_date_is_excluded():
    dates = due_dates(HNTE_REPORT, issued_on=D(2023, 5, 31), expires_on=D(2025, 12, 31), today=TODAY)
    assert dates[0] == D(2024, 5, 31)


def test_a_due_date_the_day_after_issue_is_included():
    dates = due_dates(HNTE_REPORT, issued_on=D(2023, 5, 30), expires_on=D(2024, 1, 1), today=TODAY)
    assert dates == [D(2023, 5, 31)]


def test_a_due_date_on_the_expiry_date_is_included():
    dates = due_dates(HNTE_REPORT, issued_on=D(2023, 6, 1), expires_on=D(2026, 5, 31), today=TODAY)
    assert dates[-1] == D(2026, 5, 31)


def test_a_due_date_the_day_after_expiry_is_excluded():
    dates = due_dates(HNTE_REPORT, issued_on=D(2023, 6, 1), expires_on=D(2026, 5, 30), today=TODAY)
    assert dates[-1] == D(2025, 5, 31)


def test_yearly_needs_an_issue_date():
    assert due_dates(HNTE_REPORT, issued_on=None, expires_on=D(2026, 5, 31), today=TODAY) == []


# --- published windows -------------------------------------------------------------------


def test_a_published_window_overrides_that_year_only():
    rule = ObligationRule(schedule="yearly", due_month=9, due_day=30)
    dates = due_dates(
        rule,
        issued_on=D(2024, 1, 1),
        expires_on=D(2026, 12, 31),
        today=TODAY,
        windows={2025: D(2025, 10, 15)},
    )
    assert dates == [D(2024, 9, 30), D(2025, 10, 15), D(2026, 9, 30)]


def test_a_window_outside_the_validity_period_is_dropped():
    rule = ObligationRule(schedule="yearly", due_month=9, due_day=30)
    dates = due_dates(
        rule,
        issued_on=D(2024, 1, 1),
        expires_on=D(2025, 12, 31),
        today=TODAY,
        windows={2024: D(2023, 12, 31)},
    )
    assert dates == [D(2025, 9, 30)]


# --- before expiry -----------------------------------------------------------------------


def test_zero_months_before_expiry_is_the_expiry_date():
    assert due_dates(before_expiry(0), issued_on=D(2023, 12, 1), expires_on=D(2026, 11, 30), today=TODAY) == [
        D(2026, 11, 30)
    ]


def test_six_months_before_expiry():
    assert due_dates(before_expiry(6), issued_on=D(2021, 6, 1), expires_on=D(2026, 5, 31), today=TODAY) == [
        D(2025, 11, 30)
    ]


def test_six_months_before_an_august_expiry_lands_on_the_end_of_february():
    assert due_dates(before_expiry(6), issued_on=None, expires_on=D(2028, 8, 31), today=TODAY) == [
        D(2028, 2, 29)
    ]


def test_before_expiry_without_an_expiry_has_no_date():
    assert due_dates(before_expiry(6), issued_on=D(2024, 1, 1), expires_on=None, today=TODAY) == []


# --- no expiry: dates roll to a year ahead of today ---------------------------------------


def test_without_expiry_dates_run_to_a_year_ahead_of_today():
    dates = due_dates(HNTE_REPORT, issued_on=D(2023, 1, 1), expires_on=None, today=D(2025, 3, 15))
    assert dates == [D(2023, 5, 31), D(2024, 5, 31), D(2025, 5, 31)]


def test_without_expiry_next_years_date_appears_once_within_a_year_of_today():
    dates = due_dates(HNTE_REPORT, issued_on=D(2023, 1, 1), expires_on=None, today=D(2025, 5, 31))
    assert dates[-1] == D(2026, 5, 31)


def test_unknown_schedule_is_an_error():
    with pytest.raises(ValueError, match="unknown obligation schedule"):
        due_dates(ObligationRule(schedule="monthly"), issued_on=D(2024, 1, 1), expires_on=None, today=TODAY)


# --- expiry from validity ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "months", "expected"),
    [
        (D(2023, 12, 1), 36, D(2026, 11, 30)),  # HNTE: three years, through the day before
        (D(2024, 1, 1), 12, D(2024, 12, 31)),  # TSME registration for the calendar year
        (D(2021, 6, 1), 60, D(2026, 5, 31)),  # medical device registration: five years
        (D(2024, 3, 1), 12, D(2025, 2, 28)),  # ends before a common-year 29 February
        (D(2023, 3, 1), 12, D(2024, 2, 29)),  # ends on a leap day
    ],
)
def test_expiry_from_validity(issued, months, expected):
    assert expiry_from_validity(issued, months) == expected
