"""A partner's portfolio with every kind of record the firm list shows or reads, on a fixed clock.

Ids are fixed and the clock is frozen (``timezone.now``: the records' timestamps, today's date
for certification statuses, the months left and the ladder), so the list's answer is the same
bytes on every run and every day: tests/partners/api/test_firm_list_golden.py compares it with
the answer recorded before the list's details were read as JSON.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from portfolio.choices import FinancingKind, Instrument, LoanStatus, RecordOrigin
from portfolio.models import YearlyFigures
from scoring.models import FirmScore
from tests.factories import (
    AwardFactory,
    CertificationFactory,
    ConsentFactory,
    FinancingEventFactory,
    FirmFactory,
    IncidentFactory,
    IncubatorFactory,
    RdInstitutionFactory,
    ResidencyFactory,
    SelfAssessmentFactory,
    StandardFactory,
    YearlyFiguresFactory,
    kind,
)

# 2026-06-15 10:30 in Qingdao.
NOW = datetime.datetime(2026, 6, 15, 2, 30, tzinfo=datetime.UTC)
FIRST_ID = 910_001


def freeze_clock(monkeypatch) -> None:
    """``timezone.now`` (and so ``localdate``, ``auto_now`` fields) answers ``NOW``."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def loans(firm, bank, other_bank, *, other_applied_on: datetime.date) -> None:
    """A disbursed credit loan of 300,000; ``bank``'s own application for 50,000 (seen, not yet
    money); ``other_bank``'s application for 70,000 (not seen at all)."""
    credit = {"firm": firm, "kind": FinancingKind.LOAN, "instrument": "credit"}
    FinancingEventFactory(
        **credit,
        loan_status=LoanStatus.DISBURSED,
        amount=Decimal("300000"),
        occurred_on=datetime.date(2025, 2, 1),
    )
    for recorded_by, amount, occurred_on in (
        (bank, Decimal("50000"), datetime.date(2025, 6, 1)),
        (other_bank, Decimal("70000"), other_applied_on),
    ):
        FinancingEventFactory(
            **credit,
            loan_status=LoanStatus.APPLIED,
            origin=RecordOrigin.PARTNER_API,
            recorded_by=recorded_by,
            amount=amount,
            occurred_on=occurred_on,
        )


def figures(firm, year: int, scale: int, **fields) -> YearlyFigures:
    revenue = Decimal(20_000_000 + 1_000_000 * scale) + Decimal("0.45")
    values = {
        "revenue": revenue,
        "rd_expense": Decimal(1_500_000 + 10_000 * scale),
        "rd_expense_domestic": Decimal(1_400_000 + 10_000 * scale),
        "high_tech_revenue": Decimal(15_000_000),
        "total_assets": Decimal(30_000_000),
        "total_liabilities": Decimal(10_000_000),
        "total_cost": Decimal(18_000_000),
        "tax_paid": Decimal("250000.25"),
        "employees": 60 + scale,
        "rd_staff": 15,
        "ip_class1": 1 + scale % 3,
        "ip_class2": 5,
        "results_converted": 3,
        "angel_vc_received": Decimal(1_000_000),
        **fields,
    }
    return YearlyFiguresFactory(firm=firm, year=year, **values)


