import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from partners.models import AccessLogEntry, ApiKey
from tests.factories import BankFactory, OrganisationFactory, UserFactory
from tests.partners.api.conftest import key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_shows_a_new_key_once_and_stores_only_its_digest(admin_client):
    bank = BankFactory()
    response = admin_client.post(
        reverse("admin:partners_apikey_add"),
        {"organisation": bank.pk, "name": "core banking", "expires_at_0": "", "expires_at_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = (
        next(m for m in shown if key.prefix in m)
        .split("<code style='user-select:all'>")[1]
        .split("</code>")[0]
    )
    assert key.matches(raw)
    assert key_client(raw).get("/api/v1/firms/").status_code == 200
    change_page = admin_client.get(reverse("admin:partners_apikey_change", args=[key.pk])).content.decode()
    assert raw not in change_page
    assert raw not in admin_client.get(reverse("admin:partners_apikey_changelist")).content.decode()


def test_admin_revoke_action_stops_the_key(admin_client):
    from tests.partners.api.conftest import make_key

    key, raw = make_key(BankFactory())
    admin_client.post(
        reverse("admin:partners_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key_client(raw).get("/api/v1/firms/").status_code == 401


def test_access_log_admin_is_read_only_and_filters_per_firm_and_bank(admin_client):
    from tests.factories import ConsentFactory
    from tests.partners.api.conftest import make_key

    bank = BankFactory()
    firm = ConsentFactory(organisation=bank).firm
    key_client(make_key(bank)[1]).get("/api/v1/firms/")
    entry = AccessLogEntry.objects.get()
    url = reverse("admin:partners_accesslogentry_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(f"{url}?firm={firm.pk}").context["cl"].result_count == 1
    assert admin_client.get(f"{url}?firm={firm.pk + 1000}").context["cl"].result_count == 0
    assert admin_client.get(f"{url}?organisation__id__exact={bank.pk}").context["cl"].result_count == 1
    assert (
        admin_client.get(reverse("admin:partners_accesslogentry_change", args=[entry.pk])).status_code == 200
    )
    assert admin_client.get(reverse("admin:partners_accesslogentry_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:partners_accesslogentry_delete", args=[entry.pk])).status_code == 403
    )


def test_loan_application_admin_opens(admin_client):
    from partners.services.loans import loan_apply
    from tests.factories import ConsentFactory

    bank = BankFactory()
    firm = ConsentFactory(organisation=bank).firm
    loan = loan_apply(bank=bank, firm=firm, instrument="credit", applied_on=datetime.date(2025, 1, 2))
    assert admin_client.get(reverse("admin:partners_loanapplication_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:partners_loanapplication_change", args=[loan.pk])).status_code == 200
    )


def test_create_partner_key_prints_a_working_key_once(capsys):
    bank = BankFactory(key="bank-of-qingdao")
    call_command("create_partner_key", "bank-of-qingdao", "--expires", "2099-12-31", "--name", "loans")
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(organisation=bank)
    assert key.matches(raw)
    assert timezone.localtime(key.expires_at).date() == datetime.date(2100, 1, 1)
    assert key_client(raw).get("/api/v1/firms/").status_code == 200


def test_create_partner_key_refuses_a_non_partner():
    OrganisationFactory(name="孵化器运营方")
    with pytest.raises(CommandError):
        call_command("create_partner_key", "孵化器运营方")


def test_create_partner_key_refuses_a_bad_date():
    BankFactory(name="青岛银行")
    with pytest.raises(CommandError):
        call_command("create_partner_key", "青岛银行", "--expires", "31/12/2099")
