"""Upcoming deadlines page, marking deadlines done, renewals, obligation changes re-syncing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from portfolio.choices import CertificationStatus, DeadlineStatus
from portfolio.models import Certification, Deadline, Obligation, RecipientKind, ReminderDelivery
from tests.portfolio.admin.conftest import staff_member

pytestmark = pytest.mark.django_db

UPCOMING = "admin:portfolio_deadline_upcoming"


def _only_deadlines(
    portfolio, *, mine: list[int], theirs: list[int]
) -> tuple[list[Deadline], list[Deadline]]:
    """Keep deadlines due in ``mine``/``theirs`` days from today for the two firms; delete the rest."""
    today = timezone.localdate()
    result = []
    for certification, offsets in ((portfolio.certification, mine), (portfolio.other_certification, theirs)):
        kept = list(certification.deadlines.order_by("pk")[: len(offsets)])
        certification.deadlines.exclude(pk__in=[d.pk for d in kept]).delete()
        for deadline, days in zip(kept, offsets, strict=True):
            Deadline.objects.filter(pk=deadline.pk).update(
                due_on=today + datetime.timedelta(days=days), status=DeadlineStatus.OPEN
            )
        result.append(list(Deadline.objects.filter(pk__in=[d.pk for d in kept]).order_by("due_on")))
    return result[0], result[1]


def test_upcoming_lists_the_users_open_deadlines_overdue_first(liaison_client, portfolio):
    mine, _ = _only_deadlines(portfolio, mine=[40, -3, 200], theirs=[5])
    response = liaison_client.get(reverse(UPCOMING))
    rows = response.context["rows"]
    assert [r["deadline"].pk for r in rows] == [mine[0].pk, mine[1].pk]  # -3, then 40; 200 is past 90 days
    assert [r["overdue"] for r in rows] == [True, False]
    assert rows[0]["deadline"].incubator_name == portfolio.incubator.name
    assert "deadline-overdue" in response.content.decode()


def test_upcoming_window_is_selectable(liaison_client, portfolio):
    _only_deadlines(portfolio, mine=[40, 200], theirs=[5])
    assert len(liaison_client.get(reverse(UPCOMING), {"days": 30}).context["rows"]) == 0
    assert len(liaison_client.get(reverse(UPCOMING), {"days": 365}).context["rows"]) == 2


def test_upcoming_ignores_an_unknown_window(liaison_client, portfolio):
    assert liaison_client.get(reverse(UPCOMING), {"days": "abc"}).context["days"] == 90


def test_upcoming_is_linked_from_the_admin_index(liaison_client, portfolio):
    assert reverse(UPCOMING) in liaison_client.get(reverse("admin:index")).content.decode()


def test_mark_done_action_closes_the_deadline(liaison_client, liaison, portfolio):
    deadline = portfolio.certification.deadlines.filter(status=DeadlineStatus.OPEN).first()
    response = liaison_client.post(
        reverse("admin:portfolio_deadline_changelist"),
        {"action": "mark_done", "_selected_action": [deadline.pk]},
    )
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert (deadline.status, deadline.done_by, deadline.done_on) == (
        DeadlineStatus.DONE,
        liaison,
        timezone.localdate(),
    )


def test_mark_done_action_cannot_reach_another_incubators_deadline(liaison_client, portfolio):
    deadline = portfolio.other_certification.deadlines.filter(status=DeadlineStatus.OPEN).first()
    liaison_client.post(
        reverse("admin:portfolio_deadline_changelist"),
        {"action": "mark_done", "_selected_action": [deadline.pk]},
    )
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.OPEN


def test_certification_action_marks_its_next_deadline_done(liaison_client, portfolio):
    first = portfolio.certification.deadlines.filter(status=DeadlineStatus.OPEN).order_by("due_on").first()
    liaison_client.post(
        reverse("admin:portfolio_certification_changelist"),
        {"action": "mark_next_deadline_done", "_selected_action": [portfolio.certification.pk]},
    )
    first.refresh_from_db()
    assert first.status == DeadlineStatus.DONE


def test_renew_records_a_new_certificate_and_expires_the_old(liaison_client, portfolio):
    url = reverse("admin:portfolio_certification_renew", args=[portfolio.certification.pk])
    change_page = liaison_client.get(
        reverse("admin:portfolio_certification_change", args=[portfolio.certification.pk])
    )
    assert url in change_page.content.decode()
    response = liaison_client.post(url, {"issued_on": "2027-11-01", "number": "GR2027370001"})
    assert response.status_code == 302
    portfolio.certification.refresh_from_db()
    assert portfolio.certification.status == CertificationStatus.EXPIRED
    assert not portfolio.certification.deadlines.filter(status=DeadlineStatus.OPEN).exists()
    renewed = Certification.objects.get(number="GR2027370001")
    assert renewed.expires_on == datetime.date(2030, 10, 31)


def test_renew_with_expiry_before_issue_is_a_field_error(liaison_client, portfolio):
    url = reverse("admin:portfolio_certification_renew", args=[portfolio.certification.pk])
    response = liaison_client.post(url, {"issued_on": "2027-11-01", "expires_on": "2027-01-01"})
    assert response.status_code == 200
    assert "expires_on" in response.context["form"].errors
    portfolio.certification.refresh_from_db()
    assert portfolio.certification.status == CertificationStatus.GRANTED


def test_renew_of_another_incubators_certificate_is_404(liaison_client, portfolio):
    url = reverse("admin:portfolio_certification_renew", args=[portfolio.other_certification.pk])
    assert liaison_client.post(url, {"issued_on": "2027-11-01"}).status_code == 404


def test_saving_an_obligation_resyncs_the_deadlines_of_its_kind(
    admin_client, portfolio, django_capture_on_commit_callbacks
):
    obligation = Obligation.objects.get(kind__code="hnte", code="annual-report")
    url = reverse("admin:portfolio_obligation_change", args=[obligation.pk])
    from tests.portfolio.admin.forms import form_data

    page = admin_client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, form_data(page, due_month="6", due_day="30"))
    assert response.status_code == 302
    open_reports = Deadline.objects.filter(
        certification=portfolio.certification, obligation=obligation, status=DeadlineStatus.OPEN
    )
    assert open_reports.exists()
    assert {(d.month, d.day) for d in open_reports.values_list("due_on", flat=True)} == {(6, 30)}


def test_saving_an_obligation_queues_the_resync_instead_of_running_it(
    admin_client, portfolio, django_capture_on_commit_callbacks, django_assert_max_num_queries, monkeypatch
):
    from tests.portfolio.admin.forms import form_data

    queued = []
    monkeypatch.setattr("portfolio.tasks.kind_sync_deadlines.delay", lambda *args: queued.append(args))
    obligation = Obligation.objects.get(kind__code="hnte", code="annual-report")
    before = set(Deadline.objects.filter(obligation=obligation).values_list("due_on", "status"))
    url = reverse("admin:portfolio_obligation_change", args=[obligation.pk])
    page = admin_client.get(url)
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(30):
        response = admin_client.post(url, form_data(page, due_month="6", due_day="30"), follow=True)
    assert set(Deadline.objects.filter(obligation=obligation).values_list("due_on", "status")) == before
    assert "re-sync queued" in response.content.decode()
    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [(obligation.kind_id,)]


def test_saving_a_kind_with_a_changed_obligation_queues_one_resync(
    admin_client, portfolio, django_capture_on_commit_callbacks, monkeypatch
):
    from portfolio.models import CertificationKind
    from tests.portfolio.admin.forms import form_data

    queued = []
    monkeypatch.setattr("portfolio.tasks.kind_sync_deadlines.delay", lambda *args: queued.append(args))
    kind = CertificationKind.objects.get(code="hnte")
    url = reverse("admin:portfolio_certificationkind_change", args=[kind.pk])
    page = admin_client.get(url)
    data = form_data(page)
    index = next(i for i in range(5) if data.get(f"obligations-{i}-code") == "annual-report")
    data[f"obligations-{index}-due_day"] = "30"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data, follow=True)
    assert "re-sync queued" in response.content.decode()
    assert queued == [(kind.pk,)]
    assert Obligation.objects.get(kind=kind, code="annual-report").due_day == 30


def test_counsellor_sees_upcoming_deadlines_of_their_incubator(client, portfolio):
    client.force_login(staff_member(portfolio.incubator, "counsellor"))
    _only_deadlines(portfolio, mine=[10], theirs=[10])
    rows = client.get(reverse(UPCOMING)).context["rows"]
    assert [r["deadline"].firm_id for r in rows] == [portfolio.firm.pk]


def _delivery(deadline: Deadline, email: str) -> ReminderDelivery:
    return ReminderDelivery.objects.create(
        deadline=deadline,
        threshold=30,
        days_left=30,
        for_date=timezone.localdate(),
        recipient_kind=RecipientKind.CONTACT,
        email=email,
        next_attempt_at=timezone.now(),
    )


def test_deadline_list_links_each_deadline_to_its_reminder_deliveries(admin_client, portfolio):
    first, second = portfolio.certification.deadlines.order_by("pk")[:2]
    _delivery(first, "first@firm.example.org")
    _delivery(second, "second@firm.example.org")
    link = f"{reverse('admin:portfolio_reminderdelivery_changelist')}?deadline__id__exact={first.pk}"
    page = admin_client.get(reverse("admin:portfolio_deadline_changelist"))
    assert f'href="{link}"' in page.content.decode()
    shown = admin_client.get(link).context["cl"].result_list
    assert [d.email for d in shown] == ["first@firm.example.org"]


def test_deadline_list_has_no_reminder_links_for_staff_who_cannot_see_deliveries(client, portfolio):
    from django.contrib.auth.models import Group, Permission

    from tests.portfolio.admin.conftest import staff_member

    liaison = staff_member(portfolio.incubator, StaffRole.LIAISON)
    Group.objects.get(name="Liaison").permissions.remove(
        Permission.objects.get(codename="view_reminderdelivery")
    )
    client.force_login(liaison)
    page = client.get(reverse("admin:portfolio_deadline_changelist"))
    assert "reminders" not in page.context["cl"].list_display
    assert reverse("admin:portfolio_reminderdelivery_changelist") not in page.content.decode()


def test_deadline_list_filtered_to_overdue_shows_them_soonest_first_and_marked(liaison_client, portfolio):
    mine, _ = _only_deadlines(portfolio, mine=[-3, -40, 10], theirs=[-5])
    response = liaison_client.get(reverse("admin:portfolio_deadline_changelist"), {"due": "overdue"})
    assert [d.pk for d in response.context["cl"].result_list] == [mine[0].pk, mine[1].pk]
    page = response.content.decode()
    assert page.count("deadline-overdue") == 2 and "overdue by 40 days" in page
