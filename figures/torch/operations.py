"""The operations sheet (科技企业孵化器综合情况表): each item of the rule data computed from the
portfolio, or left blank with the reason. A total that would need a value the portfolio does
not hold (a firm without figures, a financing event without an amount in CNY) is left blank
too, with the known part in the note: a partial sum is never shown as the total.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import IncubatorMembership
from figures.torch.rows import DEMO, FirmYear, graduated, year_bounds
from figures.torch.rules import OperationItem, TorchRules
from portfolio.choices import GRADUATION_REASONS
from portfolio.models import Incubator, Mentor, Residency


@dataclass(frozen=True)
class OperationValue:
    item: OperationItem
    value: Decimal | int | None
    note: str = ""

    @property
    def computed(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Counts:
    """The incubator-wide counts read from the database (3 queries)."""

    staff: int
    mentors: int
    graduates_cumulative: int


def incubator_counts(incubator: Incubator, year: int) -> Counts:
    _start, end = year_bounds(year)
    graduates = (
        Residency.objects.filter(incubator=incubator, exit_reason__in=GRADUATION_REASONS, exited_on__lte=end)
        .exclude(origin=DEMO)
        .exclude(firm__origin=DEMO)
        .aggregate(n=Count("firm_id", distinct=True))["n"]
    )
    return Counts(
        staff=IncubatorMembership.objects.filter(incubator=incubator).count(),
        mentors=Mentor.objects.filter(incubators=incubator).exclude(origin=DEMO).count(),
        graduates_cumulative=graduates,
    )


def _partial(rules: TorchRules, item: OperationItem, known: Decimal, missing: int, of: int) -> OperationValue:
    if not missing:
        value = rules.money.convert(known) if item.unit == "money" else known
        return OperationValue(item, int(value) if item.unit == "people" else value)
    shown = rules.money.convert(known) if item.unit == "money" else known
    return OperationValue(
        item,
        None,
        _("Not computed: %(missing)d of %(of)d have no value (the known part is %(known)s).")
        % {"missing": missing, "of": of, "known": shown},
    )


def _sum_figures(rules: TorchRules, item: OperationItem, year_end: list[FirmYear]) -> OperationValue:
    known, missing = Decimal(0), 0
    for entry in year_end:
        value = getattr(entry.figures, item.field) if entry.figures is not None else None
        if value is None:
            missing += 1
        else:
            known += value
    return _partial(rules, item, known, missing, len(year_end))


def _financing(rules: TorchRules, item: OperationItem, entries: list[FirmYear]) -> OperationValue:
    known, missing, events = Decimal(0), 0, 0
    for entry in entries:
        for event in entry.financing:
            if event.kind not in item.kinds:
                continue
            events += 1
            if event.amount is None or event.currency != "CNY":
                missing += 1
            else:
                known += event.amount
    return _partial(rules, item, known, missing, events)


def operation_values(
    rules: TorchRules, incubator: Incubator, year: int, entries: list[FirmYear], counts: Counts
) -> list[OperationValue]:
    start, end = year_bounds(year)
    year_end = [e for e in entries if e.at_year_end(year)]
    values = []
    for item in rules.operations:
        compute = item.compute
        if not compute:
            values.append(
                OperationValue(item, None, _("Not computed: %(reason)s.") % {"reason": item.reason})
            )
        elif compute == "incubator_area":
            note = (
                ""
                if incubator.area_m2 is not None
                else _("Not computed: the incubator's area is not recorded.")
            )
            values.append(OperationValue(item, incubator.area_m2, note))
        elif compute == "incubatee_space":
            spaces = [e.residency.space_m2 for e in year_end]
            known = sum((s for s in spaces if s is not None), Decimal(0))
            values.append(_partial(rules, item, known, spaces.count(None), len(spaces)))
        elif compute == "staff_members":
            values.append(OperationValue(item, counts.staff))
        elif compute == "mentors":
            values.append(OperationValue(item, counts.mentors))
        elif compute == "incubatees_at_year_end":
            values.append(OperationValue(item, len(year_end)))
        elif compute == "incubatees_new":
            new = [e for e in entries if _entered_in(e, start, end)]
            values.append(OperationValue(item, len(new)))
        elif compute == "graduates_in_year":
            values.append(
                OperationValue(
                    item, sum(1 for e in entries if graduated(e, year) and e.residency.exited_on >= start)
                )
            )
        elif compute == "graduates_cumulative":
            values.append(OperationValue(item, counts.graduates_cumulative))
        elif compute == "sum_figures":
            values.append(_sum_figures(rules, item, year_end))
        elif compute == "financed_firms":
            financed = [e for e in entries if any(ev.kind in item.kinds for ev in e.financing)]
            values.append(OperationValue(item, len(financed)))
        elif compute == "financing_in_year":
            values.append(_financing(rules, item, entries))
    return values


def _entered_in(entry: FirmYear, start: datetime.date, end: datetime.date) -> bool:
    return start <= entry.residency.entered_on <= end
