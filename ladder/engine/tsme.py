"""The tech-based SME score and eligibility (国科发政〔2017〕115号 with the 2022 guide).

Scored criteria (tech_staff, rd, ip) are met when they earn points; only the tech-staff one is a
condition of its own (a score of 0 there fails at any total). ``score`` is met when the total
reaches the pass score with a non-zero tech-staff score; eligible = every gate met and (score met
or a direct pass). Unknown inputs leave their criterion and the total unknown, but a direct pass
still makes a firm whose gates are met eligible.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from ladder.engine.bands import BandTable, exact
from ladder.engine.common import bound_criterion, first_int, flag, ratio_value, staff_to_convert, up_to_yuan
from ladder.engine.inputs import TsmeInputs
from ladder.engine.result import Criterion, Evaluation
from ladder.engine.rule_data import TsmeData
from ladder.engine.rules import RuleSet

GATE_UNITS = {"employees": "staff", "revenue": "cny", "total_assets": "cny"}


def evaluate_tsme(inputs: TsmeInputs, on: datetime.date, ruleset: RuleSet) -> Evaluation:
    data: TsmeData = ruleset.data

    def unverified(path: str) -> bool:
        return ruleset.is_unverified(f"data.{path}")

    criteria: dict[str, Criterion] = {}
    for name, unit in GATE_UNITS.items():
        value = getattr(inputs, name)
        gate = data.gates[name]
        criteria[name] = bound_criterion(name, value, gate, unit=unit, unverified=unverified(f"gates.{name}"))
    for name in ("resident_enterprise", "industry_allowed", "clean_record"):
        criteria[name] = flag(name, getattr(inputs, name))
    criteria["tech_staff"] = _tech_staff(inputs, data.tech_staff, unverified("tech_staff"))
    criteria["rd"] = _rd(inputs, data, unverified("rd_revenue") or unverified("rd_cost"))
    criteria["ip"] = _ip(inputs, data, unverified("ip_class_one") or unverified("ip_class_two"))
    criteria["score"] = _score(criteria, data, unverified("pass_score"))
    routes = [route for route in data.direct_pass if getattr(inputs, route)]
    criteria["direct_pass"] = Criterion(
        name="direct_pass", met=bool(routes), value=routes, threshold=list(data.direct_pass)
    )
    gates_met = all(criteria[name].met is True for name in (*GATE_UNITS, "resident_enterprise",
                                                           "industry_allowed", "clean_record"))  # fmt: skip
    return Evaluation(
        rule="tsme",
        on=on,
        rules_version=ruleset.version,
        rules_source=ruleset.source,
        eligible=gates_met and (criteria["score"].met is True or bool(routes)),
        score=criteria["score"].value,
        criteria=criteria,
    )


def _tech_staff(inputs: TsmeInputs, table: BandTable, unverified: bool) -> Criterion:
    lowest = table.lowest_scoring
    threshold = lowest.value if lowest else None
    if inputs.tech_staff is None or inputs.employees is None:
        return Criterion(name="tech_staff", met=None, threshold=threshold, unverified=unverified)
    exact_ratio, value = ratio_value(inputs.tech_staff, inputs.employees)
    points = table.points(exact_ratio)[0] if exact_ratio is not None else table.otherwise
    met = points != 0
    gap = None
    if not met and lowest is not None and inputs.employees:
        gap = staff_to_convert(lowest, inputs.tech_staff, inputs.employees)
    return Criterion(
        name="tech_staff",
        met=met,
        value=value,
        threshold=threshold,
        points=points,
        points_max=table.max,
        gap=gap,
        gap_unit="staff" if gap is not None else None,
        unverified=unverified,
    )


def _option(rd: Decimal | None, base: Decimal | None, table: BandTable, base_grows: bool) -> dict | None:
    """One R&D option: its ratio, points, and the R&D more that reaches its lowest scoring band.

    R&D expense is part of the total cost, so under option 2 every yuan more of R&D also grows
    the base (``base_grows``): x more reaches share s when (rd + x) / (cost + x) >= s.
    """
    if rd is None or base is None:
        return None
    exact_ratio, value = ratio_value(rd, base)
    points = table.points(exact_ratio)[0] if exact_ratio is not None else table.otherwise
    lowest = table.lowest_scoring
    gap = None
    if points == table.otherwise and lowest is not None and base:
        share = exact(lowest.value)
        needed = (share * exact(base) - exact(rd)) / ((1 - share) if base_grows else 1)
        gap = up_to_yuan(max(needed, Fraction(0)))
        if not lowest.inclusive:
            gap += 1
    return {"value": value, "points": points, "threshold": lowest.value if lowest else None, "gap": gap}


def _rd(inputs: TsmeInputs, data: TsmeData, unverified: bool) -> Criterion:
    options = {
        "revenue": _option(inputs.rd_expense, inputs.revenue, data.rd_revenue, base_grows=False),
        "total_cost": _option(inputs.rd_expense, inputs.total_cost, data.rd_cost, base_grows=True),
    }
    known = {name: option for name, option in options.items() if option is not None}
    if not known:
        return Criterion(name="rd", met=None, unverified=unverified, detail={"options": options})
    # The firm picks the better option; with one option unknown the known one is a floor.
    chosen = max(known, key=lambda name: known[name]["points"])
    best = known[chosen]
    met = best["points"] > 0
    # Short of points: the option needing the least R&D more is the way to go, and the
    # threshold shown is that option's, so "2.0% needs 100,000 CNY more" reads true.
    closest = [name for name in known if known[name]["gap"] is not None]
    if not met and closest:
        chosen = min(closest, key=lambda name: known[name]["gap"])
        best = known[chosen]
    gaps = [best["gap"]] if best["gap"] is not None else []
    return Criterion(
        name="rd",
        met=met,
        value=best["value"],
        threshold=best["threshold"],
        points=best["points"],
        points_max=max(data.rd_revenue.max, data.rd_cost.max),
        gap=None if met or not gaps else min(gaps),
        gap_unit=None if met or not gaps else "cny",
        unverified=unverified,
        detail={"chosen": chosen, "options": options},
    )


def _ip(inputs: TsmeInputs, data: TsmeData, unverified: bool) -> Criterion:
    if inputs.ip_class_one is None or inputs.ip_class_two is None:
        return Criterion(name="ip", met=None, unverified=unverified)
    points = max(
        data.ip_class_one.points(inputs.ip_class_one)[0], data.ip_class_two.points(inputs.ip_class_two)[0]
    )
    return Criterion(
        name="ip",
        met=points > 0,
        value={"class_one": inputs.ip_class_one, "class_two": inputs.ip_class_two},
        points=points,
        points_max=max(data.ip_class_one.max, data.ip_class_two.max),
        unverified=unverified,
    )


def _score(criteria: dict[str, Criterion], data: TsmeData, unverified: bool) -> Criterion:
    parts = [criteria[name].points for name in ("tech_staff", "rd", "ip")]
    threshold = data.pass_score.value
    if any(p is None for p in parts):
        return Criterion(name="score", met=None, threshold=threshold, unverified=unverified)
    total = sum(parts)
    staff_ok = not data.tech_staff_score_not_zero or criteria["tech_staff"].points != 0
    reached = data.pass_score.holds(total)
    gap = None if reached else first_int(data.pass_score) - total
    return Criterion(
        name="score",
        met=reached and staff_ok,
        value=total,
        threshold=threshold,
        points=total,
        gap=gap,
        gap_unit="points" if gap is not None else None,
        unverified=unverified,
        detail={"tech_staff_score_zero": not staff_ok},
    )
