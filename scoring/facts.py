"""What the engine needs about the firms of a cohort, read in a few queries per cohort.

``firms_with_cohort`` annotates firms with their score year (the latest closed fiscal year with
figures) and region (the city, or the incubator, of the residency the ladder reads: the open
one, else the latest), so that a whole portfolio can be read in cohort order by one streamed
query. ``firm_records`` reads the records of a cohort's firms: one query per kind of record
(figures of the years the pack reads, financing, certifications, distinctions, incidents), by
chunks of ids, as plain rows (``values()``), never model instances.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast

from portfolio.models import (
    Certification,
    ComplianceIncident,
    Distinction,
    FinancingEvent,
    Firm,
    Residency,
    YearlyFigures,
)
from scoring.engine.inputs import FirmRecord
from scoring.engine.pack import DERIVED, Pack
from scoring.engine.score import Cohort, cohort_key

ID_CHUNK = 2000


def score_year_cap(on: datetime.date) -> int:
    """The latest fiscal year scored on ``on``: the last closed one."""
    return on.year - 1


def _ladder_residency() -> QuerySet:
    return Residency.objects.filter(firm=OuterRef("pk")).order_by(
        F("exited_on").desc(nulls_first=True), "-entered_on", "-pk"
    )


def firms_with_cohort(pack: Pack, on: datetime.date, firms: QuerySet[Firm] | None = None) -> QuerySet:
    """``firms`` (every firm by default) as rows of pk, founded_on, score_year and region."""
    firms = Firm.objects.all() if firms is None else firms
    latest = (
        YearlyFigures.objects.filter(firm=OuterRef("pk"), year__lte=score_year_cap(on))
        .order_by("-year")
        .values("year")[:1]
    )
    if pack.cohort_by == "city":
        region = Subquery(_ladder_residency().values("incubator__city")[:1])
    elif pack.cohort_by == "incubator":
        region = Cast(Subquery(_ladder_residency().values("incubator_id")[:1]), CharField())
    else:
        region = Value("all", output_field=CharField())  # one region: cohorts by year alone
    return firms.annotate(score_year=Subquery(latest), region=region).values(
        "pk", "founded_on", "score_year", "region"
    )


def cohort_of(pack: Pack, row: dict[str, Any]) -> Cohort:
    """The cohort of a ``firms_with_cohort`` row; key "" when the firm cannot be placed in one."""
    year, region = row["score_year"], row["region"]
    if year is None:
        return Cohort("", pack.cohort_by, "", None)
    if pack.cohort_by != "none" and not region:
        return Cohort("", pack.cohort_by, "", year)
    value = "" if pack.cohort_by == "none" else region
    return Cohort(cohort_key(year, pack.cohort_by, value), pack.cohort_by, value, year)


def parse_cohort_key(key: str) -> tuple[int, str, str] | None:
    """(year, by, value) of a stored cohort key, None for "" or a key of another format."""
    year, _, rest = key.partition("/")
    if not year.isdigit() or not rest:
        return None
    if rest == "all":
        return int(year), "none", ""
    by, _, value = rest.partition(":")
    return int(year), by, value


def cohort_members(pack: Pack, on: datetime.date, year: int, value: str) -> QuerySet:
    """The rows of every firm in the cohort (``year``, ``value`` of the pack's region)."""
    firms = Firm.objects.filter(Exists(YearlyFigures.objects.filter(firm=OuterRef("pk"), year=year)))
    if pack.cohort_by == "city":
        firms = firms.filter(Exists(Residency.objects.filter(firm=OuterRef("pk"), incubator__city=value)))
    elif pack.cohort_by == "incubator":
        if not value.isdigit():
            return firms_with_cohort(pack, on, Firm.objects.none())
        firms = firms.filter(Exists(Residency.objects.filter(firm=OuterRef("pk"), incubator_id=int(value))))
    rows = firms_with_cohort(pack, on, firms).filter(score_year=year)
    if pack.cohort_by != "none":
        rows = rows.filter(region=value)
    return rows.order_by("pk")


def _needs(pack: Pack) -> tuple[set[str], set[str]]:
    """(the yearly figures the pack reads, the other record kinds it reads)."""
    figures = {"revenue"}  # the stages read it
    kinds = set()
    for indicator in pack.indicators:
        compute = indicator.compute
        for name in (compute.figure, compute.denominator):
            if name:
                figures.update(DERIVED.get(name, (name,)))
        if compute.kind in ("financing", "certifications"):
            kinds.add(compute.kind)
    for item in (*pack.bonus, *pack.negative):
        kinds.add(
            {"certification": "certifications", "loan": "financing"}.get(item.when.kind, item.when.kind)
        )
    return figures, kinds


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def firm_records(pack: Pack, year: int, rows: list[dict[str, Any]]) -> list[FirmRecord]:
    """One FirmRecord per row (in order), with the records the pack reads for ``year``."""
    figures_needed, kinds = _needs(pack)
    first_year = year - pack.years_needed + 1
    figure_years = year - max(i.period_years for i in pack.indicators) + 1
    records = {row["pk"]: FirmRecord(firm_id=row["pk"], founded_on=row["founded_on"]) for row in rows}
    for ids in _chunks(list(records)):
        for row in (
            YearlyFigures.objects.filter(firm_id__in=ids, year__gte=figure_years, year__lte=year)
            .order_by()
            .values("firm_id", "year", *sorted(figures_needed))
        ):
            records[row.pop("firm_id")].figures[row.pop("year")] = row
        grouped = _records(kinds, ids, first_year)
        for firm_id, name, row in grouped:
            getattr(records[firm_id], name).append(row)
    return list(records.values())


def _records(kinds: set[str], ids: list[int], first_year: int) -> Iterable[tuple[int, str, dict]]:
    since = datetime.date(first_year, 1, 1)
    if "financing" in kinds:
        events = FinancingEvent.objects.filter(firm_id__in=ids).exclude(occurred_on__lt=since)
        fields = ("kind", "instrument", "amount", "currency", "occurred_on", "loan_status")
        for row in events.order_by().values("firm_id", *fields):
            yield row.pop("firm_id"), "financing", row
    if "certifications" in kinds:
        certificates = Certification.objects.filter(firm_id__in=ids, status__in=("granted", "expired"))
        for row in certificates.order_by().values(
            "firm_id", "kind__code", "status", "issued_on", "expires_on"
        ):
            row["kind"] = row.pop("kind__code")
            yield row.pop("firm_id"), "certifications", row
    if "distinction" in kinds:
        distinctions = Distinction.objects.filter(firm_id__in=ids, year__gte=first_year)
        for row in distinctions.order_by().values("firm_id", "kind", "level", "role", "year"):
            yield row.pop("firm_id"), "distinctions", row
    if "incident" in kinds:
        incidents = ComplianceIncident.objects.filter(firm_id__in=ids, occurred_on__gte=since)
        for row in incidents.order_by().values("firm_id", "kind", "occurred_on"):
            yield row.pop("firm_id"), "incidents", row
