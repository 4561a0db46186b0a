"""The founder's page (/figures/<token>/): prefill, drafts, submission, refusals, limits, headers."""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from figures import ratelimit, views
from figures.links import SALT, submission_token
from figures.models import FiguresEmail, FiguresSubmission, SubmissionStatus
from figures.services.founder import SubmissionLocked, submission_save_draft, submission_submit
from tests.factories import ContactFactory, FirmFactory, YearlyFiguresFactory
from tests.figures.factories import FiguresRequestFactory, FiguresSubmissionFactory

pytestmark = pytest.mark.django_db

FIELDS = ["revenue", "rd_expense", "total_cost", "employees", "rd_staff", "ip_applied", "ip_granted"]
_addresses = itertools.count(1)


@pytest.fixture(autouse=True)
def _own_rate_counters(monkeypatch):
    """Counters of this test's own: a token made in the same second for a reused id (SQLite
    reuses ids after a rollback) is the same token, and its count must not carry over."""
    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"figures_rate-{uuid.uuid4().hex}")


@pytest.fixture
def client() -> Client:
    """A visitor from an address of this test's own, so the rate limits of one test never
    reach another (the counters live in the cache for their window)."""
    n = next(_addresses)
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")


@pytest.fixture
def submission() -> FiguresSubmission:
    request = FiguresRequestFactory(year=2025, fields=FIELDS, message="请于三月底前提交。")
    return FiguresSubmissionFactory(
        request=request, firm=FirmFactory(name="青岛样例科技有限公司", name_en="Sample Tech")
    )


def url(submission: FiguresSubmission) -> str:
    return reverse("figures:founder", args=[submission_token(submission)])


def good_values(**changes: str) -> dict[str, str]:
    values = {
        "revenue": "2,000,000",
        "rd_expense": "300000",
        "total_cost": "1800000",
        "employees": "20",
        "rd_staff": "6",
        "ip_applied": "2",
        "ip_granted": "1",
        "submitter_name": "张三",
        "submitter_email": "zhang@example.org",
    }
    return values | changes


def submit(client: Client, submission: FiguresSubmission, **changes: str):
    return client.post(url(submission), good_values(**changes) | {"action": "submit"})


# --- the page -----------------------------------------------------------------------------------


def test_page_shows_the_firm_year_due_date_and_message(client, submission):
    response = client.get(url(submission))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Sample Tech" in text and "Figures for 2025" in text
    assert "March 31, 2026" in text and "请于三月底前提交。" in text


def test_page_shows_only_the_fields_asked_for_in_their_groups(client, submission):
    text = client.get(url(submission)).content.decode()
    assert 'name="revenue"' in text and 'name="rd_staff"' in text
    assert 'name="net_profit"' not in text
    assert text.index('id="group-income"') < text.index('id="group-staff"') < text.index('id="group-ip"')


def test_page_is_prefilled_with_last_years_figures_shown_beside_each_field(client, submission):
    YearlyFiguresFactory(
        firm=submission.firm, year=2024, revenue=Decimal("1500000"), employees=18, rd_staff=5
    )
    YearlyFiguresFactory(firm=submission.firm, year=2023, revenue=Decimal("900000"))
    response = client.get(url(submission))
    form = response.context["form"]
    assert form.initial["revenue"] == "1500000" and form.initial["employees"] == "18"
    text = response.content.decode()
    assert 'value="1500000"' in text
    assert "Last year: 1,500,000" in text


def test_page_is_prefilled_with_the_firms_stored_facts(client):
    firm = FirmFactory(registration_type="有限责任公司", serial_founder=True)
    submission = FiguresSubmissionFactory(
        firm=firm, request=FiguresRequestFactory(fields=["registration_type", "serial_founder"])
    )
    response = client.get(url(submission))
    assert response.context["form"].initial == {"registration_type": "有限责任公司", "serial_founder": "yes"}
    assert "On file:" not in response.content.decode()  # the field says the same


