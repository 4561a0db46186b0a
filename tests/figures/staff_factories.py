"""Data of the staff side's tests: an incubator with its staff and resident firms, a second
incubator with staff of its own, and a complete, valid answer to every askable field."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.test import Client
from django.utils import timezone

from accounts.models import StaffRole, User
from figures.fields import ALL_FIELDS
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from figures.services.requests import figures_request_open
from portfolio.models import Firm, Incubator
from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user
from tests.factories import ContactFactory, FirmFactory, IncubatorFactory, MembershipFactory, ResidencyFactory

YEAR = 2025
PASSWORD = "pw-123456"


@dataclass
class Hosted:
    incubator: Incubator
    manager: User
    liaison: User
    counsellor: User
    firms: list[Firm]
    other_incubator: Incubator
    outsider: User  # a liaison of the other incubator
    outsider_firm: Firm


def staff(incubator: Incubator, role: str, email: str) -> User:
    membership = MembershipFactory(incubator=incubator, role=role, user__email=email, user__is_staff=True)
    user = User.objects.get(pk=membership.user_id)
    staff_roles_sync_user(user=user)
    return user


def resident_firm(incubator: Incubator, name: str, entered_on=datetime.date(2024, 3, 1), **kwargs) -> Firm:
    firm = FirmFactory(name=name)
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=entered_on, **kwargs)
    ContactFactory(firm=firm)
    return firm


def hosted(*, firms: int = 3) -> Hosted:
    staff_roles_setup()
    incubator = IncubatorFactory(name="青岛数据孵化器", name_en="Qingdao Data Incubator")
    other = IncubatorFactory(name="烟台其他孵化器", name_en="Yantai Other Incubator")
    return Hosted(
        incubator=incubator,
        manager=staff(incubator, StaffRole.MANAGER, "manager@data.example.org"),
        liaison=staff(incubator, StaffRole.LIAISON, "liaison@data.example.org"),
        counsellor=staff(incubator, StaffRole.COUNSELLOR, "counsellor@data.example.org"),
        firms=[resident_firm(incubator, f"青岛数据测试科技有限公司{i:02d}") for i in range(firms)],
        other_incubator=other,
        outsider=staff(other, StaffRole.LIAISON, "liaison@other.example.org"),
        outsider_firm=resident_firm(other, "烟台别家科技有限公司"),
    )


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def open_request(h: Hosted, **overrides) -> FiguresRequest:
    kwargs = {
        "incubator": h.incubator,
        "year": YEAR,
        "due_on": timezone.localdate() + datetime.timedelta(days=30),
        "field_names": list(ALL_FIELDS),
        "firm_ids": [f.pk for f in h.firms],
        "message": "请于月底前填报。",
        "created_by": h.liaison,
    }
    return figures_request_open(**{**kwargs, **overrides})


# A complete answer that passes the founder's form (every limit kept; no plausibility warning
# without last year's figures).
VALID_VALUES = {
    "revenue": "5000000",
    "high_tech_revenue": "3500000",
    "total_cost": "4200000",
    "rd_expense": "400000",
    "rd_expense_domestic": "400000",
    "net_profit": "300000",
    "tax_paid": "200000",
    "total_assets": "6000000",
    "total_liabilities": "2000000",
    "angel_vc_received": "0",
    "imports_exports": "0",
    "employees": "40",
    "rd_staff": "12",
    "staff_college": "30",
    "staff_phd": "2",
    "staff_returnees": "1",
    "staff_talent_plan": "0",
    "staff_fresh_graduates": "3",
    "ip_class1": "1",
    "ip_class2": "4",
    "ip_applied": "3",
    "ip_granted": "2",
    "ip_valid": "6",
    "invention_patents": "1",
    "software_copyrights": "3",
    "plant_varieties": "0",
    "ic_layouts": "0",
    "foreign_patents_bought": "0",
    "results_converted": "2",
    "tech_contracts": "1",
    "tech_contracts_amount": "150000",
    "national_projects": "0",
    "provincial_awards": "0",
    "registration_type": "有限责任公司",
    "nbs_industry_code": "I6510",
    "taxpayer_type": "general",
    "founder_profile": "scientist",
    "serial_founder": "no",
    "founder_sex": "female",
    "registered_capital": "1000000",
    "unit_head": "王经理",
    "statistics_head": "李会计",
    "form_filler": "张三",
    "phone": "0532-88886666",
}
assert set(VALID_VALUES) == set(ALL_FIELDS), set(ALL_FIELDS) ^ set(VALID_VALUES)


def submit(
    submission: FiguresSubmission, values: dict | None = None, by: str = "张三 <zhang@firm.example.org>"
):
    """Put the submission in the state the founder's page leaves it in after a submit."""
    asked = submission.request.fields or list(ALL_FIELDS)
    submission.values = {k: v for k, v in (values or VALID_VALUES).items() if k in asked}
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.submitted_by = by
    submission.save()
    return submission
