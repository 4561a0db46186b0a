"""One entry point for every rule: pick the rules in force on the date, then evaluate."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from ladder.engine.graduation import evaluate_graduation
from ladder.engine.hnte import evaluate_hnte
from ladder.engine.incubation import evaluate_clock, evaluate_entry
from ladder.engine.result import Evaluation
from ladder.engine.rules import RuleSet, rules_in_force
from ladder.engine.tsme import evaluate_tsme

EVALUATORS: dict[str, Callable[..., Evaluation]] = {
    "tsme": evaluate_tsme,
    "hnte": evaluate_hnte,
    "graduation": evaluate_graduation,
    "incubation_clock": evaluate_clock,
    "incubation_entry": evaluate_entry,
}


def evaluate(rule: str, inputs: object, on: datetime.date, rulesets: Iterable[RuleSet]) -> Evaluation:
    """Evaluate ``inputs`` under the version of ``rule`` in force on ``on`` (NoRulesInForce if none)."""
    return EVALUATORS[rule](inputs, on, rules_in_force(rule, on, rulesets))