def rich_portfolio(bank, other_bank) -> list:
    """Twelve firms consented to ``bank`` (ids FIRST_ID...), one consented to another bank only,
    one whose consent ended: every section of the list filled, empty, or left out on purpose."""
    qingdao = IncubatorFactory(
        id=9101, name="崂山科创孵化器", name_en="Laoshan Hub", city="青岛", level="national"
    )
    yantai = IncubatorFactory(id=9102, name="烟台蓝色孵化器", name_en="", city="烟台", level="")
    weihai = IncubatorFactory(id=9103, name="威海海洋孵化器", name_en="Weihai Ocean", city="威海")

    def firm(n: int, **fields):
        made = FirmFactory(
            id=FIRST_ID + n, name=f"青岛丰富科技有限公司{n:02d}", name_en=f"Rich Tech {n:02d}", **fields
        )
        ConsentFactory(firm=made, organisation=bank)
        return made

    full = firm(
        0,
        credit_code="91370200MA3C5L2X1Q",
        founded_on=datetime.date(2018, 5, 1),
        founded_precision="month",
        industry="biomedicine",
        industry_detail="体外诊断",
        website="https://rich.example.org",
        resident_enterprise=True,
        audited_taxation=True,
        industry_allowed=True,
        high_tech_field_confirmed=True,
        core_ip=True,
    )
    ResidencyFactory(
        firm=full,
        incubator=yantai,
        entered_on=datetime.date(2016, 1, 1),
        exited_on=datetime.date(2019, 12, 31),
        exit_reason="moved_out",
    )
    ResidencyFactory(
        firm=full,
        incubator=qingdao,
        entered_on=datetime.date(2022, 3, 1),
        entered_precision="month",
        limit_months=60,
    )
    hnte, tsme = kind("hnte"), kind("tsme")
    CertificationFactory(
        firm=full, kind=hnte, issued_on=datetime.date(2022, 12, 1), expires_on=datetime.date(2025, 11, 30)
    )  # granted in the table, lapsed today
    CertificationFactory(
        firm=full, kind=hnte, issued_on=datetime.date(2025, 12, 1), expires_on=datetime.date(2028, 11, 30)
    )
    CertificationFactory(firm=full, kind=tsme, status="expired", issued_on=datetime.date(2021, 5, 1))
    CertificationFactory(
        firm=full,
        kind=tsme,
        issued_on=datetime.date(2025, 5, 1),
        expires_on=datetime.date(2026, 5, 1),
        expires_precision="month",
    )  # lapses at the end of its month
    CertificationFactory(
        firm=full,
        kind=kind("medical_device"),
        issued_on=datetime.date(2023, 1, 1),
        expires_on=datetime.date(2028, 1, 1),
    )  # a kind off the ladder (no rank)
    CertificationFactory(firm=full, kind=kind("listing_pool"), status="applied", issued_on=None)
    FinancingEventFactory(firm=full, amount=Decimal("1000000.50"), occurred_on=datetime.date(2023, 3, 1))
    FinancingEventFactory(
        firm=full, amount=Decimal("12345678901234.56"), occurred_on=datetime.date(2024, 3, 1)
    )
    FinancingEventFactory(firm=full, instrument=Instrument.ANGEL, amount=Decimal("2000000"), occurred_on=None)
    FinancingEventFactory(firm=full, amount=Decimal("999"), currency="USD", occurred_on=None)
    FinancingEventFactory(firm=full, amount=None, occurred_on=datetime.date(2022, 1, 1))
    FinancingEventFactory(
        firm=full, instrument=Instrument.SEED, amount=Decimal("5"), occurred_on=datetime.date(2027, 1, 1)
    )
    loans(full, bank, other_bank, other_applied_on=datetime.date(2026, 6, 10))
    for scale, year in enumerate((2023, 2024, 2025)):
        figures(full, year, scale)
    figures(full, 2027, 9, revenue=None, tax_paid=None)  # a plan: the latest figures, not the ladder's
    AwardFactory(firm=full, year=2023, rank=2)
    StandardFactory(firm=full, year=2022)
    RdInstitutionFactory(firm=full, year=2024)
    IncidentFactory(firm=full, occurred_on=datetime.date(2024, 5, 10), resolved_on=datetime.date(2024, 8, 1))
    IncidentFactory(firm=full, occurred_on=datetime.date(2026, 12, 1))  # after today: not read
    SelfAssessmentFactory(firm=full, year=2025)
    SelfAssessmentFactory(firm=full, year=2026, ip_advancement=7, rd_management=None)
    FirmScore.objects.create(
        firm=full,
        pack_version="ours-2025.1",
        year=2025,
        stage="growth",
        status="scored",
        total=Decimal("63.25"),
        completeness=Decimal("0.7700"),
        cohort_key="2025/city:青岛",
        cohort_size=12,
        computed_at=datetime.datetime(2026, 6, 14, 18, 40, 11, 123456, tzinfo=datetime.UTC),
    )

    left = firm(1, founded_on=datetime.date(2020, 2, 2), industry="new_materials")  # only a closed residency
    ResidencyFactory(
        firm=left,
        incubator=weihai,
        entered_on=datetime.date(2020, 3, 1),
        exited_on=datetime.date(2025, 12, 31),
        exit_reason="graduated",
    )
    CertificationFactory(
        firm=left, kind=tsme, issued_on=datetime.date(2025, 7, 1), expires_on=datetime.date(2026, 6, 30)
    )
    figures(left, 2025, 2, employees=None, rd_staff=None)

    firm(2)  # nothing but the firm itself

    listed = firm(
        3,
        founded_on=datetime.date(2012, 1, 1),
        market_status="listed",
        market_status_since=datetime.date(2025, 1, 1),
    )
    ResidencyFactory(firm=listed, incubator=weihai, entered_on=datetime.date(2019, 9, 1), limit_months=36)
    figures(listed, 2025, 4)
    FirmScore.objects.create(
        firm=listed,
        pack_version="ours-2025.1",
        year=2025,
        stage="stable",
        status="no_score",
        total=None,
        completeness=Decimal("0.4500"),
        reasons=["incomplete"],
        computed_at=datetime.datetime(2026, 6, 14, 18, 40, tzinfo=datetime.UTC),
    )

    for n in range(4, 12):  # a plain page's worth
        plain = firm(
            n, founded_on=datetime.date(2015 + n % 6, 1 + n, 1), industry="biomedicine" if n % 2 else ""
        )
        ResidencyFactory(
            firm=plain, incubator=(qingdao, yantai, weihai)[n % 3], entered_on=datetime.date(2021, n, 1)
        )
        CertificationFactory(
            firm=plain, kind=tsme, issued_on=datetime.date(2025, n, 1), expires_on=datetime.date(2026, n, 1)
        )
        for year in (2024, 2025):
            figures(plain, year, n)
        FinancingEventFactory(firm=plain, amount=Decimal(n * 100_000), occurred_on=datetime.date(2024, n, 1))

    elsewhere = FirmFactory(id=FIRST_ID + 50, name="他行科技有限公司")  # consented to another bank only
    ConsentFactory(firm=elsewhere, organisation=other_bank)
    ended = FirmFactory(id=FIRST_ID + 51, name="到期科技有限公司")
    ConsentFactory(
        firm=ended, organisation=bank, starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2025, 1, 1)
    )
    return [full, left, listed]
