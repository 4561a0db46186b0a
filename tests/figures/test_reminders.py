"""The reminder pass of figures requests: before the due date to founders, after it to liaisons."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Language, StaffRole
from figures.emails import figures_reminder_pass
from figures.emails.rules import load_rules, parse_rules
from figures.models import FiguresEmail, FiguresEmailKind, SubmissionStatus
from figures.tasks import deliver_figures_emails
from ladder.engine.reader import RuleDataError
from portfolio.models import DeliveryStatus
from tests.factories import IncubatorFactory
from tests.figures.email_factories import DUE, RequestFactory, SubmissionFactory, firm_in, staff

# A founder's link (/figures/<token>/), not the staff copy's admin link (/admin/figures/...).
FOUNDER_LINK = re.compile(r"(?<!/admin)/figures/")

pytestmark = pytest.mark.django_db

FOURTEEN_BEFORE = DUE - datetime.timedelta(days=14)


@pytest.fixture
def today(monkeypatch):
    """The calendar day the emails are rendered on, moved with the pass's ``today``."""

    def set_day(day):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)
        return day

    return set_day


@pytest.fixture
def incubator():
    return IncubatorFactory(name="青岛海创孵化器", name_en="Haichuang Incubator")


@pytest.fixture
def liaison(incubator):
    return staff(incubator, "liaison@incubator.example.org", language=Language.ENGLISH)


@pytest.fixture
def request_(incubator):
    return RequestFactory(incubator=incubator)


def _submission(request_, liaison, name, *contacts, **fields):
    firm = firm_in(request_.incubator, liaison, name=name, contacts=contacts)
    return SubmissionFactory(request=request_, firm=firm, **fields)


@pytest.fixture
def submission(request_, liaison):
    return _submission(
        request_,
        liaison,
        "海澜科技",
        ("wang@hailan.example.org", Language.CHINESE),
        ("smith@hailan.example.org", Language.ENGLISH),
    )


def _submit(submission):
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.save()


def _reminders():
    return sorted(
        FiguresEmail.objects.filter(kind=FiguresEmailKind.REMINDER).values_list("occasion", "email", "status")
    )


def test_the_rule_data_names_its_days_and_says_they_are_our_own_choice():
    rules = load_rules()
    assert rules.reminder_days_before_due == (1, 3, 14)
    assert rules.liaison_note_days_after_due == (1, 7)
    assert "own choice" in rules.source


def test_bad_rule_data_is_one_line_naming_the_field():
    with pytest.raises(RuleDataError, match="reminder_days_before_due"):
        parse_rules(
            {
                "version": "x",
                "source": "y",
                "reminder_days_before_due": [3, 3],
                "liaison_note_days_after_due": [1],
            }
        )


def test_a_firm_not_yet_submitted_is_reminded_at_the_threshold(submission, today):
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    assert _reminders() == [
        ("14-days-before", "smith@hailan.example.org", "sent"),
        ("14-days-before", "wang@hailan.example.org", "sent"),
    ]


@pytest.mark.parametrize("status", [SubmissionStatus.DRAFT, SubmissionStatus.RETURNED])
def test_drafts_and_sent_back_figures_are_reminded_too(request_, liaison, status, today):
    _submission(request_, liaison, "草稿公司", ("a@x.example.org", Language.CHINESE), status=status)
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    assert _reminders() == [("14-days-before", "a@x.example.org", "sent")]


def test_nothing_before_the_first_threshold(submission, today):
    figures_reminder_pass(today=today(FOURTEEN_BEFORE - datetime.timedelta(days=1)), enqueue=False)
    assert _reminders() == []


def test_the_pass_run_twice_records_nothing_new(submission, today):
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    second = figures_reminder_pass(today=FOURTEEN_BEFORE, enqueue=False)
    assert second.planned == []
    assert len(mail.outbox) == 2
    assert FiguresEmail.objects.count() == 2


def test_after_missed_passes_only_the_most_urgent_threshold_is_sent(submission, today):
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    figures_reminder_pass(today=today(DUE - datetime.timedelta(days=2)), enqueue=False)
    assert sorted({occasion for occasion, _, _ in _reminders()}) == ["14-days-before", "3-days-before"]


def test_reminders_stop_once_submitted_none_is_recorded(submission, today):
    _submit(submission)
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    assert _reminders() == []


def test_a_reminder_recorded_before_the_submit_is_cancelled_when_claimed(submission, today):
    figures_reminder_pass(today=today(FOURTEEN_BEFORE))  # recorded and handed over; the task runs later
    _submit(submission)
    deliver_figures_emails(list(FiguresEmail.objects.values_list("pk", flat=True)))
    assert {status for _, _, status in _reminders()} == {DeliveryStatus.CANCELLED}
    assert set(FiguresEmail.objects.values_list("last_error", flat=True)) == {"the firm submitted meanwhile"}
    assert mail.outbox == []


def test_no_reminder_for_a_closed_request(submission, request_, today):
    request_.closed = True
    request_.save()
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    assert _reminders() == []


def test_the_reminder_speaks_the_contacts_language_and_carries_their_link(submission, today):
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    english = next(m for m in mail.outbox if m.to == ["smith@hailan.example.org"])
    chinese = next(m for m in mail.outbox if m.to == ["wang@hailan.example.org"])
    assert english.subject == "14 days left: figures for 2025, 海澜科技 (en)"
    assert "/figures/" in english.body and "/admin/" not in english.body
    assert "2026年3月31日" in chinese.body


