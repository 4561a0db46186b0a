"""The pass: what it records, for whom, and what it leaves alone."""

import datetime

import pytest
from django.core import mail

from accounts.models import StaffRole
from portfolio.choices import CertificationStatus, DeadlineStatus
from portfolio.models import Certification, DeliveryStatus, ReminderDelivery
from portfolio.services.certifications import certification_renew, deadline_mark_done
from portfolio.services.reminders import outbound_send, reminder_pass
from tests.factories import ContactFactory, MembershipFactory
from tests.portfolio.reminders.conftest import DUE, THIRTY_DAYS_BEFORE

pytestmark = pytest.mark.django_db


def _rows(deadline):
    return sorted(
        ReminderDelivery.objects.filter(deadline=deadline).values_list("threshold", "email", "status")
    )


def test_pass_records_one_delivery_per_contact_and_responsible_staff(deadline, contacts, liaison):
    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    assert _rows(deadline) == [
        (30, "liaison@incubator.example.org", "sent"),
        (30, "smith@hailan.example.org", "sent"),
        (30, "wang@hailan.example.org", "sent"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [r[1] for r in _rows(deadline)]


def test_pass_run_twice_sends_nothing_new(deadline, contacts):
    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    sent = len(mail.outbox)
    second = reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    assert second.planned == []
    assert len(mail.outbox) == sent
    assert ReminderDelivery.objects.count() == sent


def test_pass_enqueues_on_commit_and_the_task_sends(deadline, contacts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = reminder_pass(today=THIRTY_DAYS_BEFORE)
    assert len(callbacks) == 1  # one task for the batch, run in-process without a broker
    assert len(result.handed_over) == 3
    assert len(mail.outbox) == 3


def test_catch_up_sends_only_the_most_urgent_reminder(deadline, contacts):
    reminder_pass(today=DUE - datetime.timedelta(days=90), enqueue=False)
    # No pass ran between 90 and 5 days before: the 30- and 7-day reminders were missed.
    reminder_pass(today=DUE - datetime.timedelta(days=5), enqueue=False)
    assert sorted({t for t, _, _ in _rows(deadline)}) == [7, 90]


def test_catch_up_cancels_an_older_reminder_still_pending(deadline, contacts):
    reminder_pass(today=DUE - datetime.timedelta(days=30), dry_run=False, enqueue=True)  # not sent: no commit
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.PENDING, threshold=30).count() == 3
    result = reminder_pass(today=DUE - datetime.timedelta(days=6), enqueue=False)
    assert result.superseded == 3
    statuses = {t: s for t, _, s in _rows(deadline)}
    assert statuses == {30: DeliveryStatus.CANCELLED, 7: DeliveryStatus.SENT}


def test_an_older_threshold_is_never_sent_after_a_more_urgent_one(deadline, contacts):
    reminder_pass(today=DUE - datetime.timedelta(days=6), enqueue=False)
    later = reminder_pass(today=DUE - datetime.timedelta(days=20), enqueue=False)
    assert later.planned == []


def test_overdue_deadline_is_not_mailed(deadline, contacts):
    result = reminder_pass(today=DUE + datetime.timedelta(days=1), enqueue=False)
    assert not any(p.deadline_id == deadline.pk for p in result.planned)
    assert mail.outbox == []


def test_renewal_stops_reminders(certification, deadline, contacts):
    certification_renew(certification=certification, issued_on=datetime.date(2025, 4, 1))
    result = reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    assert not ReminderDelivery.objects.filter(deadline=deadline).exists()
    assert all(p.deadline_id != deadline.pk for p in result.planned)


def test_reminder_pending_when_the_deadline_is_done_is_cancelled_not_sent(deadline, contacts):
    ids = reminder_pass(today=THIRTY_DAYS_BEFORE).handed_over  # the task runs after the commit ...
    deadline_mark_done(deadline=deadline, done_on=THIRTY_DAYS_BEFORE)  # ... which comes after this
    outbound_send(ReminderDelivery, ids)
    assert mail.outbox == []
    assert {s for _, _, s in _rows(deadline)} == {DeliveryStatus.CANCELLED}


def test_firm_without_contact_email_reminds_staff_marked_so(deadline, liaison):
    ContactFactory(firm=deadline.firm, email="")
    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    delivery = ReminderDelivery.objects.get()
    assert (delivery.email, delivery.firm_has_no_contact) == (liaison.email, True)
    # The liaison reads Chinese, the product's default language.
    assert mail.outbox[0].subject.startswith("【企业无联系人】")
    assert "该企业没有留有电子邮箱的联系人" in mail.outbox[0].body


def test_managers_are_reminded_when_the_liaison_opted_out(deadline, contacts, liaison, manager, incubator):
    liaison.memberships.filter(incubator=incubator).update(receives_reminders=False)
    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    staff = set(ReminderDelivery.objects.filter(recipient_kind="staff").values_list("email", flat=True))
    assert staff == {manager.email}


def test_contact_who_opted_out_is_not_reminded(deadline, contacts):
    contacts[1].receives_reminders = False
    contacts[1].save()
    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    assert not ReminderDelivery.objects.filter(email="smith@hailan.example.org").exists()


def test_reminder_days_are_taken_from_the_certification_kind(deadline, contacts):
    kind = deadline.certification.kind
    kind.reminder_days = [45]
    kind.save()
    assert reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=True).planned[0].threshold == 45


def test_dry_run_writes_nothing(deadline, contacts):
    result = reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=True)
    assert len(result.planned) == 3
    assert not ReminderDelivery.objects.exists()


