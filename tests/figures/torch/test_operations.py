"""The operations sheet: computed from the portfolio, blank (with the reason) where it cannot be."""

import datetime
from decimal import Decimal

import pytest

from figures.torch.returns import torch_return_build
from portfolio.choices import ExitReason, FinancingKind, Instrument, LoanStatus, RecordOrigin
from tests.factories import FinancingEventFactory, IncubatorFactory, MembershipFactory, ResidencyFactory
from tests.figures.torch.factories import YEAR, MentorFactory, TorchFirmFactory, incubatee

pytestmark = pytest.mark.django_db


@pytest.fixture
def incubator():
    return IncubatorFactory(area_m2=Decimal("5000.00"))


def items(incubator, year=YEAR):
    return {v.item.key: v for v in torch_return_build(incubator=incubator, year=year).operations}


def test_incubatees_new_graduates_and_cumulative_graduates_are_counted(incubator):
    incubatee(incubator, entered_on=datetime.date(2022, 1, 1))
    incubatee(incubator, entered_on=datetime.date(2024, 4, 1))
    graduation = {"exit_reason": ExitReason.REVENUE}
    incubatee(
        incubator,
        entered_on=datetime.date(2021, 1, 1),
        residency={**graduation, "exited_on": datetime.date(2024, 7, 1)},
    )
    incubatee(
        incubator,
        entered_on=datetime.date(2020, 1, 1),
        residency={**graduation, "exited_on": datetime.date(2023, 7, 1)},
    )
    incubatee(incubator, entered_on=datetime.date(2024, 2, 1), origin=RecordOrigin.DEMO)
    found = items(incubator)
    assert found["incubatees_year_end"].value == 2
    assert found["incubatees_new"].value == 1
    assert found["graduates_year"].value == 1
    assert found["graduates_total"].value == 2


def test_area_staff_and_mentors_come_from_the_incubator(incubator):
    MembershipFactory(incubator=incubator)
    MembershipFactory(incubator=incubator)
    MentorFactory().incubators.add(incubator)
    MentorFactory(origin=RecordOrigin.DEMO).incubators.add(incubator)
    found = items(incubator)
    assert (found["area_m2"].value, found["staff"].value, found["mentors"].value) == (
        Decimal("5000.00"),
        2,
        1,
    )


def test_sums_of_figures_are_in_thousand_cny(incubator):
    incubatee(incubator, figures={"revenue": Decimal("12345.00"), "employees": 40})
    incubatee(incubator, figures={"revenue": Decimal("1000.00"), "employees": 30})
    found = items(incubator)
    assert found["incubatee_revenue"].value == Decimal("13.35")
    assert found["incubatee_staff"].value == 70


def test_a_sum_missing_a_firm_s_value_is_left_blank_with_the_known_part(incubator):
    incubatee(incubator, figures={"revenue": Decimal("12345.00")})
    firm = TorchFirmFactory()
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2023, 1, 1))
    revenue = items(incubator)["incubatee_revenue"]
    assert revenue.value is None
    assert "1 of 2" in revenue.note and "12.35" in revenue.note


def test_money_received_is_summed_by_kind_counting_only_loans_paid_out(incubator):
    firm, _stay = incubatee(incubator)
    FinancingEventFactory(firm=firm, amount=Decimal("2000000.00"), occurred_on=datetime.date(2024, 2, 1))
    loan = {
        "kind": FinancingKind.LOAN,
        "instrument": Instrument.CREDIT,
        "occurred_on": datetime.date(2024, 5, 1),
    }
    FinancingEventFactory(firm=firm, amount=Decimal("500000.00"), loan_status=LoanStatus.DISBURSED, **loan)
    FinancingEventFactory(firm=firm, amount=Decimal("900000.00"), loan_status=LoanStatus.APPLIED, **loan)
    FinancingEventFactory(firm=firm, amount=Decimal("700000.00"), occurred_on=datetime.date(2023, 2, 1))
    found = items(incubator)
    assert found["equity_received"].value == Decimal("2000.00")
    assert found["loans_received"].value == Decimal("500.00")
    assert found["government_received"].value == Decimal("0.00")
    assert found["funded_firms"].value == 1


def test_money_received_with_an_unknown_amount_is_left_blank(incubator):
    firm, _stay = incubatee(incubator)
    FinancingEventFactory(firm=firm, amount=None, occurred_on=datetime.date(2024, 2, 1))
    equity = items(incubator)["equity_received"]
    assert equity.value is None and equity.note


def test_items_the_portfolio_does_not_hold_are_blank_with_the_reason(incubator):
    found = items(incubator)
    for key in ("incubator_income", "seed_fund", "public_service_area"):
        assert found[key].value is None and "Not computed" in found[key].note
