"""The return's rows: one per firm incubated in the incubator at any time in the report year.

``firm_years(incubator, year, rules)`` reads everything the rows, the operations sheet and the
validation report need in a fixed number of queries, whatever the number of firms: each kind of
record is one query over ``firm_id IN (subquery of the year's stays)``.

Demo records are left out: a firm or a stay with ``origin = demo`` is no incubatee of the
return, and demo figures, certificates, services and financing count as absent (they are
invented, see portfolio/services/demo.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from figures.models import FiguresSubmission, SubmissionStatus
from figures.torch.rules import Field, TorchRules
from portfolio.choices import GRADUATION_REASONS, CertificationStatus, LoanStatus, RecordOrigin
from portfolio.models import (
    Certification,
    FinancingEvent,
    Firm,
    Incubator,
    Residency,
    ServiceRecord,
    YearlyFigures,
)

DEMO = RecordOrigin.DEMO
# A certificate valid on some day of the year: granted, or granted then expired (never revoked).
VALID_STATUSES = (CertificationStatus.GRANTED, CertificationStatus.EXPIRED)
# Loans whose money reached the firm (an application, an approval or a rejection did not); a loan
# staff recorded without a status is a fact they recorded, so it counts.
LOANS_RECEIVED = ("", LoanStatus.DISBURSED, LoanStatus.REPAID, LoanStatus.DEFAULTED, LoanStatus.COMPENSATED)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class Certificate(NamedTuple):
    issued_on: datetime.date
    number: str


@dataclass
class FirmYear:
    """What the portfolio knows of one incubatee for the report year, and its row."""

    firm: Firm
    residency: Residency  # the stay the row reads: the latest one overlapping the year
    stays: int = 1  # stays in this incubator overlapping the year
    figures: YearlyFigures | None = None  # the year's figures, demo ones left out
    demo_figures: bool = False  # the only figures of the year are the demo's
    mentor: bool = False
    hnte: Certificate | None = None  # the latest HNTE certificate valid in the year
    tsme: bool = False
    submission: dict[str, Any] = field(default_factory=dict)  # accepted submission's values
    financing: list[FinancingEvent] = field(default_factory=list)  # the year's, not demo
    values: dict[str, Any] = field(default_factory=dict)  # the row, by field key

    @property
    def name(self) -> str:
        return self.firm.name

    def at_year_end(self, year: int) -> bool:
        exited_on = self.residency.exited_on
        return exited_on is None or exited_on > datetime.date(year, 12, 31)


def year_stays(incubator: Incubator, year: int) -> QuerySet[Residency]:
    """The incubator's stays overlapping ``year``, without demo firms or demo stays."""
    start, end = year_bounds(year)
    return (
        Residency.objects.filter(incubator=incubator, entered_on__lte=end)
        .filter(Q(exited_on__isnull=True) | Q(exited_on__gte=start))
        .exclude(origin=DEMO)
        .exclude(firm__origin=DEMO)
    )


