"""What the ladder rules need to know about many firms, read in a fixed number of queries.

``firm_facts(residencies, on)`` takes a queryset of residencies (already narrowed to what the
user may see) and returns one ``FirmFacts`` per residency, with the firm's figures,
distinctions, incidents, self-assessments, certificates and equity money. Each kind of record
is one query over ``firm_id IN (subquery)``, never a list of ids, so the count stays the same for
one firm or ten thousand and no database's parameter limit is reached. Rows are read with
``values()``: building model instances for 30,000 yearly figures would cost more than the
evaluation itself.

``facts_json(on)`` is the same read for the firms of a small page on PostgreSQL: one JSON
column of the page's own query instead of seven queries (the partner API's firm list).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum

from ladder.engine.rule_data import INNOVATION_SELF_ASSESSED_PARTS
from portfolio.choices import CertificationStatus, FinancingKind, Instrument
from portfolio.models import (
    Certification,
    ComplianceIncident,
    Distinction,
    FinancingEvent,
    Firm,
    InnovationSelfAssessment,
    Residency,
    YearlyFigures,
)
from portfolio.selectors.json_rows import JSONText, json_object

# Equity rounds that count as angel or venture investment for graduation (国科发区〔2018〕300号).
# Government money given as equity (shuoguojin) is a grant, not an investor's money.
ANGEL_VC_INSTRUMENTS = (
    Instrument.ANGEL,
    Instrument.SEED,
    Instrument.ROUND_A,
    Instrument.ROUND_B,
    Instrument.ROUND_C,
    Instrument.STRATEGIC,
)

FIRM_FIELDS = (
    "name",
    "founded_on",
    "industry",
    "resident_enterprise",
    "audited_taxation",
    "industry_allowed",
    "high_tech_field_confirmed",
    "core_ip",
    "market_status",
    "market_status_since",
)

# Every figure the portfolio keeps (the partner API's and the ladder's own), with the year.
FIGURE_FIELDS = ("year", *YearlyFigures.FIGURES, *YearlyFigures.LADDER_FIGURES)

# The parts of the innovation score a firm assesses itself, as the engine names them.
ASSESSMENT_FIELDS = ("year", *INNOVATION_SELF_ASSESSED_PARTS)


@dataclass
class FirmFacts:
    firm_id: int
    firm: dict[str, Any]
    residency: dict[str, Any]
    figures: dict[int, dict[str, Any]] = field(default_factory=dict)
    distinctions: list[dict[str, Any]] = field(default_factory=list)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    assessments: dict[int, dict[str, Any]] = field(default_factory=dict)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    equity_angel_vc: Decimal | None = None

    @property
    def name(self) -> str:
        return self.firm["name"]


RESIDENCY_FIELDS = (
    "pk",
    "incubator_id",
    "incubator__name",
    "entered_on",
    "exited_on",
    "limit_months",
    "liaison_id",
)
DISTINCTION_FIELDS = ("kind", "level", "year", "awarded_on", "rank", "role", "valid_until", "title")
INCIDENT_FIELDS = ("kind", "occurred_on", "resolved_on")
CERTIFICATE_FIELDS = ("kind__code", "kind__ladder_rank", "kind__validity_months", "issued_on", "expires_on")


def _figures(on: datetime.date) -> QuerySet[YearlyFigures]:
    return YearlyFigures.objects.filter(year__lte=on.year)


def _incidents(on: datetime.date) -> QuerySet[ComplianceIncident]:
    return ComplianceIncident.objects.filter(occurred_on__lte=on)


def _assessments(on: datetime.date) -> QuerySet[InnovationSelfAssessment]:
    return InnovationSelfAssessment.objects.filter(year__lte=on.year)


def _certificates() -> QuerySet[Certification]:
    return Certification.objects.filter(status=CertificationStatus.GRANTED, kind__ladder_rank__isnull=False)


def _angel_vc_equity(on: datetime.date) -> QuerySet[FinancingEvent]:
    return FinancingEvent.objects.filter(
        Q(occurred_on__isnull=True) | Q(occurred_on__lte=on),
        kind=FinancingKind.EQUITY,
        instrument__in=ANGEL_VC_INSTRUMENTS,
        currency="CNY",
        amount__isnull=False,
    )


def _residency(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["pk"],
        "incubator_id": row["incubator_id"],
        "incubator": row["incubator__name"],
        "entered_on": row["entered_on"],
        "exited_on": row["exited_on"],
        "limit_months": row["limit_months"],
        "liaison_id": row["liaison_id"],
    }


def _by_firm(queryset: QuerySet, firm_ids: QuerySet, fields: tuple[str, ...]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for row in queryset.filter(firm_id__in=firm_ids).values("firm_id", *fields).iterator(chunk_size=4000):
        grouped[row.pop("firm_id")].append(row)
    return grouped


def firm_facts(residencies: QuerySet[Residency], on: datetime.date) -> list[FirmFacts]:
    """One FirmFacts per residency of ``residencies`` (in its order), as the rules need them on ``on``.

    Seven queries whatever the number of residencies. Figures are read for every year up to
    ``on``'s (graduation looks at the whole history); certificates only when granted.
    """
    rows = list(residencies.values("firm_id", *RESIDENCY_FIELDS, *(f"firm__{name}" for name in FIRM_FIELDS)))
    firm_ids = residencies.values("firm_id")
    figures = _by_firm(_figures(on), firm_ids, FIGURE_FIELDS)
    distinctions = _by_firm(Distinction.objects.all(), firm_ids, DISTINCTION_FIELDS)
    incidents = _by_firm(_incidents(on), firm_ids, INCIDENT_FIELDS)
    assessments = _by_firm(_assessments(on), firm_ids, ASSESSMENT_FIELDS)
    certificates = _by_firm(_certificates(), firm_ids, CERTIFICATE_FIELDS)
    equity = dict(
        _angel_vc_equity(on)
        .filter(firm_id__in=firm_ids)
        .values("firm_id")
        .annotate(total=Sum("amount"))
        .values_list("firm_id", "total")
    )
    facts = []
    for row in rows:
        firm_id = row["firm_id"]
        facts.append(
            FirmFacts(
                firm_id=firm_id,
                firm={name: row[f"firm__{name}"] for name in FIRM_FIELDS},
                residency=_residency(row),
                figures={f["year"]: f for f in figures.get(firm_id, ())},
                distinctions=distinctions.get(firm_id, []),
                incidents=incidents.get(firm_id, []),
                assessments={a["year"]: a for a in assessments.get(firm_id, ())},
                certificates=certificates.get(firm_id, []),
                equity_angel_vc=equity.get(firm_id),
            )
        )
    return facts


def facts_json(on: datetime.date) -> tuple[JSONText, Callable[[int, dict[str, Any]], FirmFacts | None]]:
    """``firm_facts`` for the firm of an enclosing ``Firm`` query, as one JSON value (PostgreSQL):
    the expression (read it as text: ``json_rows.as_text``), and the function turning its decoded
    JSON (``json_rows.loads``) and the firm's
    id into the ``FirmFacts`` ``firm_facts`` would give, or None for a firm without a residency.

    The residency is the one ``ladder.standing.ladder_residencies`` chooses (open, else the
    latest); the lists keep the models' order within a firm.
    """
    firm = OuterRef("pk")
    own, decode_firm = json_object(Firm, FIRM_FIELDS)
    residency, decode_residency = json_object(Residency, RESIDENCY_FIELDS)
    figures, decode_figures = json_object(YearlyFigures, FIGURE_FIELDS)
    distinctions, decode_distinction = json_object(Distinction, DISTINCTION_FIELDS)
    incidents, decode_incident = json_object(ComplianceIncident, INCIDENT_FIELDS)
    assessments, decode_assessment = json_object(InnovationSelfAssessment, ASSESSMENT_FIELDS)
    certificates, decode_certificate = json_object(Certification, CERTIFICATE_FIELDS)
    expression = JSONText(
        firm=own,
        residency=Subquery(
            Residency.objects.filter(firm=firm)
            .order_by(F("exited_on").desc(nulls_first=True), "-entered_on", "-pk")
            .values(json=residency)[:1]
        ),
        figures=ArraySubquery(_figures(on).filter(firm=firm).order_by("-year").values(json=figures)),
        distinctions=ArraySubquery(
            Distinction.objects.filter(firm=firm).order_by("-year", "kind").values(json=distinctions)
        ),
        incidents=ArraySubquery(
            _incidents(on).filter(firm=firm).order_by("-occurred_on").values(json=incidents)
        ),
        assessments=ArraySubquery(
            _assessments(on).filter(firm=firm).order_by("-year").values(json=assessments)
        ),
        certificates=ArraySubquery(
            _certificates()
            .filter(firm=firm)
            .order_by("kind__ladder_rank", "-issued_on")
            .values(json=certificates)
        ),
        equity=Subquery(
            _angel_vc_equity(on)
            .filter(firm=firm)
            .order_by()
            .values("firm")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
    )

    def decode(firm_id: int, value: dict[str, Any]) -> FirmFacts | None:
        if value["residency"] is None:
            return None
        figures = [decode_figures(row) for row in value["figures"]]
        assessments = [decode_assessment(row) for row in value["assessments"]]
        equity = value["equity"]
        return FirmFacts(
            firm_id=firm_id,
            firm=decode_firm(value["firm"]),
            residency=_residency(decode_residency(value["residency"])),
            figures={f["year"]: f for f in figures},
            distinctions=[decode_distinction(row) for row in value["distinctions"]],
            incidents=[decode_incident(row) for row in value["incidents"]],
            assessments={a["year"]: a for a in assessments},
            certificates=[decode_certificate(row) for row in value["certificates"]],
            equity_angel_vc=None if equity is None else Decimal(equity),
        )

    return expression, decode