def _lapse_before_the_report(certification) -> None:
    """Bring the expiry forward to 30 April 2025 the way a bulk correction does: no save(), so the
    stored deadlines still hold the annual report due 31 May 2025 (the pass's expiry closes it)."""
    Certification.objects.filter(pk=certification.pk).update(expires_on=datetime.date(2025, 4, 30))


def test_pass_after_expiry_sends_no_annual_report_reminder_of_the_lapsed_certificate(
    certification, deadline, contacts
):
    _lapse_before_the_report(certification)
    result = reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    assert (result.expired, result.planned) == (1, [])
    assert not ReminderDelivery.objects.exists() and mail.outbox == []
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.EXPIRED
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.CLOSED


def test_pass_after_expiry_keeps_the_at_expiry_duty_open_and_overdue(certification, deadline, contacts):
    _lapse_before_the_report(certification)
    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    open_duties = certification.deadlines.filter(status=DeadlineStatus.OPEN)
    assert [(d.obligation.code, d.due_on) for d in open_duties] == [
        ("recertification", datetime.date(2025, 4, 30))
    ]


def test_dry_run_plans_as_if_lapsed_certificates_expired_and_writes_nothing(
    certification, deadline, contacts
):
    _lapse_before_the_report(certification)
    result = reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=True)
    assert (result.expired, result.planned) == (1, [])
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.GRANTED
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN


def test_pass_queries_do_not_grow_with_the_number_of_due_deadlines(
    firm, contacts, incubator, django_assert_num_queries
):
    from tests.factories import CertificationFactory, FirmFactory, ResidencyFactory

    CertificationFactory(firm=firm, issued_on=datetime.date(2023, 12, 1))
    # 7 for the pass, 1 for the lapsed certificates, 3 for the dry run's savepoint it rolls back.
    with django_assert_num_queries(11):
        reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=True)
    for _ in range(49):
        other = FirmFactory()
        ResidencyFactory(firm=other, incubator=incubator)
        ContactFactory(firm=other)
        CertificationFactory(firm=other, issued_on=datetime.date(2023, 12, 1))
    MembershipFactory(incubator=incubator, role=StaffRole.MANAGER)
    with django_assert_num_queries(11):
        result = reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=True)
    assert len({p.deadline_id for p in result.planned}) == 50


def test_a_second_pass_skips_the_recipients_lookup_when_the_page_is_recorded(deadline, contacts, monkeypatch):
    from portfolio.services.reminders import passes

    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    looked_up = []
    lookup = passes.recipients_for_firms
    monkeypatch.setattr(passes, "recipients_for_firms", lambda ids: looked_up.append(ids) or lookup(ids))
    second = reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    assert (second.scanned, second.planned, looked_up) == (1, [], [])


def test_a_contact_added_after_a_threshold_was_recorded_gets_the_next_threshold(deadline, contacts, firm):
    # Recipients are looked up when a deadline's threshold is first recorded; whoever is added
    # afterwards gets the deadline's next reminder, not a late copy of this one.
    reminder_pass(today=THIRTY_DAYS_BEFORE, enqueue=False)
    ContactFactory(firm=firm, email="late@hailan.example.org")
    reminder_pass(today=THIRTY_DAYS_BEFORE + datetime.timedelta(days=1), enqueue=False)
    assert not ReminderDelivery.objects.filter(email="late@hailan.example.org").exists()
    reminder_pass(today=DUE - datetime.timedelta(days=7), enqueue=False)
    assert list(
        ReminderDelivery.objects.filter(email="late@hailan.example.org").values_list("threshold", flat=True)
    ) == [7]


def test_recording_the_same_rows_twice_keeps_one_and_fails_nothing(deadline, contacts):
    # Two passes at once: the second insert of the same (deadline, threshold, address) is dropped.
    from django.utils import timezone

    from portfolio.services.reminders.passes import _insert_ignoring_conflicts

    rows = [(deadline.pk, 30, 30, "contact", contacts[0].pk, None, False, contacts[0].email, "en")]
    for _ in range(2):
        _insert_ignoring_conflicts(rows, for_date=THIRTY_DAYS_BEFORE, next_attempt_at=timezone.now())
    [row] = ReminderDelivery.objects.filter(deadline=deadline)
    assert (row.threshold, row.email, row.status, row.attempts, row.enqueued_at) == (
        30,
        contacts[0].email,
        DeliveryStatus.PENDING,
        0,
        None,
    )
    assert row.created_at is not None and row.for_date == THIRTY_DAYS_BEFORE