def firm_years(incubator: Incubator, year: int, rules: TorchRules) -> list[FirmYear]:
    """One FirmYear per incubatee of ``year``, by firm name, with its row worked out (6 queries)."""
    start, end = year_bounds(year)
    stays = year_stays(incubator, year)
    firm_ids = stays.values("firm_id")
    by_firm: dict[int, FirmYear] = {}
    for residency in stays.select_related("firm").order_by("firm__name", "firm_id", "entered_on", "pk"):
        current = by_firm.get(residency.firm_id)
        if current is None:
            by_firm[residency.firm_id] = FirmYear(firm=residency.firm, residency=residency)
        else:
            current.residency, current.stays = residency, current.stays + 1

    for figures in YearlyFigures.objects.filter(firm_id__in=firm_ids, year=year):
        entry = by_firm[figures.firm_id]
        if figures.origin == DEMO:
            entry.demo_figures = True
        else:
            entry.figures = figures

    computations = rules.computations
    certificates = (
        Certification.objects.filter(
            firm_id__in=firm_ids,
            kind__code__in=(computations.hnte_kind, computations.tsme_kind),
            status__in=VALID_STATUSES,
            issued_on__lte=end,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=start))
        .exclude(origin=DEMO)
        .values_list("firm_id", "kind__code", "issued_on", "number")
        .order_by("issued_on", "pk")
    )
    for firm_id, code, issued_on, number in certificates:
        entry = by_firm[firm_id]
        if code == computations.hnte_kind:  # the latest one stays
            entry.hnte = Certificate(issued_on, number)
        if code == computations.tsme_kind:
            entry.tsme = True

    served = (
        ServiceRecord.firms.through.objects.filter(
            firm_id__in=firm_ids,
            servicerecord__occurred_on__range=(start, end),
            servicerecord__mentor__kind__in=computations.mentor_kinds,
        )
        .exclude(servicerecord__origin=DEMO)
        .exclude(servicerecord__mentor__origin=DEMO)
        .values_list("firm_id", flat=True)
        .distinct()
    )
    for firm_id in served:
        by_firm[firm_id].mentor = True

    # Field 26 from the accepted submission of the year: this incubator's request first.
    submissions = (
        FiguresSubmission.objects.filter(
            firm_id__in=firm_ids, request__year=year, status=SubmissionStatus.ACCEPTED
        )
        .values_list("firm_id", "request__incubator_id", "values")
        .order_by("reviewed_at", "pk")
    )
    own: dict[int, dict] = {}
    other: dict[int, dict] = {}
    for firm_id, incubator_id, values in submissions:
        (own if incubator_id == incubator.pk else other)[firm_id] = values if isinstance(values, dict) else {}
    for firm_id, entry in by_firm.items():
        entry.submission = own.get(firm_id) or other.get(firm_id) or {}

    events = FinancingEvent.objects.filter(
        firm_id__in=firm_ids, occurred_on__range=(start, end), loan_status__in=LOANS_RECEIVED
    ).exclude(origin=DEMO)
    for event in events.order_by("occurred_on", "pk"):
        by_firm[event.firm_id].financing.append(event)

    entries = list(by_firm.values())
    for entry in entries:
        entry.values = row_values(entry, year, rules)
    return entries


def graduated(entry: FirmYear, year: int) -> bool:
    residency = entry.residency
    return (
        residency.exit_reason in GRADUATION_REASONS
        and residency.exited_on is not None
        and residency.exited_on <= datetime.date(year, 12, 31)
    )


def _computed(name: str, entry: FirmYear, year: int) -> Any:
    if name == "mentor_in_year":
        return entry.mentor
    if name == "graduated":
        return graduated(entry, year)
    if name == "graduation_date":
        return entry.residency.exited_on if graduated(entry, year) else None
    if name == "hnte_in_year":
        return entry.hnte is not None
    if name == "tsme_in_year":
        return entry.tsme
    if name == "hnte_certified_on":
        return entry.hnte.issued_on if entry.hnte else None
    if name == "hnte_number":
        return (entry.hnte.number or None) if entry.hnte else None
    raise ValueError(name)  # the rule data's checker admits only the names above


def _sourced(source: str, entry: FirmYear) -> Any:
    prefix, _dot, name = source.partition(".")
    if prefix == "submission":
        value = entry.submission.get(name)
        text = "" if value is None else str(value).strip()
        return text or None
    record = {"firm": entry.firm, "residency": entry.residency, "figures": entry.figures}[prefix]
    if record is None:
        return None
    value = getattr(record, name)
    return None if value == "" else value


def field_value(rules_field: Field, entry: FirmYear, year: int, rules: TorchRules) -> Any:
    """A field's value as the return states it: money in the return's unit, codes as stored."""
    if rules_field.compute:
        value = _computed(rules_field.compute, entry, year)
    else:
        value = _sourced(rules_field.source, entry)
    if rules_field.kind == "money":
        return rules.money.convert(value)
    if rules_field.kind == "area" and value is not None:
        return Decimal(value)
    return value


def row_values(entry: FirmYear, year: int, rules: TorchRules) -> dict[str, Any]:
    return {f.key: field_value(f, entry, year, rules) for f in rules.fields}


def equity_in_year(entry: FirmYear, instruments: tuple[str, ...]) -> tuple[Decimal, int]:
    """The year's angel/VC events (the cross-check of field 16): the CNY sum of those with an
    amount, and how many have none or another currency."""
    total, unknown = Decimal(0), 0
    for event in entry.financing:
        if event.instrument not in instruments:
            continue
        if event.amount is None or event.currency != "CNY":
            unknown += 1
        else:
            total += event.amount
    return total, unknown


def financing_by_kind(entries: list[FirmYear]) -> dict[str, list[FinancingEvent]]:
    result: dict[str, list[FinancingEvent]] = defaultdict(list)
    for entry in entries:
        for event in entry.financing:
            result[event.kind].append(event)
    return result
