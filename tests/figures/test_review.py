"""Accepting a submitted answer (it becomes the firm's figures, with history) or sending it back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from figures.links import submission_from_token, submission_token
from figures.models import FiguresEmail, FiguresEmailKind, FiguresRequest, SubmissionStatus
from figures.services.founder import submission_save_draft
from figures.services.review import submission_accept, submission_return
from portfolio.choices import RecordOrigin
from portfolio.models import Firm, YearlyFigures
from tests.factories import YearlyFiguresFactory
from tests.figures.staff_factories import VALID_VALUES, YEAR, hosted, open_request, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def h():
    return hosted(firms=2)


@pytest.fixture
def submitted(h):
    """The first firm's submitted answer to a request for every field."""
    return submit(open_request(h).submissions.get(firm=h.firms[0]))


def test_accepting_writes_the_years_figures_of_the_firm(h, submitted):
    submission_accept(submission=submitted, user=h.liaison)
    figures = YearlyFigures.objects.get(firm=h.firms[0], year=YEAR)
    assert figures.revenue == Decimal("5000000")
    assert figures.employees == 40
    assert figures.net_profit == Decimal("300000")
    assert figures.reported_by == "张三 <zhang@firm.example.org>"
    assert figures.accepted_by == h.liaison
    assert figures.accepted_at is not None
    assert figures.origin == RecordOrigin.STAFF
    assert f"figures request #{submitted.request_id}" in figures.source


def test_accepting_marks_the_answer_accepted_by_the_reviewer(h, submitted):
    submission_accept(submission=submitted, user=h.manager)
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.ACCEPTED
    assert submitted.reviewed_by == h.manager and submitted.reviewed_at is not None


def test_the_history_names_the_request_who_entered_and_who_accepted(h, submitted):
    YearlyFiguresFactory(firm=h.firms[0], year=YEAR, revenue=Decimal("4000000"))
    submission_accept(submission=submitted, user=h.liaison)
    figures = YearlyFigures.objects.get(firm=h.firms[0], year=YEAR)
    latest, before = figures.history.all()[:2]
    assert latest.history_user == h.liaison
    assert f"figures request #{submitted.request_id} {YEAR}" in latest.history_change_reason
    assert "entered: 张三" in latest.history_change_reason
    assert "accepted: liaison@data.example.org" in latest.history_change_reason
    assert before.revenue == Decimal("4000000") and latest.revenue == Decimal("5000000")


def test_only_the_fields_asked_for_are_written(h):
    request = open_request(h, field_names=["revenue", "employees", "rd_staff"])
    existing = YearlyFiguresFactory(
        firm=h.firms[0], year=YEAR, revenue=Decimal("1"), employees=30, rd_expense=Decimal("777")
    )
    Firm.objects.filter(pk=h.firms[0].pk).update(registration_type="股份有限公司")
    submission = submit(request.submissions.get(firm=h.firms[0]))
    submission_accept(submission=submission, user=h.liaison)
    existing.refresh_from_db()
    assert (existing.revenue, existing.employees, existing.rd_staff) == (Decimal("5000000"), 40, 12)
    assert existing.rd_expense == Decimal("777")  # not asked: left as it was
    assert existing.net_profit is None
    assert Firm.objects.get(pk=h.firms[0].pk).registration_type == "股份有限公司"


def test_the_firms_own_facts_are_written_to_the_firm_with_history(h, submitted):
    submission_accept(submission=submitted, user=h.liaison)
    firm = Firm.objects.get(pk=h.firms[0].pk)
    assert (firm.registration_type, firm.nbs_industry_code, firm.taxpayer_type) == (
        "有限责任公司",
        "I6510",
        "general",
    )
    assert firm.serial_founder is False and firm.registered_capital == Decimal("1000000")
    record = firm.history.first()
    assert record.history_user == h.liaison
    assert f"figures request #{submitted.request_id}" in record.history_change_reason


def test_an_article_records_citation_is_kept_when_accepted_over(h, submitted):
    YearlyFiguresFactory(firm=h.firms[0], year=YEAR, origin=RecordOrigin.ARTICLE, source="001.md")
    submission_accept(submission=submitted, user=h.liaison)
    figures = YearlyFigures.objects.get(firm=h.firms[0], year=YEAR)
    assert figures.source == "001.md" and figures.accepted_by == h.liaison


def test_an_answer_that_no_longer_passes_the_form_is_refused_and_nothing_written(h, submitted):
    submitted.values = {**submitted.values, "rd_staff": "400", "revenue": "1.2万"}
    submitted.save()
    with pytest.raises(ValidationError) as caught:
        submission_accept(submission=submitted, user=h.liaison)
    assert set(caught.value.message_dict) == {"rd_staff", "revenue"}
    assert not YearlyFigures.objects.filter(firm=h.firms[0]).exists()
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED


def test_only_a_submitted_answer_can_be_accepted(h):
    waiting = open_request(h).submissions.first()
    with pytest.raises(ValidationError):
        submission_accept(submission=waiting, user=h.liaison)
    assert not YearlyFigures.objects.exists()


@pytest.mark.parametrize("who", ["counsellor", "outsider"])
def test_only_a_manager_or_liaison_of_the_incubator_may_accept(h, submitted, who):
    with pytest.raises(PermissionDenied):
        submission_accept(submission=submitted, user=getattr(h, who))
    assert not YearlyFigures.objects.exists()


@pytest.mark.parametrize("who", ["counsellor", "outsider"])
def test_only_a_manager_or_liaison_of_the_incubator_may_send_back(h, submitted, who):
    with pytest.raises(PermissionDenied):
        submission_return(submission=submitted, user=getattr(h, who), comment="请核对。")
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_sending_back_needs_a_comment(h, submitted, comment):
    with pytest.raises(ValidationError) as caught:
        submission_return(submission=submitted, user=h.liaison, comment=comment)
    assert list(caught.value.message_dict) == ["comment"]
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.SUBMITTED


def test_sending_back_stores_the_comment_and_emails_the_firm(h, submitted):
    submission_return(submission=submitted, user=h.liaison, comment="研发费用请按全年填写。")
    submitted.refresh_from_db()
    assert submitted.status == SubmissionStatus.RETURNED
    assert submitted.review_comment == "研发费用请按全年填写。"
    assert submitted.reviewed_by == h.liaison
    assert FiguresEmail.objects.filter(submission=submitted, kind=FiguresEmailKind.RETURNED).exists()


def test_sending_back_reopens_the_founders_page(h, submitted, client):
    locked = client.get(reverse("figures:founder", args=[submission_token(submitted)]))
    assert "请核对研发人员。" not in locked.content.decode()
    submission_return(submission=submitted, user=h.liaison, comment="请核对研发人员。")
    page = client.get(reverse("figures:founder", args=[submission_token(submitted)]))
    assert page.status_code == 200
    assert "请核对研发人员。" in page.content.decode() and 'name="rd_staff"' in page.content.decode()
    opened = submission_from_token(submission_token(submitted))
    assert opened == submitted
    submission_save_draft(submission=opened, values={**VALID_VALUES, "rd_staff": "10"})
    opened.refresh_from_db()
    assert opened.status == SubmissionStatus.DRAFT and opened.values["rd_staff"] == "10"


def test_a_closed_requests_answer_is_not_sent_back(h, submitted):
    FiguresRequest.objects.filter(pk=submitted.request_id).update(closed=True)
    with pytest.raises(ValidationError):
        submission_return(submission=submitted, user=h.liaison, comment="请核对。")
