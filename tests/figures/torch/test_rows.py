"""The return's rows: who is in them and what each column reads."""

import datetime
from decimal import Decimal

import pytest

from figures.torch.returns import torch_return_build
from portfolio.choices import CertificationStatus, ExitReason, MentorKind, RecordOrigin, ServiceKind
from portfolio.models import ServiceRecord
from tests.factories import (
    CertificationFactory,
    FinancingEventFactory,
    IncubatorFactory,
    ResidencyFactory,
    kind,
)
from tests.figures.torch.factories import (
    PEOPLE,
    YEAR,
    MentorFactory,
    TorchFirmFactory,
    incubatee,
    torch_figures,
)

pytestmark = pytest.mark.django_db


def rows(incubator, year=YEAR) -> dict[str, dict]:
    return {e.name: e.values for e in torch_return_build(incubator=incubator, year=year).entries}


@pytest.fixture
def incubator():
    return IncubatorFactory(area_m2=Decimal("5000.00"))


def test_a_firm_is_in_the_return_when_its_stay_overlaps_the_year(incubator):
    incubatee(incubator, name="在孵", entered_on=datetime.date(2023, 3, 1))
    incubatee(incubator, name="年内入孵", entered_on=datetime.date(2024, 12, 31))
    incubatee(
        incubator,
        name="年内迁出",
        residency={"exited_on": datetime.date(2024, 1, 1), "exit_reason": ExitReason.MOVED_OUT},
    )
    incubatee(
        incubator,
        name="去年迁出",
        residency={"exited_on": datetime.date(2023, 12, 31), "exit_reason": ExitReason.MOVED_OUT},
    )
    incubatee(incubator, name="明年入孵", entered_on=datetime.date(2025, 1, 1))
    incubatee(IncubatorFactory(), name="别处")
    assert set(rows(incubator)) == {"在孵", "年内入孵", "年内迁出"}


def test_demo_firms_and_demo_stays_are_left_out(incubator):
    incubatee(incubator, name="真实")
    incubatee(incubator, name="演示企业", origin=RecordOrigin.DEMO)
    incubatee(incubator, name="演示入孵", residency={"origin": RecordOrigin.DEMO})
    assert list(rows(incubator)) == ["真实"]


def test_demo_figures_count_as_no_figures(incubator):
    firm = TorchFirmFactory(name="演示数字")
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2023, 1, 1))
    torch_figures(firm, origin=RecordOrigin.DEMO)
    (entry,) = torch_return_build(incubator=incubator, year=YEAR).entries
    assert (entry.figures, entry.demo_figures, entry.values["revenue"]) == (None, True, None)


def test_a_graduation_in_the_year_gives_yes_and_its_date(incubator):
    exit_ = {"exited_on": datetime.date(2024, 8, 15), "exit_reason": ExitReason.HNTE_CERTIFIED}
    incubatee(incubator, name="毕业", residency=exit_)
    row = rows(incubator)["毕业"]
    assert (row["graduated"], row["graduated_on"]) == (True, datetime.date(2024, 8, 15))


def test_a_graduation_after_the_year_is_no_graduation_in_it(incubator):
    exit_ = {"exited_on": datetime.date(2025, 2, 1), "exit_reason": ExitReason.INVESTMENT}
    incubatee(incubator, name="明年毕业", residency=exit_)
    row = rows(incubator)["明年毕业"]
    assert (row["graduated"], row["graduated_on"]) == (False, None)


def test_moving_out_is_no_graduation(incubator):
    exit_ = {"exited_on": datetime.date(2024, 5, 1), "exit_reason": ExitReason.MOVED_OUT}
    incubatee(incubator, name="迁出", residency=exit_)
    assert rows(incubator)["迁出"]["graduated"] is False


@pytest.mark.parametrize(
    ("issued_on", "expires_on", "status", "origin", "hnte"),
    [
        (
            datetime.date(2022, 6, 1),
            datetime.date(2025, 6, 1),
            CertificationStatus.GRANTED,
            RecordOrigin.STAFF,
            True,
        ),
        (
            datetime.date(2021, 6, 1),
            datetime.date(2024, 6, 1),
            CertificationStatus.EXPIRED,
            RecordOrigin.STAFF,
            True,
        ),
        (
            datetime.date(2020, 6, 1),
            datetime.date(2023, 6, 1),
            CertificationStatus.EXPIRED,
            RecordOrigin.STAFF,
            False,
        ),
        (
            datetime.date(2025, 1, 10),
            datetime.date(2028, 1, 10),
            CertificationStatus.GRANTED,
            RecordOrigin.STAFF,
            False,
        ),
        (
            datetime.date(2022, 6, 1),
            datetime.date(2025, 6, 1),
            CertificationStatus.REVOKED,
            RecordOrigin.STAFF,
            False,
        ),
        (
            datetime.date(2022, 6, 1),
            datetime.date(2025, 6, 1),
            CertificationStatus.GRANTED,
            RecordOrigin.DEMO,
            False,
        ),
    ],
)
def test_hnte_is_yes_for_a_certificate_valid_on_some_day_of_the_year(
    incubator, issued_on, expires_on, status, origin, hnte
):
    firm, _stay = incubatee(incubator, name="高企")
    CertificationFactory(
        firm=firm, issued_on=issued_on, expires_on=expires_on, status=status, origin=origin, number="GR1"
    )
    row = rows(incubator)["高企"]
    assert row["hnte"] is hnte
    assert (row["hnte_certified_on"], row["hnte_number"]) == ((issued_on, "GR1") if hnte else (None, None))


