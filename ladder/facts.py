"""What the ladder rules need to know about many firms, read in a fixed number of queries.

``firm_facts(residencies, on)`` takes a queryset of residencies (already narrowed to what the
user may see) and returns one ``FirmFacts`` per residency, with the firm's figures,
distinctions, incidents, self-assessments, certificates and equity money. Each kind of record
is one query over ``firm_id IN (subquery)``, never a list of ids, so the count stays the same for
one firm or ten thousand and no database's parameter limit is reached. Rows are read with
``values()``: building model instances for 30,000 yearly figures would cost more than the
evaluation itself.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from ladder.engine.rule_data import INNOVATION_SELF_ASSESSED_PARTS
from portfolio.choices import CertificationStatus, FinancingKind, Instrument
from portfolio.models import (
    Certification,
    ComplianceIncident,
    Distinction,
    FinancingEvent,
    InnovationSelfAssessment,
    Residency,
    YearlyFigures,
)

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
    rows = list(
        residencies.values(
            "pk",
            "firm_id",
            "incubator_id",
            "incubator__name",
            "entered_on",
            "exited_on",
            "limit_months",
            "liaison_id",
            *(f"firm__{name}" for name in FIRM_FIELDS),
        )
    )
    firm_ids = residencies.values("firm_id")
    figures = _by_firm(YearlyFigures.objects.filter(year__lte=on.year), firm_ids, FIGURE_FIELDS)
    distinctions = _by_firm(
        Distinction.objects.all(),
        firm_ids,
        ("kind", "level", "year", "awarded_on", "rank", "role", "valid_until", "title"),
    )
    incidents = _by_firm(
        ComplianceIncident.objects.filter(occurred_on__lte=on),
        firm_ids,
        ("kind", "occurred_on", "resolved_on"),
    )
    assessments = _by_firm(
        InnovationSelfAssessment.objects.filter(year__lte=on.year), firm_ids, ASSESSMENT_FIELDS
    )
    certificates = _by_firm(
        Certification.objects.filter(status=CertificationStatus.GRANTED, kind__ladder_rank__isnull=False),
        firm_ids,
        ("kind__code", "kind__ladder_rank", "kind__validity_months", "issued_on", "expires_on"),
    )
    equity = dict(
        FinancingEvent.objects.filter(
            Q(occurred_on__isnull=True) | Q(occurred_on__lte=on),
            firm_id__in=firm_ids,
            kind=FinancingKind.EQUITY,
            instrument__in=ANGEL_VC_INSTRUMENTS,
            currency="CNY",
            amount__isnull=False,
        )
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
                residency={
                    "id": row["pk"],
                    "incubator_id": row["incubator_id"],
                    "incubator": row["incubator__name"],
                    "entered_on": row["entered_on"],
                    "exited_on": row["exited_on"],
                    "limit_months": row["limit_months"],
                    "liaison_id": row["liaison_id"],
                },
                figures={f["year"]: f for f in figures.get(firm_id, ())},
                distinctions=distinctions.get(firm_id, []),
                incidents=incidents.get(firm_id, []),
                assessments={a["year"]: a for a in assessments.get(firm_id, ())},
                certificates=certificates.get(firm_id, []),
                equity_angel_vc=equity.get(firm_id),
            )
        )
    return facts
