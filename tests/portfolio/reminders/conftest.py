import datetime

import pytest

from accounts.models import Language, StaffRole
from tests.factories import (
    CertificationFactory,
    ContactFactory,
    FirmFactory,
    IncubatorFactory,
    MembershipFactory,
    ResidencyFactory,
    StaffUserFactory,
)

# An HNTE certificate issued 2023-12-01: annual reports due 31 May 2024/2025/2026.
ISSUED = datetime.date(2023, 12, 1)
DUE = datetime.date(2025, 5, 31)
THIRTY_DAYS_BEFORE = datetime.date(2025, 5, 1)


@pytest.fixture
def incubator():
    return IncubatorFactory()


@pytest.fixture
def liaison(incubator):
    user = StaffUserFactory(email="liaison@incubator.example.org", preferred_language=Language.CHINESE)
    MembershipFactory(user=user, incubator=incubator, role=StaffRole.LIAISON)
    return user


@pytest.fixture
def manager(incubator):
    user = StaffUserFactory(email="manager@incubator.example.org", preferred_language=Language.ENGLISH)
    MembershipFactory(user=user, incubator=incubator, role=StaffRole.MANAGER)
    return user


@pytest.fixture
def firm(incubator, liaison):
    firm = FirmFactory(name="青岛海澜科技有限公司", name_en="Hailan Technology")
    ResidencyFactory(firm=firm, incubator=incubator, liaison=liaison)
    return firm


@pytest.fixture
def contacts(firm):
    return [
        ContactFactory(firm=firm, email="wang@hailan.example.org", preferred_language=Language.CHINESE),
        ContactFactory(firm=firm, email="Smith@Hailan.example.org", preferred_language=Language.ENGLISH),
    ]


@pytest.fixture
def certification(firm):
    return CertificationFactory(firm=firm, issued_on=ISSUED)


@pytest.fixture
def deadline(certification):
    return certification.deadlines.get(obligation__code="annual-report", due_on=DUE)
