"""The HNTE recognition conditions (国科发火〔2016〕32号, work guide 国科发火〔2016〕195号).

Eligible only when every condition is met: an unknown input makes the firm not (yet) eligible.
``score`` is the innovation-capability score (its conservative low end when computed).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from ladder.engine.bands import exact
from ladder.engine.common import (
    first_int,
    flag,
    ratio_value,
    share_criterion,
    staff_to_convert,
    staff_to_hire,
    up_to_yuan,
)
from ladder.engine.innovation import evaluate_innovation
from ladder.engine.inputs import HnteInputs
from ladder.engine.result import Criterion, Evaluation
from ladder.engine.rule_data import HnteData
from ladder.engine.rules import RuleSet


def evaluate_hnte(inputs: HnteInputs, on: datetime.date, ruleset: RuleSet) -> Evaluation:
    data: HnteData = ruleset.data

    def unverified(path: str) -> bool:
        return ruleset.is_unverified(f"data.{path}")

    criteria = {
        "registered_one_year": _registered(inputs.founded_on, on, data, unverified("registered_days")),
        "core_ip": flag("core_ip", inputs.core_ip),
        "high_tech_field": flag("high_tech_field", inputs.high_tech_field),
        "tech_staff": _tech_staff(inputs, data, unverified("tech_staff")),
        "rd_ratio": _rd_ratio(inputs, data, unverified("rd_ratio_tiers") or unverified("rd_years")),
        "rd_domestic": share_criterion(
            "rd_domestic", inputs.rd_domestic_share, data.rd_domestic, unverified=unverified("rd_domestic")
        ),
        "high_tech_revenue": share_criterion(
            "high_tech_revenue",
            inputs.high_tech_revenue_share,
            data.high_tech_revenue,
            unverified=unverified("high_tech_revenue"),
        ),
        "innovation_score": _innovation(inputs, on, ruleset),
        "clean_record": flag("clean_record", inputs.clean_record),
    }
    return Evaluation(
        rule="hnte",
        on=on,
        rules_version=ruleset.version,
        rules_source=ruleset.source,
        eligible=all(c.met is True for c in criteria.values()),
        score=criteria["innovation_score"].points,
        criteria=criteria,
    )


def _registered(founded_on: datetime.date | None, on: datetime.date, data: HnteData, unverified: bool):
    """Days since registration (a date difference, so a leap day counts as a day); the gap is the
    date from which the condition is met."""
    bound = data.registered_days
    if founded_on is None:
        return Criterion(name="registered_one_year", met=None, threshold=bound.value, unverified=unverified)
    days = (on - founded_on).days
    met = bound.holds(days)
    return Criterion(
        name="registered_one_year",
        met=met,
        value=days,
        threshold=bound.value,
        gap=None if met else founded_on + datetime.timedelta(days=first_int(bound)),
        gap_unit=None if met else "date",
        unverified=unverified,
    )


def _tech_staff(inputs: HnteInputs, data: HnteData, unverified: bool) -> Criterion:
    """The gap counts employees moved into tech roles with the headcount unchanged: that is how a
    firm usually fixes the share, and it is the smaller number; hiring tech staff instead (both
    counts grow) is in ``detail["hire_instead"]``."""
    bound = data.tech_staff
    if inputs.tech_staff is None or inputs.employees is None:
        return Criterion(name="tech_staff", met=None, threshold=bound.value, unverified=unverified)
    exact_ratio, value = ratio_value(inputs.tech_staff, inputs.employees)
    met = exact_ratio is not None and bound.holds(exact_ratio)
    gap, detail = None, {}
    if not met and inputs.employees:
        gap = staff_to_convert(bound, inputs.tech_staff, inputs.employees)
        detail["hire_instead"] = staff_to_hire(bound, inputs.tech_staff, inputs.employees)
    return Criterion(
        name="tech_staff",
        met=met,
        value=value,
        threshold=bound.value,
        gap=gap,
        gap_unit="staff" if gap is not None else None,
        unverified=unverified,
        detail=detail,
    )


def required_rd_share(latest_revenue: Decimal, data: HnteData):
    """The share bound of the first tier whose revenue bound holds for the latest year's revenue."""
    for tier in data.rd_ratio_tiers:
        if tier.revenue is None or tier.revenue.holds(latest_revenue):
            return tier.share
    raise AssertionError("the parser guarantees a last tier without a revenue bound")


def _rd_ratio(inputs: HnteInputs, data: HnteData, unverified: bool) -> Criterion:
    """Σ R&D ÷ Σ revenue over the years given: a ratio of sums, never an average of ratios."""
    revenues, rd = inputs.revenues, inputs.rd_expenses
    usable = (
        len(revenues) == len(rd)
        and data.rd_years_min <= len(revenues) <= data.rd_years_max
        and all(v is not None for v in (*revenues, *rd))
    )
    if not usable:
        return Criterion(name="rd_ratio", met=None, unverified=unverified)
    share = required_rd_share(revenues[-1], data)
    rd_total, revenue_total = sum(rd, Decimal(0)), sum(revenues, Decimal(0))
    exact_ratio, value = ratio_value(rd_total, revenue_total)
    met = exact_ratio is not None and share.holds(exact_ratio)
    gap = None
    if not met and revenue_total:
        gap = up_to_yuan(max(exact(share.value) * exact(revenue_total) - exact(rd_total), Fraction(0)))
        while not share.holds(Fraction(rd_total + gap) / Fraction(revenue_total)):
            gap += 1  # an exclusive bound needs a yuan more than the exact share
    return Criterion(
        name="rd_ratio",
        met=met,
        value=value,
        threshold=share.value,
        gap=gap,
        gap_unit="cny" if gap is not None else None,
        unverified=unverified,
        detail={
            "rd_total": rd_total,
            "revenue_total": revenue_total,
            "latest_revenue": revenues[-1],
            "years": len(revenues),
        },
    )


def _innovation(inputs: HnteInputs, on: datetime.date, ruleset: RuleSet) -> Criterion:
    bound = ruleset.data.innovation.pass_score
    unverified = ruleset.is_unverified("data.innovation.pass_score")
    if inputs.innovation_score is not None:
        score, score_max, detail, assessed = inputs.innovation_score, inputs.innovation_score, {}, False
    elif inputs.innovation is not None:
        parts = evaluate_innovation(inputs.innovation, on, ruleset)
        score, score_max, assessed = parts.score, parts.extra["points_max"], True
        unverified = unverified or parts.extra["unverified"]
        detail = {"parts": parts.criteria, "blocks": parts.extra["blocks"]}
    else:
        score = score_max = None
        detail, assessed = {}, False
    if score is None:
        return Criterion(name="innovation_score", met=None, threshold=bound.value, unverified=unverified,
                         self_assessed=assessed, detail=detail)  # fmt: skip
    met = bound.holds(score)
    return Criterion(
        name="innovation_score",
        met=met,
        value=score,
        threshold=bound.value,
        points=score,
        points_max=score_max,
        gap=None if met else first_int(bound) - score,
        gap_unit=None if met else "points",
        unverified=unverified,
        self_assessed=assessed,
        detail=detail,
    )
