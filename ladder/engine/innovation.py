"""The HNTE innovation-capability score (国科发火〔2016〕195号): computed parts and self-assessment.

IP quantity, conversion and growth are computed; the expert-scored parts are the firm's own
self-assessment (``self_assessed=True``). Bands give ranges: ``points`` is the low end and
``points_max`` the high end, so the score used for eligibility is the conservative one. Each
block is capped (the IP block at 30 although its parts add up to 32).
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from ladder.engine.bands import BandTable, exact, shown
from ladder.engine.common import first_int
from ladder.engine.inputs import InnovationInputs
from ladder.engine.result import Criterion, Evaluation
from ladder.engine.rule_data import InnovationData
from ladder.engine.rules import RuleSet

TWO_YEAR_PATH = "data.innovation.growth.two_year_formula"


def evaluate_innovation(inputs: InnovationInputs, on: datetime.date, ruleset: RuleSet) -> Evaluation:
    """The score's parts as criteria; ``score`` is the low end (None if a part is unknown).

    ``extra`` holds ``points_max`` (the high end) and each block's (points, points_max).
    """
    data: InnovationData = ruleset.data.innovation
    parts = {
        "ip_quantity": _ip_quantity(inputs, data),
        "conversion": _conversion(inputs, data),
        "net_asset_growth": _growth("net_asset_growth", inputs.net_assets, data, ruleset),
        "sales_growth": _growth("sales_growth", inputs.revenues, data, ruleset),
    }
    for name, cap in data.self_assessed.items():
        parts[name] = _self_assessed(name, getattr(inputs, name), cap)
    blocks, score, score_max = {}, 0, 0
    for block in data.blocks:
        points = [parts[p].points for p in block.parts]
        if any(p is None for p in points):
            blocks[block.name] = None
            score = score_max = None
            continue
        low = min(block.cap, sum(points))
        high = min(block.cap, sum(parts[p].points_max for p in block.parts))
        blocks[block.name] = (low, high)
        if score is not None:
            score, score_max = score + low, score_max + high
    return Evaluation(
        rule="innovation",
        on=on,
        rules_version=ruleset.version,
        rules_source=ruleset.source,
        eligible=score is not None and data.pass_score.holds(score),
        score=score,
        criteria=parts,
        extra={
            "points_max": score_max,
            "blocks": blocks,
            "pass_score": first_int(data.pass_score),
            "unverified": any(c.unverified for c in parts.values()),
        },
    )


def _banded(name: str, measure: Fraction, table: BandTable, **kwargs) -> Criterion:
    low, high = table.points(measure)
    return Criterion(name=name, met=low > 0, points=low, points_max=high, **kwargs)


def _ip_quantity(inputs: InnovationInputs, data: InnovationData) -> Criterion:
    one, two = inputs.ip_class_one, inputs.ip_class_two
    if one is None or two is None:
        return Criterion(name="ip_quantity", met=None)
    by_one, by_two = data.ip_class_one.points(one), data.ip_class_two.points(two)
    low, high = max(by_one, by_two)
    value = {"class_one": one, "class_two": two}
    return Criterion(name="ip_quantity", met=low > 0, value=value, points=low, points_max=high)


def _conversion(inputs: InnovationInputs, data: InnovationData) -> Criterion:
    years = inputs.conversions[-data.conversion_years :]
    if not years or any(c is None for c in years):
        return Criterion(name="conversion", met=None)
    average = Fraction(sum(years), len(years))
    return _banded("conversion", average, data.conversion, value=shown(average), detail={"years": len(years)})


def growth_rate(values: tuple, two_year_formula: bool) -> tuple[str, Fraction | None]:
    """("rate", r), ("zero", None) when the rules give 0 points, or ("unknown", None).

    Three years: ½(X2/X1 + X3/X2) − 1; X1 = 0: X3/X2 − 1; X2 = 0: 0 points. Two years (where the
    rule data allows it, unverified): X2/X1 − 1, and 0 points when X1 = 0.
    """
    values = values[-3:]
    if len(values) < 2 or any(v is None for v in values):
        return "unknown", None
    if len(values) == 2:
        x1, x2 = map(exact, values)
        if not two_year_formula:
            return "unknown", None
        return ("zero", None) if x1 <= 0 else ("rate", x2 / x1 - 1)
    x1, x2, x3 = map(exact, values)
    # Negative net assets make the quotients meaningless (losses shrinking "grow" the ratio);
    # the guide only provides for zero, so any base at or below zero scores 0 like it.
    if x2 <= 0 or x1 < 0:
        return "zero", None
    if x1 == 0:
        return "rate", x3 / x2 - 1
    return "rate", (x2 / x1 + x3 / x2) / 2 - 1


def _growth(name: str, values: tuple, data: InnovationData, ruleset: RuleSet) -> Criterion:
    status, rate = growth_rate(values, data.growth_two_year_formula)
    unverified = len(values[-3:]) == 2 and ruleset.is_unverified(TWO_YEAR_PATH)
    if status == "unknown":
        return Criterion(name=name, met=None, unverified=unverified)
    if status == "zero":
        return Criterion(name=name, met=False, points=0, points_max=0, unverified=unverified)
    return _banded(name, rate, data.growth, value=shown(rate), unverified=unverified)


def _self_assessed(name: str, value: int | None, cap: int) -> Criterion:
    if value is None:
        return Criterion(name=name, met=None, threshold=cap, self_assessed=True)
    # An assessment above the part's maximum counts as the maximum; the entry stays visible.
    points = max(0, min(value, cap))
    detail = {"entered": value} if points != value else {}
    return Criterion(
        name=name,
        met=points > 0,
        value=value,
        threshold=cap,
        points=points,
        points_max=points,
        self_assessed=True,
        detail=detail,
    )
