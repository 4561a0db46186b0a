"""Incubatee entry age and the incubation clock (国科发区〔2018〕300号).

Months are calendar months with end-of-month clamping: a firm founded on 31 August 2022 is 24
months old on 31 August 2024, and one founded on 29 February 2024 is 12 months old on 28
February 2025.
"""

from __future__ import annotations

import datetime

from ladder.engine.dates import add_months, whole_months
from ladder.engine.inputs import ClockInputs, EntryInputs
from ladder.engine.result import Criterion, Evaluation
from ladder.engine.rule_data import IncubationData
from ladder.engine.rules import RuleSet


def evaluate_entry(inputs: EntryInputs, on: datetime.date, ruleset: RuleSet) -> Evaluation:
    """Whether the firm was young enough when it entered (``on`` is the evaluation date only)."""
    data: IncubationData = ruleset.data
    bound = data.entry_age_months
    unverified = ruleset.is_unverified("data.entry")
    if inputs.founded_on is None:
        criterion = Criterion(name="entry_age", met=None, threshold=bound.value, unverified=unverified)
    else:
        latest = add_months(inputs.founded_on, int(bound.value))
        met = inputs.entered_on <= latest if bound.inclusive else inputs.entered_on < latest
        days_over = (inputs.entered_on - latest).days + (0 if bound.inclusive else 1)
        criterion = Criterion(
            name="entry_age",
            met=met,
            value=whole_months(inputs.founded_on, inputs.entered_on),
            threshold=bound.value,
            gap=None if met else days_over,
            gap_unit=None if met else "days",
            unverified=unverified,
            detail={"latest_entry_on": latest},
        )
    return Evaluation(
        rule="incubation_entry",
        on=on,
        rules_version=ruleset.version,
        rules_source=ruleset.source,
        eligible=criterion.met is True,
        score=None,
        criteria={"entry_age": criterion},
    )


def evaluate_clock(inputs: ClockInputs, on: datetime.date, ruleset: RuleSet) -> Evaluation:
    """Months of incubation left on ``on``: ``extra`` has ends_on, months_left (negative once the
    limit is passed: whole months from ``on`` to ends_on, rounded down) and over_limit."""
    data: IncubationData = ruleset.data
    extended = inputs.extended_field or inputs.industry_field in data.extended_fields
    limit = data.extended_limit_months if extended else data.limit_months
    ends_on = add_months(inputs.entered_on, limit)
    over_limit = on > ends_on
    criterion = Criterion(
        name="within_limit",
        met=not over_limit,
        value=whole_months(inputs.entered_on, on),
        threshold=limit,
        gap=(on - ends_on).days if over_limit else None,
        gap_unit="days" if over_limit else None,
        unverified=extended and ruleset.is_unverified("data.clock.extended_limit_months"),
        detail={"extended_field": extended},
    )
    return Evaluation(
        rule="incubation_clock",
        on=on,
        rules_version=ruleset.version,
        rules_source=ruleset.source,
        eligible=not over_limit,
        score=None,
        criteria={"within_limit": criterion},
        extra={"months_left": whole_months(on, ends_on), "over_limit": over_limit, "ends_on": ends_on},
    )
