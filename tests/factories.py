"""factory_boy factories shared by every test module."""

from __future__ import annotations

import datetime

import factory

from accounts.models import IncubatorMembership, Organisation, OrganisationKind, StaffRole, User
from partners.models import BankRecommendation, Consent
from portfolio.choices import (
    CertificationStatus,
    DistinctionKind,
    DistinctionLevel,
    FinancingKind,
    IncidentKind,
    Instrument,
    ProgrammeKind,
    ServiceKind,
    StandardRole,
)
from portfolio.models import (
    Certification,
    CertificationKind,
    ComplianceIncident,
    Contact,
    Distinction,
    FinancingEvent,
    Firm,
    Incubator,
    InnovationSelfAssessment,
    Programme,
    Residency,
    ServiceRecord,
    YearlyFigures,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"机构{n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.INCUBATOR_OPERATOR


class BankFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"银行{n}")
    name_en = factory.Sequence(lambda n: f"Bank {n}")
    kind = OrganisationKind.BANK
    is_partner = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-123456")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffUserFactory(UserFactory):
    is_staff = True


class IncubatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incubator

    name = factory.Sequence(lambda n: f"孵化器{n}")
    name_en = factory.Sequence(lambda n: f"Incubator {n}")
    city = "青岛"
    operator = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncubatorMembership

    user = factory.SubFactory(StaffUserFactory)
    incubator = factory.SubFactory(IncubatorFactory)
    role = StaffRole.LIAISON


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    name = factory.Sequence(lambda n: f"青岛测试科技有限公司{n}")
    name_en = factory.Sequence(lambda n: f"Test Technology {n}")


class ResidencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Residency

    firm = factory.SubFactory(FirmFactory)
    incubator = factory.SubFactory(IncubatorFactory)
    entered_on = datetime.date(2024, 3, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    email = factory.Sequence(lambda n: f"contact{n}@firm.example.org")


def kind(code: str) -> CertificationKind:
    """A certification kind seeded by the migrations: tsme, hnte, listing_pool, medical_device ..."""
    return CertificationKind.objects.get(code=code)


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    firm = factory.SubFactory(FirmFactory)
    kind = factory.LazyFunction(lambda: kind("hnte"))
    status = CertificationStatus.GRANTED
    issued_on = datetime.date(2024, 12, 1)


class FinancingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancingEvent

    firm = factory.SubFactory(FirmFactory)
    kind = FinancingKind.EQUITY
    instrument = Instrument.ROUND_A
    amount = 10_000_000
    occurred_on = datetime.date(2024, 6, 1)


class YearlyFiguresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearlyFigures

    firm = factory.SubFactory(FirmFactory)
    year = 2024
    revenue = 20_000_000
    rd_expense = 1_500_000
    employees = 60
    rd_staff = 15


class AwardFactory(factory.django.DjangoModelFactory):
    """A national S&T award, the firm second among the completing units."""

    class Meta:
        model = Distinction

    firm = factory.SubFactory(FirmFactory)
    kind = DistinctionKind.AWARD
    level = DistinctionLevel.NATIONAL
    year = 2023
    rank = 2
    title = "国家科学技术进步奖二等奖"


class StandardFactory(AwardFactory):
    kind = DistinctionKind.STANDARD
    rank = None
    role = StandardRole.LED
    title = "GB/T 00000-2024 测试标准"


class RdInstitutionFactory(AwardFactory):
    kind = DistinctionKind.RD_INSTITUTION
    level = DistinctionLevel.PROVINCIAL
    rank = None
    awarded_on = datetime.date(2024, 3, 1)
    valid_until = datetime.date(2027, 2, 28)
    title = "山东省工程技术研究中心"


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ComplianceIncident

    firm = factory.SubFactory(FirmFactory)
    kind = IncidentKind.ENVIRONMENTAL_VIOLATION
    occurred_on = datetime.date(2024, 5, 10)


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InnovationSelfAssessment

    firm = factory.SubFactory(FirmFactory)
    year = 2025
    ip_advancement = 5
    ip_core_support = 5
    ip_how_obtained = 4
    ip_standards_bonus = 0
    rd_management = 4
    rd_institution = 4
    conversion_incentives = 2
    training_rewards = 2


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"项目{n}")
    kind = ProgrammeKind.SCIENCE_CREDIT
    fund_size = 10_000_000
    risk_share_percent = 50


class ServiceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRecord

    kind = ServiceKind.TRAINING
    topic = "科小企评价培训"
    hours = 2


class ConsentFactory(factory.django.DjangoModelFactory):
    """A consent in force since 2024-01-01, open-ended."""

    class Meta:
        model = Consent

    firm = factory.SubFactory(FirmFactory)
    organisation = factory.SubFactory(BankFactory)
    starts_on = datetime.date(2024, 1, 1)


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankRecommendation

    firm = factory.SubFactory(FirmFactory)
    incubator = factory.SubFactory(IncubatorFactory)
    bank = factory.SubFactory(BankFactory)
    recommended_on = datetime.date(2025, 1, 10)
