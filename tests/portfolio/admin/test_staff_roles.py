"""The setup_staff_roles command: role groups with permissions, membership users put in them."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.models import StaffRole, User
from tests.factories import MembershipFactory, UserFactory
from tests.portfolio.admin.forms import form_data

pytestmark = pytest.mark.django_db


def test_command_creates_the_three_groups_with_permissions(db):
    call_command("setup_staff_roles")
    groups = {g.name: g for g in Group.objects.all()}
    assert set(groups) >= {"Incubator manager", "Liaison", "Counsellor"}
    liaison = {p.codename for p in groups["Liaison"].permissions.all()}
    assert {"change_firm", "add_certification", "view_deadline"} <= liaison
    assert "change_certificationkind" not in liaison
    assert "delete_firm" in {p.codename for p in groups["Incubator manager"].permissions.all()}


def test_command_puts_members_in_their_roles_group_and_makes_them_staff(db):
    membership = MembershipFactory(user=UserFactory(is_staff=False), role=StaffRole.LIAISON)
    call_command("setup_staff_roles")
    user = User.objects.get(pk=membership.user_id)
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == ["Liaison"]


def test_command_is_safe_to_run_twice(db):
    MembershipFactory(role=StaffRole.MANAGER)
    call_command("setup_staff_roles")
    call_command("setup_staff_roles")
    assert Group.objects.filter(name="Incubator manager").count() == 1


def test_liaison_group_member_opens_and_saves_own_firm_but_404s_on_another(client, portfolio):
    membership = MembershipFactory(user=UserFactory(is_staff=False), incubator=portfolio.incubator)
    call_command("setup_staff_roles")
    client.force_login(User.objects.get(pk=membership.user_id))
    url = reverse("admin:portfolio_firm_change", args=[portfolio.firm.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert client.post(url, form_data(page, industry_detail="医疗器械")).status_code == 302
    portfolio.firm.refresh_from_db()
    assert portfolio.firm.industry_detail == "医疗器械"
    other = reverse("admin:portfolio_firm_change", args=[portfolio.other_firm.pk])
    assert client.get(other).status_code == 404


def test_membership_added_on_the_incubator_page_gives_the_role_group(admin_client, portfolio):
    call_command("setup_staff_roles")
    newcomer = UserFactory(is_staff=False)
    url = reverse("admin:portfolio_incubator_change", args=[portfolio.incubator.pk])
    page = admin_client.get(url)
    prefix = next(i.formset.prefix for i in page.context["inline_admin_formsets"])
    data = form_data(page)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(int(data[f"{prefix}-TOTAL_FORMS"]) + 1),
            f"{prefix}-{data[f'{prefix}-TOTAL_FORMS']}-user": str(newcomer.pk),
            f"{prefix}-{data[f'{prefix}-TOTAL_FORMS']}-role": StaffRole.COUNSELLOR,
            f"{prefix}-{data[f'{prefix}-TOTAL_FORMS']}-receives_reminders": "on",
        }
    )
    assert admin_client.post(url, data).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert list(newcomer.groups.values_list("name", flat=True)) == ["Counsellor"]


def test_membership_added_on_the_user_page_gives_the_role_group(admin_client, portfolio):
    call_command("setup_staff_roles")
    newcomer = UserFactory(is_staff=False)
    url = reverse("admin:accounts_user_change", args=[newcomer.pk])
    page = admin_client.get(url)
    prefix = next(i.formset.prefix for i in page.context["inline_admin_formsets"])
    data = form_data(page)
    row = data[f"{prefix}-TOTAL_FORMS"]
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(int(row) + 1),
            f"{prefix}-{row}-incubator": str(portfolio.incubator.pk),
            f"{prefix}-{row}-role": StaffRole.LIAISON,
            f"{prefix}-{row}-receives_reminders": "on",
            # The user page shows date_joined as a split date/time widget.
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    newcomer.refresh_from_db()
    assert newcomer.is_staff
    assert list(newcomer.groups.values_list("name", flat=True)) == ["Liaison"]


@pytest.mark.parametrize("role", list(StaffRole))
def test_every_role_sees_and_may_resend_reminder_emails(role):
    call_command("setup_staff_roles")
    user = User.objects.get(pk=MembershipFactory(role=role).user_id)
    call_command("setup_staff_roles")
    user = User.objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("portfolio.view_reminderdelivery")
    assert user.has_perm("portfolio.view_digestdelivery")
