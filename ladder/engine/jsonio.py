"""Evaluations as JSON-ready dicts: Decimals as strings, dates ISO (see check_eligibility)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ladder.engine.result import Criterion, Evaluation

CLOCK_EXTRA = ("months_left", "over_limit")


def jsonable(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Criterion):
        return criterion_json(value, full=True)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    raise TypeError(f"not JSON-ready: {type(value).__name__}")


def criterion_json(criterion: Criterion, *, full: bool = False) -> dict[str, Any]:
    """met, value, threshold and points; with ``full``, also the gap, flags and detail."""
    result = {
        "met": criterion.met,
        "value": jsonable(criterion.value),
        "threshold": jsonable(criterion.threshold),
        "points": criterion.points,
    }
    if full:
        result.update(
            points_max=criterion.points_max,
            gap=jsonable(criterion.gap),
            gap_unit=criterion.gap_unit,
            unverified=criterion.unverified,
            self_assessed=criterion.self_assessed,
            detail=jsonable(criterion.detail),
        )
    return result


def evaluation_json(evaluation: Evaluation, *, id: str | None = None, full: bool = False) -> dict[str, Any]:
    """``{"id", "rule", "eligible", "score", "rules_version", "criteria"}``, plus months_left and
    over_limit for the clock."""
    result: dict[str, Any] = {
        "id": id,
        "rule": evaluation.rule,
        "eligible": evaluation.eligible,
        "score": evaluation.score,
        "rules_version": evaluation.rules_version,
        "criteria": {name: criterion_json(c, full=full) for name, c in evaluation.criteria.items()},
    }
    if evaluation.rule == "incubation_clock":
        result.update({key: evaluation.extra[key] for key in CLOCK_EXTRA})
    if full:
        result.update(on=evaluation.on.isoformat(), rules_source=evaluation.rules_source)
        result["extra"] = jsonable(evaluation.extra)
    return result
