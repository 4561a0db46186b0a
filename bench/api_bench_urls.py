"""The project's URLs plus /bench/bare-firms/: the firm list page from one ``.values()`` query.

The bare view returns the same JSON shape as /api/v1/firms/ (profile, current residency,
certification statuses, financing summary, latest figures, the innovation score's summary and
the certification-ladder summary) for the same 50 consented firms, with no authentication,
throttling, pagination links, serializers or access log. PostgreSQL builds every nested part in
a single query with ``JSONObject``/``ArraySubquery``, including the facts the ladder rules read
(the residency its standing is read from, figures, distinctions, incidents, self-assessments,
certificates, angel/VC equity); the ladder summary is then the same engine's evaluation
(``ladder.standing.standing_of``) that the API runs, since no query can produce it. The rule
sets are read once per process (the API reads them on each request: staff can edit them). The
ratio of the two is what the framework and the API's duties cost.
"""

import datetime
import functools
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, JSONObject
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone

from config.urls import urlpatterns as project_urlpatterns
from ladder import facts as ladder_facts
from ladder.standing import rulesets_on, standing_of
from partners.models import Consent
from partners.selectors import ladder_summary
from portfolio.choices import CertificationStatus, FinancingKind
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
from scoring.models import FirmScore


def _money_sum(**filters):
    return Coalesce(
        Subquery(
            FinancingEvent.objects.filter(firm=OuterRef("pk"), currency="CNY", **filters)
            .order_by()
            .values("firm")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
        Value(0),
        output_field=DecimalField(),
    )


def _field(model, lookup: str):
    *relations, name = lookup.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _typed_object(model, lookups):
    """A JSONObject of ``lookups`` whose decimals travel as text (exact), and the converters that
    turn the JSON back into the types ``.values()`` gives (dates, Decimals)."""
    columns, converters = {}, {}
    for lookup in lookups:
        field = _field(model, lookup)
        if isinstance(field, DecimalField):
            columns[lookup] = Cast(lookup, TextField())
            converters[lookup] = Decimal
        else:
            columns[lookup] = lookup
            if isinstance(field, DateTimeField):
                converters[lookup] = datetime.datetime.fromisoformat
            elif isinstance(field, DateField):
                converters[lookup] = datetime.date.fromisoformat
    return JSONObject(**columns), converters


def _typed(row: dict, converters: dict) -> dict:
    for key, convert in converters.items():
        if row[key] is not None:
            row[key] = convert(row[key])
    return row


RESIDENCY = ("pk", "incubator_id", "incubator__name", "entered_on", "exited_on", "limit_months", "liaison_id")
DISTINCTIONS = ("kind", "level", "year", "awarded_on", "rank", "role", "valid_until", "title")
INCIDENTS = ("kind", "occurred_on", "resolved_on")
CERTIFICATES = ("kind__code", "kind__ladder_rank", "kind__validity_months", "issued_on", "expires_on")
LADDER_FIRM_FIELDS = tuple(
    name for name in ladder_facts.FIRM_FIELDS if name not in ("name", "founded_on", "industry")
)


def _facts_columns(on: datetime.date):
    """The ladder facts of each firm (ladder.facts.firm_facts's seven queries) as columns."""
    firm = OuterRef("pk")
    residency, residency_types = _typed_object(Residency, RESIDENCY)
    figures, figures_types = _typed_object(YearlyFigures, ladder_facts.FIGURE_FIELDS)
    distinctions, distinction_types = _typed_object(Distinction, DISTINCTIONS)
    incidents, incident_types = _typed_object(ComplianceIncident, INCIDENTS)
    assessments, assessment_types = _typed_object(InnovationSelfAssessment, ladder_facts.ASSESSMENT_FIELDS)
    certificates, certificate_types = _typed_object(Certification, CERTIFICATES)
    columns = {
        "facts_residency": Subquery(
            Residency.objects.filter(firm=firm)
            .order_by(F("exited_on").desc(nulls_first=True), "-entered_on", "-pk")
            .values(json=residency)[:1]
        ),
        "facts_figures": ArraySubquery(
            YearlyFigures.objects.filter(firm=firm, year__lte=on.year).order_by().values(json=figures)
        ),
        "facts_distinctions": ArraySubquery(
            Distinction.objects.filter(firm=firm).order_by().values(json=distinctions)
        ),
        "facts_incidents": ArraySubquery(
            ComplianceIncident.objects.filter(firm=firm, occurred_on__lte=on)
            .order_by()
            .values(json=incidents)
        ),
        "facts_assessments": ArraySubquery(
            InnovationSelfAssessment.objects.filter(firm=firm, year__lte=on.year)
            .order_by()
            .values(json=assessments)
        ),
        "facts_certificates": ArraySubquery(
            Certification.objects.filter(
                firm=firm, status=CertificationStatus.GRANTED, kind__ladder_rank__isnull=False
            )
            .order_by()
            .values(json=certificates)
        ),
        "facts_equity": Subquery(
            FinancingEvent.objects.filter(
                Q(occurred_on__isnull=True) | Q(occurred_on__lte=on),
                firm=firm,
                kind=FinancingKind.EQUITY,
                instrument__in=ladder_facts.ANGEL_VC_INSTRUMENTS,
                currency="CNY",
                amount__isnull=False,
            )
            .order_by()
            .values("firm")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
    }
    types = {
        "residency": residency_types,
        "figures": figures_types,
        "distinctions": distinction_types,
        "incidents": incident_types,
        "assessments": assessment_types,
        "certificates": certificate_types,
    }
    return columns, types


def _facts(row: dict, types: dict) -> ladder_facts.FirmFacts | None:
    residency = row.pop("facts_residency")
    lists = {
        name: row.pop(f"facts_{name}")
        for name in ("figures", "distinctions", "incidents", "assessments", "certificates")
    }
    equity = row.pop("facts_equity")
    firm = {name: row.pop(name) for name in LADDER_FIRM_FIELDS}
    if residency is None:
        return None
    residency = _typed(residency, types["residency"])
    figures = [_typed(r, types["figures"]) for r in lists["figures"]]
    assessments = [_typed(r, types["assessments"]) for r in lists["assessments"]]
    return ladder_facts.FirmFacts(
        firm_id=row["id"],
        firm={**firm, "name": row["name"], "founded_on": row["founded_on"], "industry": row["industry"]},
        residency={
            "id": residency["pk"],
            "incubator_id": residency["incubator_id"],
            "incubator": residency["incubator__name"],
            "entered_on": residency["entered_on"],
            "exited_on": residency["exited_on"],
            "limit_months": residency["limit_months"],
            "liaison_id": residency["liaison_id"],
        },
        figures={f["year"]: f for f in figures},
        distinctions=[_typed(r, types["distinctions"]) for r in lists["distinctions"]],
        incidents=[_typed(r, types["incidents"]) for r in lists["incidents"]],
        assessments={a["year"]: a for a in assessments},
        certificates=[_typed(r, types["certificates"]) for r in lists["certificates"]],
        equity_angel_vc=equity,
    )


@functools.cache
def _rules_in_force(on: datetime.date) -> dict:
    """The TSME and HNTE rule versions in force (all the summary shows), read once per process."""
    return {rule: ruleset for rule, ruleset in rulesets_on(on).items() if rule in ("tsme", "hnte")}


def bare_firms(request):
    bank_id = int(request.GET["bank"])
    on = timezone.localdate()
    residency = Residency.objects.filter(firm=OuterRef("pk"), exited_on__isnull=True).order_by("-entered_on")
    figures = YearlyFigures.objects.filter(firm=OuterRef("pk")).order_by("-year")
    facts, types = _facts_columns(on)
    rows = (
        Firm.objects.filter(Exists(Consent.objects.filter(firm=OuterRef("pk"), organisation_id=bank_id)))
        .order_by("id")
        .values(
            "id",
            "name",
            "name_en",
            "credit_code",
            "founded_on",
            "founded_precision",
            "industry",
            "industry_detail",
            "website",
            "updated_at",
            *LADDER_FIRM_FIELDS,
            current_residency=Subquery(
                residency.values(
                    json=JSONObject(
                        incubator=JSONObject(
                            id="incubator_id",
                            name="incubator__name",
                            name_en="incubator__name_en",
                            city="incubator__city",
                            level="incubator__level",
                        ),
                        entered_on="entered_on",
                        entered_precision="entered_precision",
                        limit_months="limit_months",
                    )
                )[:1]
            ),
            certification_list=ArraySubquery(
                Certification.objects.filter(firm=OuterRef("pk"))
                .order_by("kind__ladder_rank", "-issued_on")
                .values(
                    json=JSONObject(
                        kind="kind__code", status="status", issued_on="issued_on", expires_on="expires_on"
                    )
                )
            ),
            financing_summary=JSONObject(
                events=Coalesce(
                    Subquery(
                        FinancingEvent.objects.filter(firm=OuterRef("pk"))
                        .order_by()
                        .values("firm")
                        .annotate(n=Count("id"))
                        .values("n")
                    ),
                    Value(0),
                ),
                equity_total=_money_sum(kind="equity"),
                loans_total=_money_sum(
                    kind="loan", loan_status__in=["", "disbursed", "repaid", "defaulted", "compensated"]
                ),
                last_financing_on=Subquery(
                    FinancingEvent.objects.filter(firm=OuterRef("pk"))
                    .order_by("-occurred_on")
                    .values("occurred_on")[:1]
                ),
            ),
            latest_figures=Subquery(
                figures.values(
                    json=JSONObject(**{name: name for name in ("year", *YearlyFigures.FIGURES, "updated_at")})
                )[:1]
            ),
            score_summary=Subquery(
                FirmScore.objects.filter(firm=OuterRef("pk")).values(
                    json=JSONObject(
                        status="status",
                        total="total",
                        stage="stage",
                        pack_version="pack_version",
                        completeness="completeness",
                        year="year",
                        computed_at="computed_at",
                    )
                )
            ),
            **facts,
        )[:50]
    )
    results = list(rows)
    in_force = _rules_in_force(on)
    for row in results:  # reverse relations already own the names "certifications", "innovation_score"
        row["certifications"] = row.pop("certification_list")
        row["innovation_score"] = row.pop("score_summary")
        firm_facts = _facts(row, types)
        row["ladder"] = None if firm_facts is None else ladder_summary(standing_of(firm_facts, on, in_force))
    return JsonResponse({"next": None, "previous": None, "results": results})


urlpatterns = [path("bench/bare-firms/", bare_firms), *project_urlpatterns]
