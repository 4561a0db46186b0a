"""Cases for ``manage.py check_eligibility``: strict parsing of the JSON inputs into the engine's.

Money is yuan as a decimal string ("4000000.50") or a JSON number; numbers are read as decimals
straight from the text (``json.loads(parse_float=Decimal)``), never through a binary float, so
0.1 is exactly 0.1. Shares are decimals 0-1, counts whole numbers >= 0 (not true/false), dates
YYYY-MM-DD. A field listed as required must be present but may be null: null means "not known"
and leaves its criterion unknown. Unknown field names are refused by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ladder.engine.inputs import (
    ClockInputs,
    EntryInputs,
    GraduationInputs,
    HnteInputs,
    InnovationInputs,
    TsmeInputs,
)

RULES = ("tsme", "hnte", "graduation", "incubation_clock", "incubation_entry")


class CaseError(ValueError):
    """A malformed case: the message names the field."""


@dataclass(frozen=True)
class Case:
    id: str
    rule: str
    on: datetime.date
    inputs: Any


def money(value: Any, path: str, *, signed: bool = False) -> Decimal | None:
    if value is None:
        return None
    number = None
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise CaseError(
            _('%(path)s: enter an amount in yuan as a decimal string, e.g. "4000000.50"') % {"path": path}
        )
    if number < 0 and not signed:
        raise CaseError(_("%(path)s: must not be negative") % {"path": path})
    return number


def share(value: Any, path: str) -> Decimal | None:
    number = money(value, path)
    if number is not None and number > 1:
        raise CaseError(_('%(path)s: enter a share between 0 and 1, e.g. "0.65"') % {"path": path})
    return number


def count(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CaseError(_("%(path)s: enter a whole number of at least 0") % {"path": path})
    return value


def boolean(value: Any, path: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise CaseError(_("%(path)s: enter true or false") % {"path": path})
    return value


def date(value: Any, path: str, *, required: bool = False) -> datetime.date | None:
    if value is None and not required:
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise CaseError(_("%(path)s: enter a date as YYYY-MM-DD") % {"path": path})


def series(value: Any, path: str, reader, *, lengths: range) -> tuple:
    if not isinstance(value, list) or len(value) not in lengths:
        raise CaseError(
            _("%(path)s: enter a list of %(low)d to %(high)d values, oldest first")
            % {"path": path, "low": lengths.start, "high": lengths.stop - 1}
        )
    return tuple(reader(v, f"{path}[{i}]") for i, v in enumerate(value))


class Fields:
    """The inputs object of one case: every read field is checked off; leftovers are refused."""

    def __init__(self, raw: Any, path: str):
        if not isinstance(raw, dict):
            raise CaseError(_("%(path)s: must be an object") % {"path": path})
        self.raw, self.path, self.seen = raw, path, set()

    def required(self, name: str, parse, **kwargs):
        if name not in self.raw:
            raise CaseError(_("%(path)s: is missing") % {"path": f"{self.path}.{name}"})
        return self.optional(name, parse, None, **kwargs)

    def optional(self, name: str, parse, default, **kwargs):
        self.seen.add(name)
        if name not in self.raw:
            return default
        return parse(self.raw[name], f"{self.path}.{name}", **kwargs)

    def done(self) -> None:
        extra = sorted(set(self.raw) - self.seen)
        if extra:
            raise CaseError(_("%(path)s: is not a known input") % {"path": f"{self.path}.{extra[0]}"})


def parse_case(raw: Any, index: int) -> Case:
    """One case; CaseError naming the field when it is malformed."""
    if not isinstance(raw, dict):
        raise CaseError(_("must be an object with id, rule, on and inputs"))
    extra = sorted(set(raw) - {"id", "rule", "on", "inputs"})
    if extra:
        raise CaseError(_("%(path)s: is not a known field") % {"path": extra[0]})
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not case_id:
        raise CaseError(_("id: enter a non-empty text"))
    rule = raw.get("rule")
    if rule not in RULES:
        raise CaseError(_("rule: must be one of %(rules)s") % {"rules": ", ".join(RULES)})
    on = date(raw.get("on"), "on", required=True)
    fields = Fields(raw.get("inputs"), "inputs")
    inputs = PARSERS[rule](fields)
    fields.done()
    return Case(id=case_id, rule=rule, on=on, inputs=inputs)


def _tsme(f: Fields) -> TsmeInputs:
    inputs = TsmeInputs(
        employees=f.required("employees", count),
        tech_staff=f.required("tech_staff", count),
        revenue=f.required("revenue", money),
        total_assets=f.required("total_assets", money),
        rd_expense=f.required("rd_expense", money),
        total_cost=f.required("total_cost", money),
        ip_class_one=f.required("ip_class_one", count),
        ip_class_two=f.required("ip_class_two", count),
        **{name: bool(f.optional(name, boolean, False)) for name in TSME_DIRECT},
        **{
            name: f.optional(name, boolean, True)
            for name in ("resident_enterprise", "industry_allowed", "clean_record")
        },
    )
    _staff_within(inputs.tech_staff, inputs.employees, f.path)
    return inputs


TSME_DIRECT = ("valid_hnte", "national_award_top3_5y", "provincial_rd_institution", "led_standard_5y")


def _staff_within(tech_staff: int | None, employees: int | None, path: str) -> None:
    if tech_staff is not None and employees is not None and tech_staff > employees:
        raise CaseError(_("%(path)s: cannot exceed employees") % {"path": f"{path}.tech_staff"})


def _hnte(f: Fields) -> HnteInputs:
    revenues = f.required("revenues", series, reader=money, lengths=range(1, 4))
    rd_expenses = f.required("rd_expenses", series, reader=money, lengths=range(1, 4))
    if len(revenues) != len(rd_expenses):
        raise CaseError(
            _("%(path)s: must have as many years as revenues") % {"path": f"{f.path}.rd_expenses"}
        )
    inputs = HnteInputs(
        founded_on=f.required("founded_on", date),
        employees=f.required("employees", count),
        tech_staff=f.required("tech_staff", count),
        revenues=revenues,
        rd_expenses=rd_expenses,
        rd_domestic_share=f.required("rd_domestic_share", share),
        high_tech_revenue_share=f.required("high_tech_revenue_share", share),
        core_ip=f.optional("core_ip", boolean, True),
        high_tech_field=f.optional("high_tech_field", boolean, True),
        clean_record=f.optional("clean_record", boolean, True),
        innovation_score=f.optional("innovation_score", _score, None),
        innovation=f.optional("innovation", _innovation, None),
    )
    _staff_within(inputs.tech_staff, inputs.employees, f.path)
    return inputs


def _score(value: Any, path: str) -> int | None:
    number = count(value, path)
    if number is not None and number > 100:
        raise CaseError(_("%(path)s: enter a whole number from 0 to 100") % {"path": path})
    return number


def _innovation(value: Any, path: str) -> InnovationInputs | None:
    if value is None:
        return None
    f = Fields(value, path)
    assessed = ("ip_advancement", "ip_core_support", "ip_how_obtained", "ip_standards_bonus", "rd_management",
                "rd_institution", "conversion_incentives", "training_rewards")  # fmt: skip

    def signed_money(v: Any, p: str) -> Decimal | None:
        return money(v, p, signed=True)  # net assets can be negative

    inputs = InnovationInputs(
        ip_class_one=f.optional("ip_class_one", count, None),
        ip_class_two=f.optional("ip_class_two", count, None),
        conversions=f.optional("conversions", series, (), reader=count, lengths=range(1, 4)),
        net_assets=f.optional("net_assets", series, (), reader=signed_money, lengths=range(2, 4)),
        revenues=f.optional("revenues", series, (), reader=money, lengths=range(2, 4)),
        **{name: f.optional(name, count, None) for name in assessed},
    )
    f.done()
    return inputs


def _graduation(f: Fields) -> GraduationInputs:
    return GraduationInputs(
        cumulative_angel_vc=f.required("cumulative_angel_vc", money),
        yearly_revenues=f.required("yearly_revenues", _yearly),
        hnte=f.required("hnte", boolean),
        listed_or_acquired=f.required("listed_or_acquired", boolean),
    )


def _yearly(value: Any, path: str) -> dict[int, Decimal]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CaseError(
            _('%(path)s: enter an object of years and amounts, e.g. {"2024": "4000000"}') % {"path": path}
        )
    result = {}
    for key, amount in value.items():
        if not (isinstance(key, str) and len(key) == 4 and key.isdigit()):
            raise CaseError(_("%(path)s: %(key)s is not a year") % {"path": path, "key": key})
        result[int(key)] = money(amount, f"{path}.{key}")
        if result[int(key)] is None:
            raise CaseError(_("%(path)s: enter an amount") % {"path": f"{path}.{key}"})
    return result


def _clock(f: Fields) -> ClockInputs:
    def text(value: Any, path: str) -> str | None:
        if value is not None and not isinstance(value, str):
            raise CaseError(_("%(path)s: enter a text") % {"path": path})
        return value

    return ClockInputs(
        entered_on=f.required("entered_on", date, required=True),
        extended_field=bool(f.optional("extended_field", boolean, False)),
        industry_field=f.optional("industry_field", text, None),
    )


def _entry(f: Fields) -> EntryInputs:
    return EntryInputs(
        founded_on=f.required("founded_on", date),
        entered_on=f.required("entered_on", date, required=True),
    )


PARSERS = {
    "tsme": _tsme,
    "hnte": _hnte,
    "graduation": _graduation,
    "incubation_clock": _clock,
    "incubation_entry": _entry,
}