def test_the_tsme_flag_reads_the_year_s_tsme_registration(incubator):
    firm, _stay = incubatee(incubator, name="科小")
    CertificationFactory(
        firm=firm,
        kind=kind("tsme"),
        issued_on=datetime.date(2024, 5, 1),
        expires_on=datetime.date(2024, 12, 31),
    )
    assert rows(incubator)["科小"]["tsme"] is True


def _service(firm, occurred_on, mentor=True, **mentor_values):
    service = ServiceRecord.objects.create(
        kind=ServiceKind.ONE_TO_ONE,
        topic="辅导",
        occurred_on=occurred_on,
        mentor=MentorFactory(**mentor_values) if mentor else None,
    )
    service.firms.add(firm)


def test_a_mentor_s_service_in_the_year_is_a_mentor_relationship(incubator):
    firm, _stay = incubatee(incubator, name="有导师")
    _service(firm, datetime.date(2024, 11, 5), kind=MentorKind.FINANCE_COUNSELLOR)
    assert rows(incubator)["有导师"]["mentor"] is True


@pytest.mark.parametrize(
    ("occurred_on", "mentor", "origin"),
    [
        (datetime.date(2023, 11, 5), True, RecordOrigin.STAFF),  # the year before
        (datetime.date(2024, 11, 5), False, RecordOrigin.STAFF),  # a training without a mentor
        (datetime.date(2024, 11, 5), True, RecordOrigin.DEMO),  # a demo mentor
    ],
)
def test_other_services_are_no_mentor_relationship(incubator, occurred_on, mentor, origin):
    firm, _stay = incubatee(incubator, name="无导师")
    _service(firm, occurred_on, mentor=mentor, origin=origin)
    assert rows(incubator)["无导师"]["mentor"] is False


def test_money_is_in_thousand_cny_and_area_in_square_metres(incubator):
    figures = {
        "revenue": Decimal("12345.00"),
        "net_profit": Decimal("-2345.00"),
        "tax_paid": Decimal("999.99"),
    }
    incubatee(incubator, name="金额", figures=figures, registered_capital=Decimal("500000.00"))
    row = rows(incubator)["金额"]
    assert row["revenue"] == Decimal("12.35")
    assert row["net_profit"] == Decimal("-2.35")
    assert row["tax_paid"] == Decimal("1.00")
    assert row["registered_capital"] == Decimal("500.00")
    assert row["space_m2"] == Decimal("120.00")


def test_field_16_takes_the_figures_not_the_financing_events(incubator):
    firm, _stay = incubatee(incubator, name="融资", figures={"angel_vc_received": Decimal("3000000.00")})
    FinancingEventFactory(firm=firm, amount=Decimal("8000000.00"), occurred_on=datetime.date(2024, 6, 1))
    assert rows(incubator)["融资"]["angel_vc"] == Decimal("3000.00")


def test_the_people_of_field_26_come_from_the_accepted_submission(incubator):
    incubatee(incubator, name="有填表人")
    firm = TorchFirmFactory(name="无填表人")
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2023, 1, 1))
    found = rows(incubator)
    assert {k: found["有填表人"][k] for k in PEOPLE} == PEOPLE
    assert {found["无填表人"][k] for k in PEOPLE} == {None}


def _portfolio(incubator, n: int) -> None:
    for i in range(n):
        firm, _stay = incubatee(incubator, name=f"企业{i}")
        CertificationFactory(
            firm=firm, issued_on=datetime.date(2023, 1, 1), expires_on=datetime.date(2026, 1, 1)
        )
        CertificationFactory(firm=firm, kind=kind("tsme"), issued_on=datetime.date(2024, 5, 1))
        FinancingEventFactory(firm=firm, occurred_on=datetime.date(2024, 3, 1))
        _service(firm, datetime.date(2024, 4, 1))


@pytest.mark.parametrize("n", [1, 20])
def test_building_the_return_takes_the_same_queries_for_1_and_20_firms(
    incubator, n, django_assert_num_queries
):
    _portfolio(incubator, n)
    with django_assert_num_queries(9):
        ret = torch_return_build(incubator=incubator, year=YEAR)
        assert len(ret.entries) == n
        assert all(e.values["hnte"] and e.values["tsme"] and e.values["mentor"] for e in ret.entries)
