"""Dates known only to the month or year stay imprecise in what follows from them (issue 9)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from portfolio.choices import DatePrecision, DeadlineStatus
from portfolio.models import Deadline, ReminderDelivery
from portfolio.rules.deadlines import Due, ObligationRule, dues, has_lapsed
from portfolio.services.certifications import certifications_expire_lapsed
from portfolio.services.reminders import digest_pass, reminder_pass
from tests.factories import CertificationFactory, kind

D = datetime.date
HNTE_REPORT = ObligationRule(schedule="yearly", due_month=5, due_day=31)
RE_APPLY = ObligationRule(schedule="before_expiry", months_before_expiry=0)
TODAY = D(2024, 3, 1)


# --- the rules --------------------------------------------------------------------------------


def test_year_precision_reports_are_exact_only_where_every_day_of_the_year_agrees():
    found = dues(
        HNTE_REPORT,
        issued_on=D(2023, 1, 1),
        issued_precision="year",
        expires_on=D(2026, 1, 1),
        expires_precision="year",
        today=TODAY,
    )
    assert found == [
        Due(D(2023, 5, 31), "year"),  # only if issued before 31 May 2023
        Due(D(2024, 5, 31)),
        Due(D(2025, 5, 31)),
        Due(D(2026, 5, 31), "year"),  # only if it expires after 31 May 2026
    ]


def test_re_application_from_a_year_precision_expiry_is_not_an_exact_day():
    found = dues(RE_APPLY, issued_on=D(2023, 1, 1), issued_precision="year", expires_on=D(2026, 1, 1),
                 expires_precision="year", today=TODAY)  # fmt: skip
    assert found == [Due(D(2026, 1, 1), "year")]


def test_exact_dates_are_unchanged():
    found = dues(HNTE_REPORT, issued_on=D(2023, 12, 1), expires_on=D(2026, 11, 30), today=TODAY)
    assert found == [Due(D(2024, 5, 31)), Due(D(2025, 5, 31)), Due(D(2026, 5, 31))]


def test_a_year_precision_expiry_lapses_only_after_the_year():
    assert not has_lapsed(D(2026, 1, 1), "year", D(2026, 12, 31))
    assert has_lapsed(D(2026, 1, 1), "year", D(2027, 1, 1))
    assert not has_lapsed(D(2026, 3, 1), "month", D(2026, 3, 31))
    assert has_lapsed(D(2026, 3, 1), "month", D(2026, 4, 1))


# --- certificates and deadlines ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_certificate_issued_in_2023_expires_in_2026_not_on_a_made_up_day():
    cert = CertificationFactory(issued_on=D(2023, 1, 1), issued_precision=DatePrecision.YEAR)
    assert (cert.expires_on, cert.expires_precision) == (D(2026, 1, 1), DatePrecision.YEAR)
    deadlines = {(d.obligation.code, d.due_on): d.due_precision for d in cert.deadlines.all()}
    assert deadlines == {
        ("annual-report", D(2023, 5, 31)): "year",
        ("annual-report", D(2024, 5, 31)): "day",
        ("annual-report", D(2025, 5, 31)): "day",
        ("annual-report", D(2026, 5, 31)): "year",
        ("recertification", D(2026, 1, 1)): "year",
    }


@pytest.mark.django_db
def test_completing_the_date_makes_the_deadlines_exact():
    cert = CertificationFactory(issued_on=D(2023, 1, 1), issued_precision=DatePrecision.YEAR)
    cert.issued_on, cert.issued_precision = D(2023, 11, 15), DatePrecision.DAY
    cert.save()  # the expiry "2026" was worked out from "2023": it follows the completed date
    assert (cert.expires_on, cert.expires_precision) == (D(2026, 11, 14), DatePrecision.DAY)
    open_ = cert.deadlines.filter(status=DeadlineStatus.OPEN)
    assert set(open_.values_list("due_precision", flat=True)) == {"day"}
    assert sorted(open_.values_list("due_on", flat=True)) == [
        D(2024, 5, 31),
        D(2025, 5, 31),
        D(2026, 5, 31),
        D(2026, 11, 14),
    ]


@pytest.mark.django_db
def test_a_granted_certificate_with_a_year_precision_expiry_is_not_expired_within_that_year():
    cert = CertificationFactory(issued_on=D(2023, 1, 1), issued_precision=DatePrecision.YEAR)
    assert certifications_expire_lapsed(today=D(2026, 6, 1)) == 0
    assert certifications_expire_lapsed(today=D(2027, 1, 1)) == 1
    cert.refresh_from_db()
    assert cert.status == "expired"


# --- reminders, digest, admin -----------------------------------------------------------------


@pytest.fixture
def approximate_deadline(firm, contacts):
    cert = CertificationFactory(firm=firm, issued_on=D(2023, 1, 1), issued_precision=DatePrecision.YEAR)
    return cert.deadlines.get(obligation__code="recertification")


@pytest.mark.django_db
def test_approximate_deadlines_are_not_mailed_as_exact(approximate_deadline):
    result = reminder_pass(today=approximate_deadline.due_on - datetime.timedelta(days=7), enqueue=False)
    assert not ReminderDelivery.objects.filter(deadline=approximate_deadline).exists()
    assert result.attempted == 0 or all(p.deadline_id != approximate_deadline.pk for p in result.planned)


@pytest.mark.django_db
def test_the_digest_asks_staff_to_complete_approximate_dates(approximate_deadline, liaison, monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *a, **k: approximate_deadline.due_on - datetime.timedelta(7)
    )
    digest_pass(enqueue=False)
    [message] = mail.outbox
    assert "≈ " in message.body
    assert message.to == [liaison.email]


@pytest.mark.django_db
def test_admin_lists_mark_approximate_deadlines_and_filter_dates_to_complete(
    admin_client, approximate_deadline
):
    exact = CertificationFactory(issued_on=D(2024, 12, 1))
    page = admin_client.get(reverse("admin:portfolio_deadline_changelist")).content.decode()
    assert "deadline-approximate" in page
    to_complete = admin_client.get(
        reverse("admin:portfolio_deadline_changelist"), {"date_to_complete": "yes"}
    )
    shown = {d.certification_id for d in to_complete.context["cl"].result_list}
    assert shown == {approximate_deadline.certification_id}
    certs = admin_client.get(reverse("admin:portfolio_certification_changelist"), {"date_to_complete": "yes"})
    assert [c.pk for c in certs.context["cl"].result_list] == [approximate_deadline.certification_id]
    assert exact.pk not in [c.pk for c in certs.context["cl"].result_list]
    assert "date-approximate" in certs.content.decode()


@pytest.mark.django_db
def test_upcoming_page_marks_approximate_deadlines(admin_client, approximate_deadline, monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda *a, **k: approximate_deadline.due_on - datetime.timedelta(10),
    )
    page = admin_client.get(reverse("admin:portfolio_deadline_upcoming")).content.decode()
    assert "approximate, please complete the date" in page


@pytest.mark.django_db
def test_deadline_precision_is_stored():
    cert = CertificationFactory(issued_on=D(2023, 3, 1), issued_precision=DatePrecision.MONTH)
    assert Deadline.objects.filter(certification=cert).exclude(due_precision="day").exists()
    assert kind("hnte").validity_months == 36