def test_a_firm_fact_the_draft_changed_shows_what_is_on_file(client):
    submission = FiguresSubmissionFactory(
        firm=FirmFactory(serial_founder=True),
        request=FiguresRequestFactory(fields=["serial_founder"]),
        status=SubmissionStatus.DRAFT,
        values={"serial_founder": "no"},
    )
    assert "On file: Yes" in client.get(url(submission)).content.decode()


def test_page_prefills_the_people_from_the_firms_earlier_answer(client, submission):
    earlier = FiguresRequestFactory(incubator=submission.request.incubator, year=2024)
    FiguresSubmissionFactory(
        request=earlier, firm=submission.firm, values={"form_filler": "李四", "revenue": "1"}
    )
    submission.request.fields = [*FIELDS, "form_filler"]
    submission.request.save()
    response = client.get(url(submission))
    assert response.context["form"].initial["form_filler"] == "李四"
    assert response.context["submitter"].initial == {"submitter_name": "李四"}


def test_page_query_count_is_pinned(client, submission, django_assert_num_queries):
    YearlyFiguresFactory(firm=submission.firm, year=2024)
    ContactFactory(firm=submission.firm)
    # the link's submission with its request and firm; the contact's language; last year's and
    # this year's figures; the firm's earlier answer (the people of field 26)
    with django_assert_num_queries(4):
        assert client.get(url(submission)).status_code == 200


def test_page_query_count_does_not_grow_with_the_fields_asked_for(
    client, submission, django_assert_num_queries
):
    submission.request.fields = []  # every field of the catalogue
    submission.request.save()
    with django_assert_num_queries(4):
        assert client.get(url(submission)).status_code == 200


# --- drafts ---------------------------------------------------------------------------------------


def test_a_draft_survives_reopening_the_link(client, submission):
    response = client.post(url(submission), {"action": "draft", "revenue": "1.2万", "employees": "20"})
    assert response.status_code == 303 and response["Location"].endswith("?saved=1")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT
    assert submission.values == {"revenue": "1.2万", "employees": "20"}
    reopened = client.get(url(submission))
    assert 'value="1.2万"' in reopened.content.decode()
    assert "This is your saved draft" in reopened.content.decode()


def test_draft_ignores_fields_not_asked_for(client, submission):
    client.post(url(submission), {"action": "draft", "revenue": "1", "net_profit": "5", "bogus": "x"})
    submission.refresh_from_db()
    assert submission.values == {"revenue": "1"}


# --- submitting -----------------------------------------------------------------------------------


def test_submit_stores_the_cleaned_values_and_shows_the_receipt(client, submission):
    response = submit(client, submission)
    assert response.status_code == 303 and response["Location"].endswith("?done=1")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.values["revenue"] == "2000000" and submission.values["employees"] == "20"
    assert submission.submitted_by == "张三 <zhang@example.org>"
    assert submission.submitted_at is not None
    receipt = client.get(response["Location"])
    text = receipt.content.decode()
    assert "Thank you: your figures were submitted." in text
    assert "2,000,000" in text and "Submitted on" in text and 'name="revenue"' not in text


def test_submit_with_bad_values_saves_nothing_and_names_each_field(client, submission):
    response = submit(client, submission, revenue="1.2万", employees="-3", rd_staff="abc")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"revenue", "employees", "rd_staff"}
    assert "for 1.2万 enter 12000" in errors["revenue"][0]
    text = response.content.decode()
    assert "Nothing was saved" in text and 'href="#field-revenue"' in text
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED and submission.values == {}


def test_submit_refuses_a_limit_the_database_would_refuse(client, submission):
    response = submit(client, submission, rd_staff="21")
    assert "Technology staff cannot be more than employees (20)." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED


def test_submit_without_a_name_saves_nothing(client, submission):
    response = submit(client, submission, submitter_name="")
    assert "submitter_name" in response.context["submitter"].errors
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED


def test_warnings_must_be_confirmed(client, submission):
    response = submit(client, submission, ip_granted="5")
    assert response.status_code == 200
    assert response.context["needs_confirmation"]
    text = response.content.decode()
    assert "More IP granted (5) than applied for this year (2)" in text
    assert 'name="confirm_warnings"' in text
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED
    key = response.context["warnings_key"]
    confirmed = submit(client, submission, ip_granted="5", confirm_warnings=key)
    assert confirmed.status_code == 303
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.values["ip_granted"] == "5"


