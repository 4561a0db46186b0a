"""Firms built for scoring: a residency in a city, figures of the score year (and the year
before), optionally an HNTE certificate and an incident."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from portfolio.models import Firm, Incubator
from tests.factories import (
    CertificationFactory,
    FirmFactory,
    IncidentFactory,
    ResidencyFactory,
    YearlyFiguresFactory,
    kind,
)


def score_year() -> int:
    """The year the services score today: the last closed one."""
    return timezone.localdate().year - 1


def scored_firm(
    incubator: Incubator,
    *,
    age: int | None,
    rd: int | None,
    revenue: int | None = None,
    revenue_before: int | None = None,
    hnte: bool = False,
    incident: bool = False,
    year: int | None = None,
    **figures,
) -> Firm:
    """A firm ``age`` whole years old at the end of the score year, resident in ``incubator``."""
    year = year or score_year()
    firm = FirmFactory(founded_on=None if age is None else datetime.date(year - age, 6, 1))
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(year - 1, 3, 1))
    YearlyFiguresFactory(
        firm=firm,
        year=year,
        rd_expense=None if rd is None else Decimal(rd),
        revenue=None if revenue is None else Decimal(revenue),
        **{"employees": None, "rd_staff": None, **figures},
    )
    if revenue_before is not None:
        YearlyFiguresFactory(
            firm=firm,
            year=year - 1,
            revenue=Decimal(revenue_before),
            rd_expense=None,
            employees=None,
            rd_staff=None,
        )
    if hnte:
        CertificationFactory(
            firm=firm, kind=kind("hnte"), issued_on=datetime.date(year - 1, 1, 1), expires_on=None
        )
    if incident:
        IncidentFactory(firm=firm, occurred_on=datetime.date(year, 3, 1))
    return firm


def cohort_of_four(incubator: Incubator) -> list[Firm]:
    """The cohort worked out by hand in tests/scoring/engine/test_score.py, in the database."""
    return [
        scored_firm(incubator, age=1, rd=100, revenue=1000, revenue_before=800, hnte=True),
        scored_firm(incubator, age=9, rd=300, revenue=2000, revenue_before=2000, incident=True),
        scored_firm(incubator, age=14, rd=300, revenue=6000, revenue_before=4000),
        scored_firm(incubator, age=4, rd=50),
    ]
