"""The delivery admin: opens, filters, is scoped to the staff member's firms, re-sends."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from portfolio.models import DeliveryStatus, ReminderDelivery
from portfolio.services.reminders import reminder_pass
from tests.factories import (
    CertificationFactory,
    ContactFactory,
    FirmFactory,
    ResidencyFactory,
    UserFactory,
)
from tests.portfolio.reminders.conftest import ISSUED, THIRTY_DAYS_BEFORE

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:portfolio_reminderdelivery_changelist"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _firms(incubator, count):
    for _ in range(count):
        firm = FirmFactory()
        ResidencyFactory(firm=firm, incubator=incubator)
        ContactFactory(firm=firm)
        CertificationFactory(firm=firm, issued_on=ISSUED)
    reminder_pass(today=THIRTY_DAYS_BEFORE)


@pytest.mark.parametrize("rows", [1, 50])
def test_changelist_query_count_does_not_grow_with_rows(
    superuser_client, incubator, rows, django_assert_num_queries
):
    _firms(incubator, rows)
    assert ReminderDelivery.objects.count() == rows
    with django_assert_num_queries(8):
        response = superuser_client.get(reverse(CHANGELIST))
    assert response.status_code == 200


def test_changelist_filters_by_status(superuser_client, deadline, contacts):
    reminder_pass(today=THIRTY_DAYS_BEFORE)
    ReminderDelivery.objects.filter(email="wang@hailan.example.org").update(status=DeliveryStatus.FAILED)
    response = superuser_client.get(reverse(CHANGELIST), {"status__exact": "failed"})
    assert [d.email for d in response.context["cl"].result_list] == ["wang@hailan.example.org"]


def test_delivery_detail_page_opens(superuser_client, deadline, contacts):
    reminder_pass(today=THIRTY_DAYS_BEFORE)
    delivery = ReminderDelivery.objects.first()
    response = superuser_client.get(reverse("admin:portfolio_reminderdelivery_change", args=[delivery.pk]))
    assert response.status_code == 200


def test_staff_see_only_their_incubators_deliveries(client, deadline, contacts, liaison, incubator):
    other = FirmFactory()
    ResidencyFactory(firm=other)
    ContactFactory(firm=other, email="elsewhere@firm.example.org")
    CertificationFactory(firm=other, issued_on=ISSUED)
    reminder_pass(today=THIRTY_DAYS_BEFORE)
    liaison.user_permissions.add(Permission.objects.get(codename="view_reminderdelivery"))
    client.force_login(liaison)
    response = client.get(reverse(CHANGELIST))
    emails = {d.email for d in response.context["cl"].result_list}
    assert "elsewhere@firm.example.org" not in emails
    assert "wang@hailan.example.org" in emails


def test_resend_action_queues_failed_deliveries(
    superuser_client, deadline, contacts, django_capture_on_commit_callbacks
):
    reminder_pass(today=THIRTY_DAYS_BEFORE)
    ReminderDelivery.objects.update(status=DeliveryStatus.FAILED, last_error="550 5.1.1 No such user")
    failed = ReminderDelivery.objects.get(email="wang@hailan.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(
            reverse(CHANGELIST), {"action": "resend", "_selected_action": [failed.pk]}, follow=True
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT
    assert [m.to for m in mail.outbox] == [["wang@hailan.example.org"]]


@pytest.mark.parametrize("rows", [1, 50])
def test_digest_changelist_query_count_does_not_grow_with_rows(
    superuser_client, rows, django_assert_num_queries
):
    from django.utils import timezone

    from portfolio.models import DigestDelivery

    DigestDelivery.objects.bulk_create(
        DigestDelivery(
            user=UserFactory(), week_of=ISSUED, email=f"s{n}@x.org", next_attempt_at=timezone.now()
        )
        for n in range(rows)
    )
    with django_assert_num_queries(5):
        response = superuser_client.get(reverse("admin:portfolio_digestdelivery_changelist"))
    assert response.context["cl"].result_count == rows