def test_a_firm_without_contacts_has_its_liaison_reminded_in_its_place(request_, liaison, today):
    _submission(request_, liaison, "无联系人公司")
    figures_reminder_pass(today=today(FOURTEEN_BEFORE), enqueue=False)
    (message,) = mail.outbox
    assert message.to == ["liaison@incubator.example.org"]
    assert message.subject.startswith("[Firm has no contact]")
    assert "/admin/" in message.body and not FOUNDER_LINK.search(message.body)


# --- the liaison's note after the due date ---


@pytest.fixture
def scene(request_, liaison, incubator):
    """Liaison A: two firms missing, one submitted; liaison B: one firm in draft."""
    other = staff(incubator, "b@incubator.example.org")
    missing = [
        _submission(request_, liaison, "甲公司", ("a@jia.example.org", Language.CHINESE)),
        _submission(request_, liaison, "乙公司", status=SubmissionStatus.RETURNED),
    ]
    done = _submission(request_, liaison, "丙公司", ("c@bing.example.org", Language.CHINESE))
    _submit(done)
    drafted = _submission(request_, other, "丁公司", status=SubmissionStatus.DRAFT)
    return missing, done, drafted


def _notes():
    return sorted(
        FiguresEmail.objects.filter(kind=FiguresEmailKind.LIAISON_MISSING).values_list("occasion", "email")
    )


def test_the_liaison_note_lists_exactly_their_firms_still_missing(scene, today):
    figures_reminder_pass(today=today(DUE + datetime.timedelta(days=1)), enqueue=False)
    assert _notes() == [
        ("1-days-after", "b@incubator.example.org"),
        ("1-days-after", "liaison@incubator.example.org"),
    ]
    note = next(m for m in mail.outbox if m.to == ["liaison@incubator.example.org"])
    assert note.subject == "Figures for 2025: 2 firms have not submitted"
    assert "甲公司 (en)" in note.body and "乙公司 (en)" in note.body
    assert "丙公司" not in note.body and "丁公司" not in note.body
    assert "/admin/" in note.body and not FOUNDER_LINK.search(note.body)


def test_the_liaison_note_is_sent_once_per_threshold(scene, today):
    figures_reminder_pass(today=today(DUE + datetime.timedelta(days=1)), enqueue=False)
    figures_reminder_pass(today=today(DUE + datetime.timedelta(days=3)), enqueue=False)
    assert len(_notes()) == 2
    figures_reminder_pass(today=today(DUE + datetime.timedelta(days=7)), enqueue=False)
    assert [occasion for occasion, _ in _notes()].count("7-days-after") == 2


def test_a_note_waiting_while_every_firm_submits_is_cancelled(scene, today):
    missing, _, drafted = scene
    figures_reminder_pass(today=today(DUE + datetime.timedelta(days=1)))  # not sent yet
    for submission in [*missing, drafted]:
        _submit(submission)
    deliver_figures_emails(list(FiguresEmail.objects.values_list("pk", flat=True)))
    assert set(FiguresEmail.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}


def test_a_firm_without_a_liaison_is_listed_to_the_managers(request_, incubator, today):
    staff(incubator, "boss@incubator.example.org", role=StaffRole.MANAGER)
    _submission(request_, None, "戊公司")
    figures_reminder_pass(today=today(DUE + datetime.timedelta(days=1)), enqueue=False)
    assert _notes() == [("1-days-after", "boss@incubator.example.org")]


# --- query counts ---


def _queries_of_a_pass(request_, liaison, firms: int, day) -> int:
    for n in range(firms):
        _submission(
            request_,
            liaison,
            f"公司{request_.pk}-{n}",
            (f"c{n}@f{request_.pk}.example.org", Language.CHINESE),
        )
    with CaptureQueriesContext(connection) as queries:
        figures_reminder_pass(today=day)
    return len(queries)


@pytest.mark.parametrize("day", [FOURTEEN_BEFORE, DUE + datetime.timedelta(days=1)])
def test_the_pass_reads_a_constant_number_of_queries(request_, liaison, day):
    """Reminders (day 14 before) and liaison notes (day 1 after) of 1 firm, then of 6 more: the same
    count, each query named in figures/emails/passes.py (savepoints and the hand-over included)."""
    one = _queries_of_a_pass(request_, liaison, 1, day)
    other = RequestFactory(incubator=IncubatorFactory(), year=2024)
    other_liaison = staff(other.incubator, "l2@incubator.example.org")
    assert _queries_of_a_pass(other, other_liaison, 6, day) == one
    assert one == {FOURTEEN_BEFORE: 11, DUE + datetime.timedelta(days=1): 13}[day]


# --- the command ---


def test_the_command_dry_run_writes_nothing(submission):
    out = io.StringIO()
    call_command("send_figures_reminders", "--today", FOURTEEN_BEFORE.isoformat(), "--dry-run", stdout=out)
    assert "would record: figures request" in out.getvalue()
    assert not FiguresEmail.objects.exists()
    assert mail.outbox == []


def test_the_command_sends_what_is_due_and_nothing_twice(submission, today):
    today(FOURTEEN_BEFORE)
    out = io.StringIO()
    call_command("send_figures_reminders", "--today", FOURTEEN_BEFORE.isoformat(), stdout=out)
    call_command("send_figures_reminders", "--today", FOURTEEN_BEFORE.isoformat(), stdout=out)
    assert "figures requests: 2 emails recorded, 0 superseded, 2 sent, 0 failed" in out.getvalue()
    assert "figures requests: 0 emails recorded" in out.getvalue()
    assert len(mail.outbox) == 2
