"""A portfolio with one firm of everything in incubator A, another firm in incubator B."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from accounts.models import StaffRole, User
from partners.models import BankRecommendation, Consent
from portfolio.choices import InstitutionRole, MentorKind, ProgrammeKind, ServiceKind
from portfolio.models import (
    Certification,
    FinancingEvent,
    FinancingParticipant,
    Firm,
    FirmAlias,
    Incubator,
    Mentor,
    Milestone,
    Programme,
    ServiceRecord,
)
from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user
from tests.factories import (
    AwardFactory,
    BankFactory,
    CertificationFactory,
    ContactFactory,
    FinancingEventFactory,
    FirmFactory,
    IncidentFactory,
    IncubatorFactory,
    MembershipFactory,
    ResidencyFactory,
    SelfAssessmentFactory,
    UserFactory,
    YearlyFiguresFactory,
)

PASSWORD = "pw-123456"


@dataclass
class Portfolio:
    incubator: Incubator
    other_incubator: Incubator
    firm: Firm
    other_firm: Firm
    certification: Certification
    other_certification: Certification
    event: FinancingEvent
    mentor: Mentor
    service: ServiceRecord
    consent: Consent
    recommendation: BankRecommendation
    milestone: Milestone
    programme: Programme


def firm_with_everything(incubator: Incubator, **firm_kwargs) -> tuple[Firm, Certification, FinancingEvent]:
    firm = FirmFactory(**firm_kwargs)
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2022, 1, 10))
    FirmAlias.objects.create(firm=firm, name=f"{firm.name}（旧名）")
    ContactFactory(firm=firm)
    certification = CertificationFactory(firm=firm, issued_on=datetime.date(2024, 12, 1))
    event = FinancingEventFactory(firm=firm)
    FinancingParticipant.objects.create(event=event, organisation=BankFactory(), role=InstitutionRole.LENDER)
    YearlyFiguresFactory(firm=firm)
    AwardFactory(firm=firm)
    IncidentFactory(firm=firm)
    SelfAssessmentFactory(firm=firm)
    return firm, certification, event


@pytest.fixture
def portfolio(db) -> Portfolio:
    return portfolio_build()


def portfolio_build() -> Portfolio:
    """Incubator A with one firm of everything, incubator B with another (what ``portfolio`` is)."""
    incubator = IncubatorFactory(name="青岛工研院孵化器")
    other_incubator = IncubatorFactory(name="烟台孵化器")
    firm, certification, event = firm_with_everything(incubator, name="青岛智腾科技有限公司")
    other_firm, other_certification, _ = firm_with_everything(
        other_incubator, name="烟台泰利汽车模具有限公司"
    )
    portfolio_programme = Programme.objects.create(name="康复贷", kind=ProgrammeKind.REHAB_LOAN, city="青岛")
    event.programme = portfolio_programme
    event.save()
    milestone = Milestone.objects.create(
        firm=firm, occurred_on=datetime.date(2019, 6, 1), title="入选上市培育库"
    )
    mentor = Mentor.objects.create(name="李凯", kind=MentorKind.STARTUP_MENTOR)
    mentor.incubators.add(incubator)
    service = ServiceRecord.objects.create(
        kind=ServiceKind.ONE_TO_ONE, incubator=incubator, mentor=mentor, topic="高企申报辅导"
    )
    service.firms.add(firm)
    bank = BankFactory()
    consent = Consent.objects.create(firm=firm, organisation=bank, starts_on=datetime.date(2025, 1, 1))
    recommendation = BankRecommendation.objects.create(
        firm=firm, incubator=incubator, bank=bank, recommended_on=datetime.date(2025, 3, 1)
    )
    return Portfolio(
        incubator=incubator,
        other_incubator=other_incubator,
        firm=firm,
        other_firm=other_firm,
        certification=certification,
        other_certification=other_certification,
        event=event,
        mentor=mentor,
        service=service,
        consent=consent,
        recommendation=recommendation,
        milestone=milestone,
        programme=portfolio_programme,
    )


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("root@example.org", PASSWORD)


def staff_member(incubator: Incubator, role: str = StaffRole.LIAISON) -> User:
    staff_roles_setup()
    user = UserFactory(is_staff=False)
    MembershipFactory(user=user, incubator=incubator, role=role)
    staff_roles_sync_user(user=user)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def liaison(portfolio) -> User:
    return staff_member(portfolio.incubator, StaffRole.LIAISON)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def liaison_client(client, liaison):
    client.force_login(liaison)
    return client


@pytest.fixture(autouse=True)
def _cold_content_type_cache():
    """Query counts must not depend on which test warmed Django's process-wide ContentType cache."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
