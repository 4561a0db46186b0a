"""Incubatees with everything the Torch return asks for, and the records around them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from portfolio.choices import MentorKind
from portfolio.models import Firm, Incubator, Mentor, Residency, YearlyFigures
from portfolio.models.torch_fields import FounderProfile, Sex, TaxpayerType
from portfolio.rules.credit_code import check_character, organisation_check_character
from tests.factories import FirmFactory, ResidencyFactory, YearlyFiguresFactory

YEAR = 2024
PEOPLE = {"unit_head": "王总", "statistics_head": "李统计", "form_filler": "张填表", "phone": "0532-88886666"}


def credit_code(n: int) -> str:
    """A valid unified social credit code, different for each n."""
    body = f"{n:08d}"
    head = "91370200" + body + organisation_check_character(body)
    return head + check_character(head)


class MentorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mentor

    name = factory.Sequence(lambda n: f"导师{n}")
    kind = MentorKind.STARTUP_MENTOR


class TorchFirmFactory(FirmFactory):
    """A firm with every firm-level field of the return filled in."""

    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    founded_on = datetime.date(2022, 5, 1)
    industry = "electronic_information"
    nbs_industry_code = "I6510"
    registration_type = "有限责任公司"
    taxpayer_type = TaxpayerType.SMALL_SCALE
    founder_profile = FounderProfile.SCIENTIST
    serial_founder = False
    founder_sex = Sex.FEMALE
    registered_capital = Decimal("1000000.00")


def torch_figures(firm: Firm, year: int = YEAR, **values) -> YearlyFigures:
    """Complete figures of the year, accepted through a request unless accepted_at=None."""
    defaults = dict(
        revenue=Decimal("5000000.00"),
        rd_expense=Decimal("600000.00"),
        tax_paid=Decimal("120000.00"),
        angel_vc_received=Decimal("0.00"),
        employees=30,
        rd_staff=10,
        net_profit=Decimal("250000.00"),
        imports_exports=Decimal("0.00"),
        staff_phd=1,
        staff_college=20,
        staff_returnees=0,
        staff_talent_plan=0,
        staff_fresh_graduates=3,
        ip_applied=4,
        ip_granted=2,
        ip_valid=6,
        invention_patents=1,
        software_copyrights=3,
        plant_varieties=0,
        ic_layouts=0,
        foreign_patents_bought=0,
        tech_contracts=1,
        tech_contracts_amount=Decimal("80000.00"),
        national_projects=0,
        provincial_awards=0,
        accepted_at=timezone.now(),
    )
    defaults.update(values)
    return YearlyFiguresFactory(firm=firm, year=year, **defaults)


def accepted_submission(incubator: Incubator, firm: Firm, year: int = YEAR, **values) -> FiguresSubmission:
    request, _created = FiguresRequest.objects.get_or_create(
        incubator=incubator, year=year, defaults={"due_on": datetime.date(year + 1, 1, 10)}
    )
    return FiguresSubmission.objects.create(
        request=request,
        firm=firm,
        status=SubmissionStatus.ACCEPTED,
        values={**PEOPLE, **values},
        link_expires_at=timezone.now() + datetime.timedelta(days=30),
        submitted_at=timezone.now(),
        reviewed_at=timezone.now(),
    )


def incubatee(
    incubator: Incubator,
    *,
    year: int = YEAR,
    entered_on: datetime.date = datetime.date(2023, 3, 1),
    figures: dict | None = None,
    residency: dict | None = None,
    **firm_values,
) -> tuple[Firm, Residency]:
    """A complete incubatee of ``year``: firm, stay, accepted figures and submission."""
    firm = TorchFirmFactory(**firm_values)
    stay = ResidencyFactory(
        firm=firm,
        incubator=incubator,
        entered_on=entered_on,
        **{"space_m2": Decimal("120.00"), **(residency or {})},
    )
    torch_figures(firm, year, **(figures or {}))
    accepted_submission(incubator, firm, year)
    return firm, stay
