"""The incubation clock of a residency: whole months in, months left of the limit."""

from __future__ import annotations

import datetime

import pytest

from portfolio.choices import ExitReason
from portfolio.models import Residency

D = datetime.date


def residency(entered: datetime.date, *, exited: datetime.date | None = None, limit: int = 48) -> Residency:
    return Residency(
        entered_on=entered,
        exited_on=exited,
        exit_reason=ExitReason.HNTE_CERTIFIED if exited else "",
        limit_months=limit,
    )


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (D(2024, 3, 15), 0),  # the entry day
        (D(2024, 4, 14), 0),  # a day short of a month
        (D(2024, 4, 15), 1),  # the same day of the next month
        (D(2025, 3, 14), 11),
        (D(2025, 3, 15), 12),
        (D(2028, 3, 15), 48),
    ],
)
def test_months_in_counts_whole_months_from_the_day_of_entry(today, months):
    assert residency(D(2024, 3, 15)).months_in(today) == months


def test_months_in_is_never_negative_before_entry():
    assert residency(D(2024, 3, 15)).months_in(D(2024, 1, 1)) == 0


def test_months_left_of_a_48_month_limit():
    assert residency(D(2024, 3, 15)).months_left(D(2026, 3, 15)) == 24


def test_months_left_the_day_before_a_month_completes():
    assert residency(D(2024, 3, 15)).months_left(D(2026, 3, 14)) == 25


def test_months_left_follows_the_residencys_own_limit():
    assert residency(D(2024, 3, 15), limit=60).months_left(D(2028, 3, 15)) == 12


def test_months_left_is_negative_once_over_the_limit():
    assert residency(D(2020, 7, 1)).months_left(D(2026, 11, 22)) == 48 - 76


def test_exited_residency_counts_to_its_exit_not_today():
    stay = residency(D(2015, 1, 1), exited=D(2017, 6, 30))
    assert stay.months_in(D(2026, 11, 22)) == 29
    assert not stay.is_open


def test_exited_residency_has_no_months_left():
    assert residency(D(2015, 1, 1), exited=D(2017, 6, 30)).months_left(D(2016, 1, 1)) is None


def test_open_residency_counts_to_today_by_default():
    stay = residency(D(2000, 1, 1))
    assert stay.is_open
    assert stay.months_in() >= 12 * 25
