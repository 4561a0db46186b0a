"""Threshold and date arithmetic at the edges."""

import datetime
from unittest import mock

import pytest

from portfolio.rules.deadlines import days_left
from portfolio.services.reminders import due_threshold, reminder_pass
from tests.portfolio.reminders.conftest import DUE  # 31 May 2025

DAYS = [90, 30, 7, 1]


@pytest.mark.parametrize(
    ("left", "expected"),
    [(91, None), (90, 90), (89, 90), (31, 90), (30, 30), (29, 30), (8, 30), (7, 7), (2, 7), (1, 1), (0, 1)],
)
def test_most_urgent_crossed_threshold(left, expected):
    assert due_threshold(DAYS, left) == expected


def test_overdue_deadline_has_no_threshold():
    assert due_threshold(DAYS, -1) is None


def test_a_zero_day_threshold_is_the_due_day_itself():
    assert due_threshold([30, 0], 0) == 0
    assert due_threshold([30, 0], 1) == 30


def test_thresholds_need_not_be_sorted():
    assert due_threshold([1, 90, 7, 30], 6) == 7


def test_days_left_to_31_may():
    assert days_left(datetime.date(2025, 5, 31), datetime.date(2025, 5, 1)) == 30
    assert days_left(datetime.date(2025, 5, 31), datetime.date(2025, 3, 2)) == 90
    assert days_left(datetime.date(2025, 5, 31), datetime.date(2025, 5, 31)) == 0


def test_days_left_across_29_february_in_a_leap_year():
    assert days_left(datetime.date(2024, 3, 1), datetime.date(2023, 12, 2)) == 90


def test_days_left_across_february_in_a_common_year():
    assert days_left(datetime.date(2025, 3, 1), datetime.date(2024, 12, 2)) == 89


def _planned_thresholds_at(utc: datetime.datetime) -> set[int]:
    with mock.patch("django.utils.timezone.now", return_value=utc):
        return {p.threshold for p in reminder_pass(dry_run=True).planned}


@pytest.mark.django_db
def test_the_day_turns_at_midnight_in_shanghai_not_utc(deadline, contacts):
    # 23:59 on 30 April in Shanghai (15:59 UTC): 31 days left, so the 90-day reminder.
    before = datetime.datetime(2025, 4, 30, 15, 59, tzinfo=datetime.UTC)
    # 00:00 on 1 May in Shanghai (16:00 UTC, still 30 April in UTC): 30 days left.
    after = datetime.datetime(2025, 4, 30, 16, 0, tzinfo=datetime.UTC)
    assert _planned_thresholds_at(before) == {90}
    assert _planned_thresholds_at(after) == {30}


@pytest.mark.django_db
def test_deadline_exactly_on_a_threshold_gets_that_threshold(deadline, contacts):
    result = reminder_pass(today=DUE - datetime.timedelta(days=7), dry_run=True)
    assert {p.threshold for p in result.planned if p.deadline_id == deadline.pk} == {7}


@pytest.mark.django_db
def test_deadline_on_a_leap_day(firm, contacts):
    from portfolio.models import Deadline
    from tests.factories import CertificationFactory, kind

    cert = CertificationFactory(firm=firm, kind=kind("medical_device"), issued_on=datetime.date(2019, 9, 1))
    cert.expires_on = datetime.date(2028, 8, 29)  # renewal filing due 6 months before: 29 Feb 2028
    cert.save()
    deadline = Deadline.objects.get(certification=cert, status="open")
    assert deadline.due_on == datetime.date(2028, 2, 29)
    result = reminder_pass(today=datetime.date(2028, 2, 28), dry_run=True)
    assert {(p.deadline_id, p.threshold, p.days_left) for p in result.planned} == {(deadline.pk, 1, 1)}