def test_a_confirmation_of_other_warnings_does_not_count(client, submission):
    first = submit(client, submission, ip_granted="5")
    key = first.context["warnings_key"]
    YearlyFiguresFactory(firm=submission.firm, year=2024, revenue=Decimal("100000000"))
    again = submit(client, submission, ip_granted="5", confirm_warnings=key)
    assert again.status_code == 200 and again.context["needs_confirmation"]
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED


def test_submit_records_the_receipt_email(client, submission, django_capture_on_commit_callbacks):
    ContactFactory(firm=submission.firm, email="boss@firm.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, submission)
    assert FiguresEmail.objects.filter(submission=submission, kind="receipt").exists()


def test_a_replayed_submit_changes_nothing_and_says_so(client, submission):
    submit(client, submission)
    submission.refresh_from_db()
    before = (submission.values, submission.submitted_at, submission.submitted_by)
    replay = submit(client, submission, revenue="5", submitter_name="Mallory")
    assert replay.status_code == 409
    assert "already submitted; nothing was changed" in replay.content.decode()
    submission.refresh_from_db()
    assert (submission.values, submission.submitted_at, submission.submitted_by) == before


def test_a_draft_after_submit_changes_nothing(client, submission):
    submit(client, submission)
    response = client.post(url(submission), {"action": "draft", "revenue": "1"})
    assert response.status_code == 409
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.values["revenue"] == "2000000"


def test_a_returned_submission_is_editable_and_shows_the_staff_comment(client):
    submission = FiguresSubmissionFactory(
        returned=True, request=FiguresRequestFactory(fields=FIELDS), values={"revenue": "2000000"}
    )
    response = client.get(url(submission))
    text = response.content.decode()
    assert "sent these figures back" in text and "请核对研发费用。" in text
    assert 'name="revenue"' in text and 'value="2000000"' in text
    assert submit(client, submission).status_code == 303
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_an_accepted_submission_is_read_only(client):
    submission = FiguresSubmissionFactory(accepted=True, values={"revenue": "2000000"})
    response = client.get(url(submission))
    text = response.content.decode()
    assert response.status_code == 200 and "Accepted by your incubator" in text
    assert '<form method="post" novalidate>' not in text and "2,000,000" in text
    assert submit(client, submission).status_code == 409


def test_an_unknown_action_changes_nothing(client, submission):
    response = client.post(url(submission), {"action": "delete", "revenue": "1"})
    assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED


# --- the services, below the page ---------------------------------------------------------------


def test_submit_on_a_stale_copy_of_a_submitted_answer_is_refused(submission):
    """The losing side of two submits at once: the row is read again under its lock."""
    stale = FiguresSubmission.objects.get(pk=submission.pk)
    submission_submit(submission=submission, values=good_values(), submitted_by="A", confirm_warnings=False)
    with pytest.raises(SubmissionLocked):
        submission_submit(
            submission=stale, values=good_values(revenue="1"), submitted_by="B", confirm_warnings=True
        )
    with pytest.raises(SubmissionLocked):
        submission_save_draft(submission=stale, values={"revenue": "1"})
    submission.refresh_from_db()
    assert submission.submitted_by == "A" and submission.values["revenue"] == "2000000"


def test_submit_with_errors_returns_the_bound_form_unsaved(submission):
    form = submission_submit(
        submission=submission, values=good_values(revenue="x"), submitted_by="A", confirm_warnings=True
    )
    assert form.saved is False and "revenue" in form.errors
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED


def test_submit_confirming_any_warnings(submission):
    form = submission_submit(
        submission=submission, values=good_values(ip_granted="9"), submitted_by="A", confirm_warnings=True
    )
    assert form.saved and form.warnings
    assert submission.status == SubmissionStatus.SUBMITTED  # the caller's object follows the row


def test_a_draft_of_a_returned_answer_keeps_the_staff_comment(submission):
    submission.status, submission.review_comment = SubmissionStatus.RETURNED, "请核对"
    submission.submitted_at = timezone.now()
    submission.save()
    submission_save_draft(submission=submission, values={"revenue": "5"})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT and submission.review_comment == "请核对"


# --- refusals -------------------------------------------------------------------------------------


def _swapped(token: str, other: FiguresSubmission) -> str:
    """The token with its payload replaced by another submission's id, its signature kept."""
    forged = signing.dumps({"s": other.pk, "v": other.link_version}, salt=SALT)
    return forged.split(":", 1)[0] + ":" + token.split(":", 1)[1]


def test_every_refused_link_answers_the_same_404_page(client, submission):
    good = submission_token(submission)
    other = FiguresSubmissionFactory(request=submission.request)
    expired = FiguresSubmissionFactory(link_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    revoked = FiguresSubmissionFactory(link_revoked=True)
    reissued = FiguresSubmissionFactory()
    old_token = submission_token(reissued)
    reissued.link_version += 1
    reissued.save()
    closed = FiguresSubmissionFactory(request=FiguresRequestFactory(closed=True))
    tokens = [
        good[:-1] + ("A" if good[-1] != "A" else "B"),  # wrong signature
        submission_token(expired),
        submission_token(revoked),
        old_token,
        _swapped(good, other),
        submission_token(closed),
        "nonsense",
        "x" * 5000,
        signing.dumps({"s": 999999, "v": 1}, salt=SALT),  # a submission that does not exist
    ]
    responses = [client.get(reverse("figures:founder", args=[token])) for token in tokens]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert b"This link does not open" in responses[0].content
    assert b"csrfmiddlewaretoken" not in responses[0].content
    assert client.get(reverse("figures:founder", args=[good])).status_code == 200


def test_a_refused_link_posting_answers_the_same_404(client, submission):
    page = client.get(url(submission))
    bad = client.post(reverse("figures:founder", args=["nonsense"]), {"action": "draft"})
    assert bad.status_code == 404
    assert bad.content == client.get(reverse("figures:founder", args=["other"])).content
    assert page.status_code == 200


# --- limits, headers, odd input -------------------------------------------------------------------


def test_the_page_is_private(client, submission):
    for response in (client.get(url(submission)), client.get(reverse("figures:founder", args=["nonsense"]))):
        assert "no-store" in response["Cache-Control"]
        assert response["X-Robots-Tag"].startswith("noindex")
        assert response["Referrer-Policy"] == "same-origin"


def test_csrf_is_enforced(submission):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.250.0.1")
    assert client.post(url(submission), {"action": "draft", "revenue": "1"}).status_code == 403
    submission.refresh_from_db()
    assert submission.values == {}


def test_too_many_requests_on_a_link_answer_429(client, submission, settings):
    settings.FIGURES_RATE_PER_LINK = 2
    link = url(submission)  # one link (a token made a second later is another link)
    assert [client.get(link).status_code for _ in range(2)] == [200, 200]
    response = client.get(link)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= settings.FIGURES_RATE_WINDOW_SECONDS


def test_refused_links_count_against_the_address(client, submission, settings):
    settings.FIGURES_FAILED_LINKS_PER_ADDRESS = 3
    for attempt in range(3):
        assert client.get(reverse("figures:founder", args=[f"guess{attempt}"])).status_code == 404
    assert client.get(url(submission)).status_code == 429


def test_too_many_requests_from_an_address_answer_429(client, submission, settings):
    settings.FIGURES_RATE_PER_ADDRESS = 1
    assert client.get(url(submission)).status_code == 200
    assert client.get(url(submission)).status_code == 429


def test_the_429_page_speaks_the_visitors_language(submission, settings):
    settings.FIGURES_RATE_PER_ADDRESS = 0
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", REMOTE_ADDR="10.250.0.2")
    response = chinese.get(url(submission))
    assert response.status_code == 429 and response["Content-Language"] == "zh-hans"


FORM = "application/x-www-form-urlencoded"
ODD_BODIES = [
    pytest.param(b"revenue=%FF%FE&action=draft", FORM, id="bad-utf8"),
    pytest.param("action=draft&revenue=１２".encode("gb18030"), FORM + "; charset=gb18030", id="gb18030"),
    pytest.param(b"action=draft&revenue=1", FORM + "; charset=no-such-charset", id="unknown-charset"),
    pytest.param(b"\x00\x01\x02", "application/octet-stream", id="binary"),
    pytest.param(b"--x\r\nbroken", "multipart/form-data; boundary=x", id="broken-multipart"),
    pytest.param(b"action=draft&revenue=" + b"9" * 3_000_000, FORM, id="huge"),
    pytest.param(b"&".join(b"f%d=1" % n for n in range(2000)) + b"&action=draft", FORM, id="many-fields"),
    pytest.param(b"action=submit&revenue=%00&employees=1e9999&submitter_name=%00", FORM, id="nul-submit"),
    pytest.param(b"action=draft&revenue=%00x%ED%A0%80&employees=" + b"7" * 5000, FORM, id="nul-draft"),
]


@pytest.mark.parametrize("body, content_type", ODD_BODIES)
def test_odd_bodies_never_give_a_500(client, submission, body, content_type):
    response = client.generic("POST", url(submission), body, content_type=content_type)
    assert response.status_code < 500
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "same-origin"


def test_a_body_too_large_answers_413_and_saves_nothing(client, submission):
    response = client.generic(
        "POST", url(submission), b"action=draft&revenue=" + b"9" * 3_000_000, content_type=FORM
    )
    assert response.status_code == 413
    submission.refresh_from_db()
    assert submission.values == {}


def test_a_draft_keeps_odd_text_storable(client, submission):
    client.post(url(submission), {"action": "draft", "revenue": "1\x002", "employees": "7" * 5000})
    submission.refresh_from_db()
    assert submission.values["revenue"] == "12" and len(submission.values["employees"]) == 200


def test_the_language_follows_the_firms_contact_unless_chosen(client, submission):
    ContactFactory(firm=submission.firm, preferred_language="zh-hans")
    chinese = client.get(url(submission))
    assert chinese["Content-Language"] == "zh-hans"
    client.cookies["django_language"] = "en"
    assert client.get(url(submission))["Content-Language"] == "en"


def test_the_language_switch_sets_the_language_and_comes_back(client, submission):
    ContactFactory(firm=submission.firm, preferred_language="zh-hans")
    assert client.get(url(submission))["Content-Language"] == "zh-hans"
    response = client.post(url(submission), {"action": "language", "language": "en"})
    assert response.status_code == 303 and response["Location"] == url(submission)
    page = client.get(url(submission))
    assert page["Content-Language"] == "en"
    assert "Figures for 2025" in page.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.NOT_STARTED


def test_the_language_switch_works_on_the_receipt(client):
    submission = FiguresSubmissionFactory(submitted=True, values={"revenue": "1"})
    response = client.post(url(submission), {"action": "language", "language": "zh-hans"})
    assert response.status_code == 303
    assert client.get(url(submission))["Content-Language"] == "zh-hans"


def test_the_pages_own_posts_pass_the_csrf_check_and_forged_or_foreign_ones_do_not(submission):
    """Same-origin referrers: the page's own posts carry its origin, and Django's check decides."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.250.0.3")
    page = client.get(url(submission))
    token = page.context["csrf_token"]
    response = client.post(
        url(submission),
        {"action": "draft", "revenue": "1", "csrfmiddlewaretoken": str(token)},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 303
    forged = client.post(
        url(submission),
        {"action": "draft", "revenue": "2", "csrfmiddlewaretoken": "x" * 64},
        HTTP_ORIGIN="http://testserver",
    )
    assert forged.status_code == 403
    for origin in ("https://evil.example", "null"):
        foreign = client.post(
            url(submission),
            {"action": "draft", "revenue": "3", "csrfmiddlewaretoken": str(token)},
            HTTP_ORIGIN=origin,
        )
        assert foreign.status_code == 403
    submission.refresh_from_db()
    assert submission.values == {"revenue": "1"}


def test_head_and_other_methods_never_give_a_500(client, submission):
    assert client.head(url(submission)).status_code == 200
    assert client.put(url(submission)).status_code == 405
    assert views.MAX_TOKEN_LENGTH < 5000
