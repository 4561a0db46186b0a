"""The staff pages of figures requests: opening one, its progress, the answers, the review page,
the link actions; who may see and do what; query counts that do not grow with the firms."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from figures.fields import ALL_FIELDS
from figures.links import submission_from_token, submission_token
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from figures.services.review import submission_accept
from portfolio.models import YearlyFigures
from tests.factories import YearlyFiguresFactory
from tests.figures.staff_factories import (
    YEAR,
    client_for,
    hosted,
    open_request,
    resident_firm,
    submit,
)

pytestmark = pytest.mark.django_db

ADD = "admin:figures_figuresrequest_add"
LIST = "admin:figures_figuresrequest_changelist"
ANSWERS = "admin:figures_figuressubmission_changelist"


def change_url(request: FiguresRequest) -> str:
    return reverse("admin:figures_figuresrequest_change", args=[request.pk])


def review_url(submission: FiguresSubmission) -> str:
    return reverse("admin:figures_figuressubmission_review", args=[submission.pk])


def link_url(submission: FiguresSubmission, action: str) -> str:
    return reverse("admin:figures_figuressubmission_link", args=[submission.pk, action])


@pytest.fixture
def h():
    return hosted(firms=3)


@pytest.fixture
def liaison(h):
    return client_for(h.liaison)


@pytest.fixture
def request_with_answers(h):
    """One answer accepted, one submitted, one not started."""
    request = open_request(h)
    accepted, submitted, _waiting = request.submissions.order_by("firm__name")
    submission_accept(submission=submit(accepted), user=h.liaison)
    submit(submitted)
    return request


# --- opening a request ----------------------------------------------------------------------


def _open_form(h, **overrides) -> dict:
    data = {
        "incubator": h.incubator.pk,
        "year": YEAR,
        "due_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "field_names": list(ALL_FIELDS),
        "firm_scope": "residents",
        "firms": [],
        "message": "请填报 2025 年数据。",
    }
    return {**data, **overrides}


def test_the_add_page_offers_the_users_incubators_grouped_fields_and_firms(h, liaison):
    response = liaison.get(reverse(ADD))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["incubator"].queryset) == [h.incubator]
    assert form.fields["incubator"].initial == h.incubator
    assert set(form.fields["firms"].queryset) == set(h.firms)
    assert form.fields["field_names"].initial == list(ALL_FIELDS)
    assert sorted(form.fields["firms"].initial) == sorted(f.pk for f in h.firms)
    html = response.content.decode()
    assert "Income and costs of the year" in html and "About the firm" in html


def test_the_add_page_speaks_chinese_by_default(h):
    response = client_for(h.liaison, language="zh-hans").get(reverse(ADD))
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_opening_a_request_from_the_add_page(h, liaison):
    response = liaison.post(reverse(ADD), _open_form(h))
    request = FiguresRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(request)
    assert request.submissions.count() == 3
    assert request.message == "请填报 2025 年数据。" and request.created_by == h.liaison


def test_only_the_firms_checked_are_asked_when_so_chosen(h, liaison):
    liaison.post(reverse(ADD), _open_form(h, firm_scope="chosen", firms=[h.firms[0].pk, h.firms[2].pk]))
    request = FiguresRequest.objects.get()
    assert set(request.submissions.values_list("firm_id", flat=True)) == {h.firms[0].pk, h.firms[2].pk}


def test_bad_input_on_the_add_page_shows_each_error_on_its_field_and_saves_nothing(h, liaison):
    response = liaison.post(
        reverse(ADD),
        _open_form(
            h,
            due_on=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            field_names=[],
            firm_scope="chosen",
            firms=[],
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"field_names"}  # the form's own check comes first
    response = liaison.post(
        reverse(ADD),
        _open_form(
            h,
            due_on=(timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            firm_scope="chosen",
            firms=[],
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["due_on"] == ["The due date cannot be in the past."]
    assert errors["firms"] == ["Choose at least one firm."]
    assert not FiguresRequest.objects.exists() and not FiguresSubmission.objects.exists()


def test_a_second_request_for_the_year_shows_the_constraints_message(h, liaison):
    open_request(h)
    response = liaison.post(reverse(ADD), _open_form(h))
    assert response.status_code == 400
    assert response.context["form"].errors["year"] == [
        "This incubator already has a figures request for this year."
    ]


def test_another_incubators_firm_cannot_be_posted(h, liaison):
    response = liaison.post(reverse(ADD), _open_form(h, firm_scope="chosen", firms=[h.outsider_firm.pk]))
    assert response.status_code == 400
    assert "firms" in response.context["form"].errors
    assert not FiguresRequest.objects.exists()


def test_another_incubator_cannot_be_posted(h, liaison):
    response = liaison.post(reverse(ADD), _open_form(h, incubator=h.other_incubator.pk))
    assert response.status_code == 400
    assert "incubator" in response.context["form"].errors
    assert not FiguresRequest.objects.exists()


def test_a_counsellor_may_not_open_a_request(h):
    counsellor = client_for(h.counsellor)
    assert counsellor.get(reverse(ADD)).status_code == 403
    assert counsellor.post(reverse(ADD), _open_form(h)).status_code == 403
    assert not FiguresRequest.objects.exists()


# --- the progress page ----------------------------------------------------------------------


def test_the_progress_page_counts_each_status_and_draws_the_bar(h, liaison, request_with_answers):
    response = liaison.get(change_url(request_with_answers))
    assert response.status_code == 200
    progress = response.context["progress"]
    assert (progress.accepted, progress.submitted, progress.not_started, progress.missing) == (1, 1, 1, 1)
    html = response.content.decode()
    assert re.search(r'class="figures-seg-accepted" style="width: 33\.3%"', html)
    assert re.search(r'class="figures-seg-submitted" style="width: 33\.3%"', html)
    assert '<span class="figures-seg-returned"' not in html  # no answer sent back: no segment
    assert "2 of 3 firms have submitted" in html


def test_each_count_links_to_the_filtered_answers(h, liaison, request_with_answers):
    response = liaison.get(change_url(request_with_answers))
    counts = {c["key"]: c for c in response.context["counts"]}
    answers = liaison.get(counts["missing"]["url"])
    assert [s.firm for s in answers.context["cl"].result_list] == [h.firms[2]]
    answers = liaison.get(counts["submitted"]["url"])
    assert [s.firm for s in answers.context["cl"].result_list] == [h.firms[1]]


def test_the_request_list_shows_the_progress_column(h, liaison, request_with_answers):
    response = liaison.get(reverse(LIST))
    html = response.content.decode()
    assert "figures-bar compact" in html
    assert "2 of 3 firms submitted" in html
    assert f"?request={request_with_answers.pk}&amp;state=missing" in html


def test_firms_can_be_added_on_the_progress_page(h, liaison):
    request = open_request(h, firm_ids=[h.firms[0].pk])
    latecomer = resident_firm(h.incubator, "青岛新来科技有限公司", entered_on=datetime.date(YEAR + 1, 2, 1))
    response = liaison.get(change_url(request))
    choices = response.context["adminform"].form.fields["add_firms"].choices
    assert {pk for pk, _name in choices} == {h.firms[1].pk, h.firms[2].pk, latecomer.pk}
    response = liaison.post(
        change_url(request),
        {
            "due_on": request.due_on.isoformat(),
            "message": request.message,
            "add_firms": [latecomer.pk],
        },
    )
    assert response.status_code == 302
    assert set(request.submissions.values_list("firm_id", flat=True)) == {h.firms[0].pk, latecomer.pk}


def test_another_incubators_firm_cannot_be_added(h, liaison):
    request = open_request(h, firm_ids=[h.firms[0].pk])
    response = liaison.post(
        change_url(request),
        {"due_on": request.due_on.isoformat(), "message": "", "add_firms": [h.outsider_firm.pk]},
    )
    assert response.status_code == 200 and "add_firms" in response.context["adminform"].form.errors
    assert request.submissions.count() == 1


def test_a_due_date_in_the_past_is_refused_on_the_progress_page(h, liaison):
    request = open_request(h)
    response = liaison.post(
        change_url(request),
        {"due_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(), "message": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["due_on"] == ["The due date cannot be in the past."]
    request.refresh_from_db()
    assert request.due_on > timezone.localdate()


def test_a_counsellor_sees_the_progress_but_no_actions(h, request_with_answers):
    response = client_for(h.counsellor).get(change_url(request_with_answers))
    assert response.status_code == 200
    html = response.content.decode()
    assert "figures-progress" in html
    assert "Re-issue link" not in html and "Revoke link" not in html
    assert not response.context["has_change_permission"]


# --- links ----------------------------------------------------------------------------------


def test_reissuing_a_link_from_the_progress_page(h, liaison):
    request = open_request(h)
    submission = request.submissions.first()
    old = submission_token(submission)
    response = liaison.post(link_url(submission, "reissue"), {"next": change_url(request)})
    assert response.status_code == 302 and response["Location"] == change_url(request)
    assert submission_from_token(old) is None
    submission.refresh_from_db()
    assert submission.link_version == 2 and submission_from_token(submission_token(submission))


def test_revoking_links_as_an_admin_action(h, liaison):
    request = open_request(h)
    ids = list(request.submissions.values_list("pk", flat=True)[:2])
    response = liaison.post(reverse(ANSWERS), {"action": "revoke_links", "_selected_action": ids})
    assert response.status_code == 302
    assert set(FiguresSubmission.objects.filter(link_revoked=True).values_list("pk", flat=True)) == set(ids)


def test_the_link_actions_take_post_only(h, liaison):
    submission = open_request(h).submissions.first()
    assert liaison.get(link_url(submission, "revoke")).status_code == 405


def test_a_counsellor_may_not_touch_links(h):
    submission = open_request(h).submissions.first()
    response = client_for(h.counsellor).post(link_url(submission, "revoke"))
    assert response.status_code == 403
    submission.refresh_from_db()
    assert not submission.link_revoked


# --- review ---------------------------------------------------------------------------------


def test_the_review_page_shows_the_answer_beside_last_year_and_the_record(h, liaison):
    YearlyFiguresFactory(firm=h.firms[0], year=YEAR - 1, revenue=400_000, employees=38)
    YearlyFiguresFactory(firm=h.firms[0], year=YEAR, revenue=4_000_000, employees=39)
    submission = submit(open_request(h).submissions.get(firm=h.firms[0]))
    response = liaison.get(review_url(submission))
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["review"].rows}
    assert (rows["revenue"].submitted, rows["revenue"].previous, rows["revenue"].current) == (
        "5,000,000",
        "400,000",
        "4,000,000",
    )
    assert rows["revenue"].changed and rows["employees"].previous == "38"
    assert rows["taxpayer_type"].submitted.startswith("General VAT taxpayer")
    # Revenue ten times last year's: the founder's form warns, and so does the review page.
    assert any("Sales revenue" in w for w in response.context["review"].warnings)
    assert "figures-accept" in response.content.decode()


def test_accepting_on_the_review_page(h, liaison):
    submission = submit(open_request(h).submissions.get(firm=h.firms[0]))
    response = liaison.post(review_url(submission), {"action": "accept"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ACCEPTED
    assert YearlyFigures.objects.get(firm=h.firms[0], year=YEAR).accepted_by == h.liaison


def test_sending_back_without_a_comment_is_refused_on_the_review_page(h, liaison):
    submission = submit(open_request(h).submissions.get(firm=h.firms[0]))
    response = liaison.post(review_url(submission), {"action": "return", "comment": " "})
    assert response.status_code == 400
    assert response.context["return_form"].errors["comment"]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_sending_back_with_a_comment_on_the_review_page(h, liaison):
    submission = submit(open_request(h).submissions.get(firm=h.firms[0]))
    response = liaison.post(review_url(submission), {"action": "return", "comment": "请核对研发费用。"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED and submission.review_comment == "请核对研发费用。"


def test_an_invalid_answer_shows_its_errors_and_cannot_be_accepted(h, liaison):
    submission = submit(open_request(h).submissions.get(firm=h.firms[0]))
    submission.values["rd_staff"] = "400"
    submission.save()
    response = liaison.get(review_url(submission))
    assert any("Technology staff" in e for e in response.context["review"].errors)
    response = liaison.post(review_url(submission), {"action": "accept"})
    assert response.status_code == 400
    assert response.context["refusal"]
    assert not YearlyFigures.objects.filter(firm=h.firms[0]).exists()


def test_a_counsellor_may_look_but_not_review(h):
    submission = submit(open_request(h).submissions.first())
    counsellor = client_for(h.counsellor)
    response = counsellor.get(review_url(submission))
    assert response.status_code == 200
    assert "figures-accept" not in response.content.decode()
    assert counsellor.post(review_url(submission), {"action": "accept"}).status_code == 403
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


# --- another incubator's staff --------------------------------------------------------------


def test_staff_of_another_incubator_see_nothing_of_it(h, request_with_answers):
    outsider = client_for(h.outsider)
    submission = request_with_answers.submissions.first()
    for url in (
        change_url(request_with_answers),
        reverse("admin:figures_figuresrequest_delete", args=[request_with_answers.pk]),
        reverse("admin:figures_figuresrequest_history", args=[request_with_answers.pk]),
        review_url(submission),
        reverse("admin:figures_figuressubmission_change", args=[submission.pk]),
        reverse("admin:figures_figuressubmission_history", args=[submission.pk]),
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(link_url(submission, "revoke")).status_code == 404
    assert outsider.post(review_url(submission), {"action": "accept"}).status_code == 404
    assert list(outsider.get(reverse(LIST)).context["cl"].result_list) == []
    assert list(outsider.get(reverse(ANSWERS)).context["cl"].result_list) == []
    assert not outsider.get(reverse(ANSWERS), {"request": request_with_answers.pk}).context["cl"].result_list


# --- query counts ---------------------------------------------------------------------------

# Session, user, the user's incubators (scope) and those they review, their permissions (2, the
# navigation), then the page's own: the rows, the paginator's count, the filters' choices.
QUERIES = {"request_list": 9, "answer_list": 9, "progress": 11}


def _pages(request: FiguresRequest) -> dict[str, str]:
    return {
        "request_list": reverse(LIST),
        "answer_list": reverse(ANSWERS) + f"?request={request.pk}",
        "progress": change_url(request),
    }


@pytest.mark.parametrize("firms", [1, 40])
@pytest.mark.parametrize("page", list(QUERIES))
def test_page_queries_do_not_grow_with_the_firms(h, firms, page, django_assert_num_queries):
    for i in range(firms - len(h.firms)):
        resident_firm(h.incubator, f"青岛批量科技有限公司{i:02d}")
    request = open_request(
        h, firm_ids=list(h.incubator.residencies.values_list("firm_id", flat=True)[:firms])
    )
    for submission in request.submissions.all()[: max(firms // 2, 1)]:
        submit(submission)
    client = client_for(h.liaison)
    with django_assert_num_queries(QUERIES[page]):
        response = client.get(_pages(request)[page])
    assert response.status_code == 200
