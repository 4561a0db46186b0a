"""The emails staff and founders cause: invitations, receipts, sent-back notes. Each once."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Language
from figures.emails import figures_invitations_record, figures_receipt_record, figures_returned_record
from figures.links import submission_from_token
from figures.models import FiguresEmail, FiguresEmailKind, SubmissionStatus, TorchFilingEmail
from portfolio.models import DeliveryStatus
from tests.factories import IncubatorFactory, UserFactory
from tests.figures.email_factories import RequestFactory, SubmissionFactory, firm_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def incubator():
    return IncubatorFactory(name="青岛海创孵化器", name_en="Haichuang Incubator")


@pytest.fixture
def liaison(incubator):
    return staff(incubator, "liaison@incubator.example.org")


@pytest.fixture
def request_(incubator):
    return RequestFactory(incubator=incubator)


@pytest.fixture
def submission(request_, liaison):
    firm = firm_in(
        request_.incubator,
        liaison,
        name="青岛海澜科技有限公司",
        contacts=(
            ("wang@hailan.example.org", Language.CHINESE),
            ("Smith@Hailan.example.org", Language.ENGLISH),
        ),
    )
    return SubmissionFactory(request=request_, firm=firm)


@pytest.fixture
def lonely_submission(request_, liaison):
    """A firm without a contact who has an email address."""
    return SubmissionFactory(request=request_, firm=firm_in(request_.incubator, liaison, name="无联系人公司"))


def _rows(**filters):
    return sorted(
        FiguresEmail.objects.filter(**filters).values_list("kind", "occasion", "email", "language", "status")
    )


def _by_address():
    return {m.to[0]: m for m in mail.outbox}


def _opens(text: str):
    """The submissions the founder links in ``text`` open (a link's signature carries its time, so
    links are compared by what they open, not as text)."""
    tokens = re.findall(r"(?<!/admin)/figures/([^/\s\"]+)/", text)
    return [submission_from_token(token) for token in tokens]


# --- invitations ---


def test_an_invitation_goes_to_each_contact_at_the_current_link_version(submission):
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    assert _rows(submission=submission) == [
        ("invitation", "link-1", "smith@hailan.example.org", "en", "sent"),
        ("invitation", "link-1", "wang@hailan.example.org", "zh-hans", "sent"),
    ]
    for message in mail.outbox:
        assert _opens(message.body) == [submission]
        assert _opens(message.alternatives[0][0]) == [submission]


def test_recording_invitations_twice_adds_nothing(submission):
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    assert FiguresEmail.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_invitation_speaks_each_contacts_language_and_carries_the_due_date_and_message(submission):
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    english, chinese = _by_address()["smith@hailan.example.org"], _by_address()["wang@hailan.example.org"]
    assert "Figures for 2025 requested by Haichuang Incubator" in english.subject
    assert "青岛海澜科技有限公司 (en)" in english.subject
    assert "2026年3月31日" in chinese.subject
    assert "截止日期" in chinese.body  # "Due on", translated already
    assert "请在截止日前填报。" in english.body
    assert "March 31, 2026" in english.body
    assert english.extra_headers["Content-Language"] == "en"
    assert chinese.extra_headers["Content-Language"] == "zh-hans"


def test_a_firm_without_a_contact_has_its_liaison_invited_in_its_place_with_the_admin_link(lonely_submission):
    figures_invitations_record(submission_ids=[lonely_submission.pk], enqueue=False)
    (row,) = FiguresEmail.objects.all()
    assert (row.email, row.user.email, row.contact) == ("liaison@incubator.example.org",) * 2 + (None,)
    (message,) = mail.outbox
    assert message.subject.startswith("【企业无联系人】")  # flagged, in the liaison's language
    assert _opens(message.body) == []  # staff copies carry no founder link
    assert "/admin/" in message.body


def test_a_reissued_link_gets_its_own_invitation_with_the_new_link_and_the_old_one_waiting_is_cancelled(
    submission,
):
    figures_invitations_record(submission_ids=[submission.pk])  # recorded, not sent (no commit here)
    submission.link_version += 1
    submission.save()
    result = figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    assert result.cancelled == 2
    assert [r[1:] for r in _rows(submission=submission, status="sent")] == [
        ("link-2", "smith@hailan.example.org", "en", "sent"),
        ("link-2", "wang@hailan.example.org", "zh-hans", "sent"),
    ]
    assert len(mail.outbox) == 2
    assert all(_opens(m.body) == [submission] for m in mail.outbox)  # the old link opens nothing


def test_an_invitation_recorded_before_a_reissue_is_cancelled_when_claimed(submission):
    figures_invitations_record(submission_ids=[submission.pk])  # waiting for a worker
    type(submission).objects.filter(pk=submission.pk).update(link_revoked=True)
    from figures.tasks import deliver_figures_emails

    deliver_figures_emails(list(FiguresEmail.objects.values_list("pk", flat=True)))
    assert set(FiguresEmail.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    assert mail.outbox == []


def test_no_invitation_for_a_closed_request_or_a_revoked_link(submission, request_):
    request_.closed = True
    request_.save()
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    request_.closed = False
    request_.save()
    type(submission).objects.filter(pk=submission.pk).update(link_revoked=True)
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    assert not FiguresEmail.objects.exists()


# --- receipts ---


def _submit(submission, values, by="张三 <Zhang@Founder.example.org>"):
    submission.status = SubmissionStatus.SUBMITTED
    submission.values = values
    submission.submitted_at = timezone.now()
    submission.submitted_by = by
    submission.save()


def test_a_receipt_goes_to_the_contacts_and_the_submitter_once(submission):
    _submit(submission, {"revenue": "1200", "employees": "35"})
    figures_receipt_record(submission_id=submission.pk, language=Language.ENGLISH, enqueue=False)
    figures_receipt_record(submission_id=submission.pk, language=Language.ENGLISH, enqueue=False)
    assert sorted(FiguresEmail.objects.values_list("kind", "email")) == [
        ("receipt", "smith@hailan.example.org"),
        ("receipt", "wang@hailan.example.org"),
        ("receipt", "zhang@founder.example.org"),
    ]
    assert len(mail.outbox) == 3


def test_the_receipt_lists_what_was_submitted(submission):
    _submit(submission, {"revenue": "1200", "employees": "35"})
    figures_receipt_record(submission_id=submission.pk, language=Language.ENGLISH, enqueue=False)
    message = _by_address()["zhang@founder.example.org"]
    assert "1200" in message.body and "35" in message.body
    assert message.extra_headers["Content-Language"] == "en"


def test_a_second_submit_after_a_send_back_gets_its_own_receipt(submission):
    _submit(submission, {"revenue": "1200"}, by="")
    figures_receipt_record(submission_id=submission.pk, enqueue=False)
    submission.submitted_at += datetime.timedelta(hours=2)
    submission.save()
    figures_receipt_record(submission_id=submission.pk, enqueue=False)
    assert FiguresEmail.objects.filter(kind=FiguresEmailKind.RECEIPT).count() == 4


def test_no_receipt_for_a_submission_not_submitted(submission):
    figures_receipt_record(submission_id=submission.pk, enqueue=False)
    assert not FiguresEmail.objects.exists()


# --- sent back ---


def _send_back(submission, comment="请核对研发费用。"):
    submission.status = SubmissionStatus.RETURNED
    submission.submitted_at = timezone.now()
    submission.reviewed_at = timezone.now()
    submission.review_comment = comment
    submission.save()


def test_a_sent_back_note_carries_the_comment_and_the_link_once(submission):
    _send_back(submission)
    figures_returned_record(submission_id=submission.pk, enqueue=False)
    figures_returned_record(submission_id=submission.pk, enqueue=False)
    assert FiguresEmail.objects.filter(kind=FiguresEmailKind.RETURNED).count() == 2
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "请核对研发费用。" in message.body
        assert _opens(message.body) == [submission]


def test_no_sent_back_note_for_a_submission_not_sent_back(submission):
    figures_returned_record(submission_id=submission.pk, enqueue=False)
    assert not FiguresEmail.objects.exists()


# --- the admin ---

CHANGELIST = "admin:figures_figuresemail_changelist"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _emails(request_, count, status=DeliveryStatus.SENT):
    now = timezone.now()
    submissions = [SubmissionFactory(request=request_) for _ in range(count)]
    FiguresEmail.objects.bulk_create(
        FiguresEmail(
            submission=s,
            request=request_,
            kind=FiguresEmailKind.INVITATION,
            occasion="link-1",
            email=f"c{s.pk}@firm.example.org",
            status=status,
            sent_at=now if status == DeliveryStatus.SENT else None,
            next_attempt_at=now,
        )
        for s in submissions
    )
    return submissions


@pytest.mark.parametrize("rows", [1, 50])
def test_the_email_list_query_count_does_not_grow_with_rows(
    superuser_client, request_, rows, django_assert_num_queries
):
    _emails(request_, rows)
    with django_assert_num_queries(8):
        response = superuser_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


def test_the_email_list_filters_by_status(superuser_client, request_):
    _emails(request_, 2)
    failed = _emails(request_, 1, status=DeliveryStatus.FAILED)
    response = superuser_client.get(reverse(CHANGELIST), {"status__exact": "failed"})
    assert [e.submission_id for e in response.context["cl"].result_list] == [failed[0].pk]


def test_an_email_page_opens_read_only(superuser_client, request_):
    _emails(request_, 1)
    email = FiguresEmail.objects.get()
    response = superuser_client.get(reverse("admin:figures_figuresemail_change", args=[email.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content


def test_staff_see_only_their_incubators_emails(client, request_):
    _emails(request_, 1)
    outsider = staff(IncubatorFactory(), "other@elsewhere.example.org")
    outsider.user_permissions.add(*Permission.objects.filter(codename="view_figuresemail"))
    client.force_login(outsider)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_resend_queues_failed_emails_again_and_they_are_sent(
    superuser_client, submission, django_capture_on_commit_callbacks
):
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    FiguresEmail.objects.update(status=DeliveryStatus.FAILED, last_error="SMTP 550")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse(CHANGELIST),
            {"action": "resend", "_selected_action": list(FiguresEmail.objects.values_list("pk", flat=True))},
        )
    assert response.status_code == 302
    assert set(FiguresEmail.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 2


def test_the_torch_filing_reminder_list_opens_and_filters(superuser_client, incubator):
    now = timezone.now()
    TorchFilingEmail.objects.create(
        incubator=incubator,
        report_year=2024,
        threshold=7,
        opens_on=datetime.date(2025, 1, 1),
        closes_on=datetime.date(2025, 2, 15),
        published=True,
        for_date=datetime.date(2025, 2, 8),
        email="boss@incubator.example.org",
        status=DeliveryStatus.FAILED,
        next_attempt_at=now,
    )
    url = reverse("admin:figures_torchfilingemail_changelist")
    response = superuser_client.get(url, {"status__exact": "failed"})
    assert response.status_code == 200
    assert [e.email for e in response.context["cl"].result_list] == ["boss@incubator.example.org"]


def test_the_figures_emails_have_their_own_message_ids(submission):
    figures_invitations_record(submission_ids=[submission.pk], enqueue=False)
    row = FiguresEmail.objects.order_by("pk").first()
    assert row.message_id == f"<figures-{row.pk}@localhost>"
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == set(
        FiguresEmail.objects.values_list("message_id", flat=True)
    )
