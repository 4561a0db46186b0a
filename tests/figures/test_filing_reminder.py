"""The managers' reminder that the Torch return's filing window closes (figures/rules/torch.yaml)."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from accounts.models import Language, StaffRole
from figures.emails import torch_filing_reminder_pass
from figures.models import TorchFilingEmail
from figures.tasks import deliver_torch_filing_emails
from portfolio.models import DeliveryStatus
from tests.factories import IncubatorFactory
from tests.figures.email_factories import staff

pytestmark = pytest.mark.django_db

# Report year 2024: published window 1 Jan - 15 Feb 2025 (torch.yaml, Guangdong notice).
CLOSES_2024 = datetime.date(2025, 2, 15)
# Report year 2025: no notice in the data, the expected window 1 - 31 Jan 2026.
CLOSES_2025 = datetime.date(2026, 1, 31)


@pytest.fixture
def today(monkeypatch):
    def set_day(day):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
        return day

    return set_day


@pytest.fixture
def incubator():
    return IncubatorFactory(name="青岛海创孵化器", name_en="Haichuang Incubator")


@pytest.fixture
def managers(incubator):
    return [
        staff(incubator, "boss@incubator.example.org", role=StaffRole.MANAGER, language=Language.ENGLISH),
        staff(incubator, "zhuren@incubator.example.org", role=StaffRole.MANAGER),
    ]


def _rows():
    return sorted(
        TorchFilingEmail.objects.values_list("report_year", "threshold", "email", "published", "status")
    )


def test_each_manager_is_reminded_thirty_days_before_the_window_closes(managers, incubator, today):
    staff(incubator, "liaison@incubator.example.org")  # a liaison: not reminded
    torch_filing_reminder_pass(today=today(CLOSES_2024 - datetime.timedelta(days=30)), enqueue=False)
    assert _rows() == [
        (2024, 30, "boss@incubator.example.org", True, "sent"),
        (2024, 30, "zhuren@incubator.example.org", True, "sent"),
    ]


def test_nothing_before_the_first_threshold(managers, today):
    torch_filing_reminder_pass(today=today(CLOSES_2024 - datetime.timedelta(days=31)), enqueue=False)
    assert _rows() == []


def test_each_threshold_once_per_incubator_year_and_address(managers, today):
    for days_before in (30, 29, 7, 7, 1, 0):
        torch_filing_reminder_pass(
            today=today(CLOSES_2024 - datetime.timedelta(days=days_before)), enqueue=False
        )
    assert sorted({(year, threshold) for year, threshold, *_ in _rows()}) == [
        (2024, 1),
        (2024, 7),
        (2024, 30),
    ]
    assert len(mail.outbox) == 6


def test_after_the_window_closed_nothing_is_recorded(managers, today):
    torch_filing_reminder_pass(today=today(CLOSES_2024 + datetime.timedelta(days=1)), enqueue=False)
    assert _rows() == []


def test_a_manager_who_opted_out_is_not_reminded(managers, incubator, today):
    incubator.memberships.filter(user=managers[1]).update(receives_reminders=False)
    torch_filing_reminder_pass(today=today(CLOSES_2024 - datetime.timedelta(days=7)), enqueue=False)
    assert [email for _, _, email, _, _ in _rows()] == ["boss@incubator.example.org"]


def test_the_reminder_of_a_published_window_gives_its_dates_and_source(managers, today):
    torch_filing_reminder_pass(today=today(CLOSES_2024 - datetime.timedelta(days=7)), enqueue=False)
    english = next(m for m in mail.outbox if m.to == ["boss@incubator.example.org"])
    assert english.subject == "Torch return for 2024: the filing window closes in 7 days"
    assert "Feb. 15, 2025" in english.body
    assert "Guangdong" in english.body  # the source the data names
    assert "expected" not in english.body
    chinese = next(m for m in mail.outbox if m.to == ["zhuren@incubator.example.org"])
    assert chinese.extra_headers["Content-Language"] == "zh-hans"
    assert "2025年2月15日" in chinese.body


def test_an_expected_window_is_called_expected(managers, today):
    torch_filing_reminder_pass(today=today(CLOSES_2025 - datetime.timedelta(days=30)), enqueue=False)
    assert {(year, published) for year, _, _, published, _ in _rows()} == {(2025, False)}
    english = next(m for m in mail.outbox if m.to == ["boss@incubator.example.org"])
    assert english.subject == "Torch return for 2025: the expected filing window closes in 30 days"
    assert "These dates are expected, not published" in english.body
    assert "Jan. 31, 2026" in english.body


def test_a_reminder_that_could_not_go_out_before_the_window_closed_is_cancelled(managers):
    torch_filing_reminder_pass(today=CLOSES_2024 - datetime.timedelta(days=1))  # handed over, not sent
    # Two days go by before a worker takes it (the send day is the pass's day plus the days since).
    TorchFilingEmail.objects.update(created_at=F("created_at") - datetime.timedelta(days=2))
    deliver_torch_filing_emails(list(TorchFilingEmail.objects.values_list("pk", flat=True)))
    assert {status for *_, status in _rows()} == {DeliveryStatus.CANCELLED}
    assert mail.outbox == []


def _queries(incubators: int, day) -> int:
    for _ in range(incubators):
        incubator = IncubatorFactory()
        staff(incubator, f"manager@i{incubator.pk}.example.org", role=StaffRole.MANAGER)
    with CaptureQueriesContext(connection) as queries:
        torch_filing_reminder_pass(today=day)
    return len(queries)


def test_the_pass_reads_a_constant_number_of_queries(today):
    day = today(CLOSES_2024 - datetime.timedelta(days=30))
    one = _queries(1, day)
    assert _queries(5, day) == one == 9
