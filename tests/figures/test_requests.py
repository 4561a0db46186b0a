"""Opening a figures request, adding firms, moving the due date, re-issuing and revoking links."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from figures.fields import ALL_FIELDS
from figures.links import submission_from_token, submission_token
from figures.models import FiguresEmail, FiguresEmailKind, FiguresRequest, FiguresSubmission
from figures.selectors import figures_residents
from figures.services.requests import (
    figures_request_add_firms,
    figures_request_update,
    link_expiry,
    submission_link_reissue,
    submission_link_revoke,
)
from tests.factories import ContactFactory
from tests.figures.staff_factories import YEAR, hosted, open_request, resident_firm, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def h():
    return hosted(firms=3)


def _invitations(submission: FiguresSubmission) -> list[FiguresEmail]:
    return list(FiguresEmail.objects.filter(submission=submission, kind=FiguresEmailKind.INVITATION))


def test_opening_a_request_creates_one_submission_per_firm(h):
    request = open_request(h)
    submissions = list(request.submissions.order_by("firm__name"))
    assert [s.firm for s in submissions] == h.firms
    assert {s.status for s in submissions} == {"not_started"}
    assert request.created_by == h.liaison
    assert request.fields == []  # every field checked: stored as "all"


def test_each_link_lives_until_the_due_date_plus_the_grace_period(h):
    due = timezone.localdate() + datetime.timedelta(days=20)
    request = open_request(h, due_on=due)
    submission = request.submissions.first()
    last_day = timezone.localtime(submission.link_expires_at - datetime.timedelta(microseconds=1)).date()
    assert last_day == due + datetime.timedelta(days=settings.FIGURES_LINK_GRACE_DAYS)
    assert submission_from_token(submission_token(submission)) == submission


def test_opening_records_an_invitation_to_each_contact_of_each_firm(h):
    ContactFactory(firm=h.firms[0])  # a second contact
    request = open_request(h)
    first = request.submissions.get(firm=h.firms[0])
    assert len(_invitations(first)) == 2
    for submission in request.submissions.exclude(pk=first.pk):
        assert len(_invitations(submission)) == 1


def test_a_subset_of_fields_is_kept_in_catalogue_order(h):
    request = open_request(h, field_names=["employees", "revenue", "rd_expense"])
    assert request.fields == [name for name in ALL_FIELDS if name in {"employees", "revenue", "rd_expense"}]


def test_a_subset_of_firms_gets_submissions_only_for_them(h):
    request = open_request(h, firm_ids=[h.firms[1].pk])
    assert list(request.submissions.values_list("firm_id", flat=True)) == [h.firms[1].pk]


def _refused(h, **overrides) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        open_request(h, **overrides)
    assert not FiguresRequest.objects.exists()
    assert not FiguresSubmission.objects.exists()
    assert not FiguresEmail.objects.exists()
    return caught.value.message_dict


def test_a_due_date_in_the_past_is_refused_and_nothing_saved(h):
    errors = _refused(h, due_on=timezone.localdate() - datetime.timedelta(days=1))
    assert errors == {"due_on": ["The due date cannot be in the past."]}


def test_a_due_date_beyond_the_links_life_is_refused(h):
    too_far = timezone.localdate() + datetime.timedelta(days=settings.FIGURES_LINK_MAX_AGE_DAYS)
    assert "at most" in _refused(h, due_on=too_far)["due_on"][0]


def test_a_firm_of_another_incubator_is_refused(h):
    errors = _refused(h, firm_ids=[h.firms[0].pk, h.outsider_firm.pk])
    assert errors == {"firm_ids": ["Only firms hosted by this incubator can be asked (1 are not)."]}


def test_no_firm_is_refused(h):
    assert _refused(h, firm_ids=[]) == {"firm_ids": ["Choose at least one firm."]}


def test_an_unknown_field_is_refused(h):
    errors = _refused(h, field_names=["revenue", "shoe_size"])
    assert errors == {"field_names": ["Unknown fields: shoe_size."]}


def test_every_bad_input_is_named_on_its_own_field_at_once(h):
    errors = _refused(
        h,
        year=timezone.localdate().year + 1,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        field_names=[],
        firm_ids=[h.outsider_firm.pk],
    )
    assert set(errors) == {"year", "due_on", "field_names", "firm_ids"}


def test_a_second_request_for_the_same_year_gives_the_constraints_message(h):
    open_request(h)
    with pytest.raises(ValidationError) as caught:
        open_request(h, firm_ids=[h.firms[0].pk])
    assert caught.value.message_dict == {
        "year": ["This incubator already has a figures request for this year."]
    }
    assert FiguresRequest.objects.count() == 1


def test_a_counsellor_cannot_open_a_request(h):
    with pytest.raises(PermissionDenied):
        open_request(h, created_by=h.counsellor)
    assert not FiguresRequest.objects.exists()


def test_staff_of_another_incubator_cannot_open_a_request_for_it(h):
    with pytest.raises(PermissionDenied):
        open_request(h, created_by=h.outsider)


def test_the_default_firms_are_those_in_residence_during_the_year(h):
    left_before = resident_firm(
        h.incubator,
        "青岛早退科技有限公司",
        entered_on=datetime.date(2023, 1, 1),
        exited_on=datetime.date(2024, 12, 31),
        exit_reason="other",
    )
    came_after = resident_firm(h.incubator, "青岛后来科技有限公司", entered_on=datetime.date(YEAR + 1, 1, 2))
    left_during = resident_firm(
        h.incubator,
        "青岛年中离开科技有限公司",
        entered_on=datetime.date(2023, 1, 1),
        exited_on=datetime.date(YEAR, 6, 30),
        exit_reason="other",
    )
    residents = list(figures_residents(incubator=h.incubator, year=YEAR))
    assert left_during in residents
    assert set(h.firms) < set(residents)
    assert left_before not in residents and came_after not in residents
    assert h.outsider_firm not in residents


def test_adding_firms_later_creates_their_submissions_and_invitations(h):
    request = open_request(h, firm_ids=[h.firms[0].pk])
    added = figures_request_add_firms(
        request=request, firm_ids=[h.firms[1].pk, h.firms[2].pk], user=h.liaison
    )
    assert {s.firm for s in added} == {h.firms[1], h.firms[2]}
    assert all(len(_invitations(s)) == 1 for s in added)
    assert request.submissions.count() == 3


def test_adding_a_firm_already_asked_is_refused(h):
    request = open_request(h, firm_ids=[h.firms[0].pk])
    with pytest.raises(ValidationError) as caught:
        figures_request_add_firms(request=request, firm_ids=[h.firms[0].pk, h.firms[1].pk], user=h.liaison)
    assert caught.value.message_dict == {"firm_ids": ["This firm is already part of this request."]}
    assert request.submissions.count() == 1


def test_a_closed_request_takes_no_more_firms(h):
    request = open_request(h, firm_ids=[h.firms[0].pk])
    FiguresRequest.objects.filter(pk=request.pk).update(closed=True)
    with pytest.raises(ValidationError):
        figures_request_add_firms(request=request, firm_ids=[h.firms[1].pk], user=h.liaison)


def test_a_new_due_date_moves_the_expiry_of_the_open_links(h):
    request = open_request(h)
    accepted, revoked, waiting = request.submissions.order_by("firm__name")
    submit(accepted)
    accepted.status = "accepted"
    accepted.save()
    submission_link_revoke(submission=revoked, user=h.liaison)
    before = {s.pk: s.link_expires_at for s in request.submissions.all()}
    later = request.due_on + datetime.timedelta(days=10)
    figures_request_update(request=request, due_on=later, message="", closed=False, user=h.liaison)
    after = {s.pk: s.link_expires_at for s in request.submissions.all()}
    assert after[waiting.pk] == link_expiry(later)
    assert after[accepted.pk] == before[accepted.pk]
    assert after[revoked.pk] == before[revoked.pk]


def test_reissuing_a_link_kills_the_old_one_and_sends_a_new_invitation(h):
    submission = open_request(h).submissions.first()
    old_token = submission_token(submission)
    reissued = submission_link_reissue(submission=submission, user=h.liaison)
    assert reissued.link_version == submission.link_version + 1
    assert submission_from_token(old_token) is None
    assert submission_from_token(submission_token(reissued)) == reissued
    assert len(_invitations(submission)) == 2
    assert reissued.history.first().history_user == h.liaison


def test_reissuing_a_revoked_link_opens_the_page_again(h):
    submission = open_request(h).submissions.first()
    revoked = submission_link_revoke(submission=submission, user=h.liaison)
    assert submission_from_token(submission_token(revoked)) is None
    reissued = submission_link_reissue(submission=revoked, user=h.liaison)
    assert not reissued.link_revoked
    assert submission_from_token(submission_token(reissued)) == reissued


def test_revoking_a_link_kills_it_at_once(h):
    submission = open_request(h).submissions.first()
    token = submission_token(submission)
    submission_link_revoke(submission=submission, user=h.manager)
    assert submission_from_token(token) is None


def test_an_accepted_answers_link_is_not_reissued(h):
    submission = submit(open_request(h).submissions.first())
    FiguresSubmission.objects.filter(pk=submission.pk).update(status="accepted")
    with pytest.raises(ValidationError):
        submission_link_reissue(submission=submission, user=h.liaison)


def test_a_counsellor_cannot_reissue_or_revoke(h):
    submission = open_request(h).submissions.first()
    for service in (submission_link_reissue, submission_link_revoke):
        with pytest.raises(PermissionDenied):
            service(submission=submission, user=h.counsellor)
    submission.refresh_from_db()
    assert submission.link_version == 1 and not submission.link_revoked
