"""Inputs of each rule, as plain values. ``None`` always means "not known" (never zero).

Money is Decimal yuan, shares are Decimal 0-1, counts are int, dates are datetime.date.
The field names are those of ``manage.py check_eligibility``'s JSON inputs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class TsmeInputs:
    employees: int | None = None
    tech_staff: int | None = None
    revenue: Decimal | None = None
    total_assets: Decimal | None = None
    rd_expense: Decimal | None = None
    total_cost: Decimal | None = None  # total cost and expense (成本费用总额)
    ip_class_one: int | None = None
    ip_class_two: int | None = None
    # Direct passes (any one, gates still apply).
    valid_hnte: bool = False
    national_award_top3_5y: bool = False
    provincial_rd_institution: bool = False
    led_standard_5y: bool = False
    # Gates.
    resident_enterprise: bool | None = True
    industry_allowed: bool | None = True
    clean_record: bool | None = True


@dataclass(frozen=True)
class InnovationInputs:
    """The HNTE innovation-capability score's inputs: computed parts and the self-assessment."""

    ip_class_one: int | None = None
    ip_class_two: int | None = None
    # Conversions of results per fiscal year, oldest first (up to three years).
    conversions: tuple[int | None, ...] = ()
    # Year-end net assets and sales revenue, oldest first (three years; two for young firms).
    net_assets: tuple[Decimal | None, ...] = ()
    revenues: tuple[Decimal | None, ...] = ()
    # Expert-scored parts as the firm's self-assessment; None = not assessed.
    ip_advancement: int | None = None  # <= 8
    ip_core_support: int | None = None  # <= 8
    ip_how_obtained: int | None = None  # <= 6
    ip_standards_bonus: int | None = None  # <= 2
    rd_management: int | None = None  # <= 6
    rd_institution: int | None = None  # <= 6
    conversion_incentives: int | None = None  # <= 4
    training_rewards: int | None = None  # <= 4


@dataclass(frozen=True)
class HnteInputs:
    founded_on: datetime.date | None = None
    employees: int | None = None
    tech_staff: int | None = None
    # The last one to three fiscal years, oldest first.
    revenues: tuple[Decimal | None, ...] = ()
    rd_expenses: tuple[Decimal | None, ...] = ()
    rd_domestic_share: Decimal | None = None
    high_tech_revenue_share: Decimal | None = None
    core_ip: bool | None = True
    high_tech_field: bool | None = True  # a staff judgement
    clean_record: bool | None = True
    innovation_score: int | None = None  # given whole, or computed from ``innovation``
    innovation: InnovationInputs | None = None


@dataclass(frozen=True)
class GraduationInputs:
    cumulative_angel_vc: Decimal | None = None
    yearly_revenues: dict[int, Decimal] = field(default_factory=dict)
    hnte: bool | None = False
    listed_or_acquired: bool | None = False


@dataclass(frozen=True)
class ClockInputs:
    entered_on: datetime.date
    extended_field: bool = False
    # The firm's field, e.g. "biomedicine": extended when it is in the rule data's extended_fields.
    industry_field: str | None = None


@dataclass(frozen=True)
class EntryInputs:
    founded_on: datetime.date | None
    entered_on: datetime.date
