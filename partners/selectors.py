"""What the partner API shows, and to whom.

A partner sees a firm only while one of the firm's consents to that partner is in force;
everything else about the firm (its certifications, financing, figures, loans) hangs off the
same queryset, so a firm outside consent is simply not there. Staff using the API with their
admin session see the firms of their incubators (``scope.firms_for_user``).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from accounts.models import Organisation, User
from ladder.facts import facts_json
from ladder.selectors import rulesets_active
from ladder.standing import FirmStanding, ladder_residencies, rulesets_on, standing_of, standings
from partners.models import ApiKey, BankRecommendation, Consent, LoanApplication, LoanDecision
from portfolio.choices import FinancingKind, LoanStatus, RecordOrigin
from portfolio.models import (
    Certification,
    FinancingEvent,
    FinancingParticipant,
    Firm,
    Residency,
    YearlyFigures,
)
from portfolio.selectors.certifications import with_status_on
from portfolio.selectors.json_rows import JSONText, as_text, json_object, loads
from portfolio.selectors.scope import firms_for_user, scope_to_incubators
from scoring.models import FirmScore
from scoring.selectors import SUMMARY_FIELDS as SCORE_SUMMARY_FIELDS
from scoring.selectors import score_summaries

# Loans other banks recorded become part of a firm's visible history once money moved;
# applications, approvals and rejections stay between the firm, its incubator and that bank.
LOAN_STATUSES_SHOWN_TO_OTHER_BANKS = (
    LoanStatus.DISBURSED,
    LoanStatus.REPAID,
    LoanStatus.DEFAULTED,
    LoanStatus.COMPENSATED,
)


@dataclass(frozen=True)
class ApiViewer:
    """Who is asking: a partner (by API key) or a staff member (by admin session)."""

    organisation: Organisation | None = None
    api_key: ApiKey | None = None
    user: User | None = None

    @property
    def is_partner(self) -> bool:
        return self.organisation is not None


def firms_visible_to(viewer: ApiViewer, *, now: datetime.datetime | None = None) -> QuerySet[Firm]:
    if viewer.is_partner:
        consents = Consent.objects.in_force(now).filter(organisation=viewer.organisation, firm=OuterRef("pk"))
        return Firm.objects.filter(Exists(consents))
    if viewer.user is not None:
        return firms_for_user(viewer.user)
    return Firm.objects.none()


def financing_visible_to(viewer: ApiViewer) -> QuerySet[FinancingEvent]:
    return _financing_visible(viewer.organisation.pk if viewer.is_partner else None)


def _financing_visible(organisation_id: int | None) -> QuerySet[FinancingEvent]:
    """Financing a partner (by id) may see; all of it for staff (None)."""
    events = FinancingEvent.objects.all()
    if organisation_id is not None:
        events = events.filter(
            ~Q(origin=RecordOrigin.PARTNER_API, kind=FinancingKind.LOAN)
            | Q(recorded_by_id=organisation_id)
            | Q(loan_status__in=LOAN_STATUSES_SHOWN_TO_OTHER_BANKS)
        )
    return events


# What the API shows of a firm's own row (FirmSerializer's plain fields).
FIRM_FIELDS = (
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
)
RESIDENCY_FIELDS = (
    "firm_id",
    "entered_on",
    "entered_precision",
    "limit_months",
    "incubator__id",
    "incubator__name",
    "incubator__name_en",
    "incubator__city",
    "incubator__level",
)
CERTIFICATION_FIELDS = ("firm_id", "kind__code", "status_today", "issued_on", "expires_on")
CERTIFICATION_ORDER = ("kind__ladder_rank", "kind__code", "-issued_on", "-id")
FINANCING_FIELDS = ("firm_id", "kind", "amount", "currency", "occurred_on", "loan_status")
FIGURES_FIELDS = ("firm_id", "year", *YearlyFigures.FIGURES, "updated_at")


def firm_rows_for_viewer(viewer: ApiViewer, *, now: datetime.datetime | None = None) -> QuerySet:
    """Visible firms as rows (dicts) of their own fields; ``firm_rows_complete`` adds the rest.

    Plain rows rather than model instances: a page of firms is read far more often than
    anything else in the API, and building and serializing model instances was most of its cost.
    """
    return firms_visible_to(viewer, now=now).values(*FIRM_FIELDS)


def firm_rows_complete(
    viewer: ApiViewer, firms: list[dict], *, on: datetime.date | None = None
) -> list[dict]:
    """Adds to each firm row what a lender looks at.

    ``current_residency`` (the latest open one, or None), ``certifications`` (by ladder rank,
    newest first, with their status today), ``financing`` (the events the viewer may see),
    ``latest_figures`` (None without figures), ``innovation_score`` (the stored score's summary,
    None before the first computation) and ``ladder`` (``ladder_summary`` on ``on``, today by
    default; None without a residency).

    On PostgreSQL one statement reads all of it, the ladder's facts included, as one JSON value
    per firm, and a second one the ladder's rule sets; its text depends only on the day and
    the viewer, so it is built once per process and day (``_details_statement``), never per
    page. Elsewhere (SQLite) thirteen queries (five for the details, eight for the ladder), each
    reading only the rows and columns shown by the firm foreign-key indexes. Both give the same
    rows (tests/partners/api/test_page_details.py).
    """
    if not firms:
        return firms
    today = timezone.localdate()
    on = on or today
    ids = [firm["id"] for firm in firms]
    if connection.vendor == "postgresql":
        details = _details_from_json(viewer, ids, today, on)
    else:
        details = _details_by_queries(viewer, ids, today, on)
    for firm in firms:
        firm.update(details[firm["id"]])
    return firms


def _empty_details() -> dict:
    return {
        "current_residency": None,
        "certifications": [],
        "financing": [],
        "latest_figures": None,
        "ladder": None,
        "innovation_score": None,
    }


def _details_by_queries(
    viewer: ApiViewer, ids: list[int], today: datetime.date, on: datetime.date
) -> dict[int, dict]:
    residencies = (
        Residency.objects.filter(firm_id__in=ids, exited_on__isnull=True)
        .order_by("-entered_on", "-id")
        .values(*RESIDENCY_FIELDS)
    )
    certifications = (
        with_status_on(Certification.objects.filter(firm_id__in=ids), today=today)
        .order_by(*CERTIFICATION_ORDER)
        .values(*CERTIFICATION_FIELDS)
    )
    financing = financing_visible_to(viewer).filter(firm_id__in=ids).order_by().values(*FINANCING_FIELDS)
    latest_year = YearlyFigures.objects.filter(firm=OuterRef("firm")).order_by("-year").values("year")[:1]
    figures = (
        YearlyFigures.objects.filter(firm_id__in=ids, year=Subquery(latest_year))
        .order_by()
        .values(*FIGURES_FIELDS)
    )
    by_id = {firm_id: _empty_details() for firm_id in ids}
    for row in residencies:  # latest first: the first one seen is the current one
        firm = by_id[row["firm_id"]]
        if firm["current_residency"] is None:
            firm["current_residency"] = row
    for row in certifications:
        by_id[row["firm_id"]]["certifications"].append(row)
    for row in financing:
        by_id[row["firm_id"]]["financing"].append(row)
    for row in figures:
        by_id[row["firm_id"]]["latest_figures"] = row
    for row in score_summaries(ids):
        by_id[row["firm_id"]]["innovation_score"] = row
    for firm_id, summary in ladder_summaries(ids, on).items():
        by_id[firm_id]["ladder"] = summary
    return by_id


# Stands for the page's firm ids in the statement built once (``_details_statement``).
PAGE_IDS = object()


class _InPage(Func):
    """``<column> = ANY(<the page's ids>)``: one array parameter, whatever the page's size."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s::bigint[])", [*params, PAGE_IDS]


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    decode: Callable[[int, dict], dict]


@functools.lru_cache(maxsize=64)
def _details_statement(today: datetime.date, on: datetime.date, organisation_id: int | None) -> _Statement:
    """The SQL reading every firm's details on PostgreSQL, compiled by the ORM from the same
    querysets the other path runs, for a day (certification statuses), an evaluation date (the
    ladder's facts) and a viewer (``_financing_visible``); the page's ids are its one parameter
    that changes. Compiling it was most of a request's cost when it was built per request."""
    firm = OuterRef("pk")
    residency, decode_residency = json_object(Residency, RESIDENCY_FIELDS)
    certification, decode_certification = json_object(
        Certification, [f for f in CERTIFICATION_FIELDS if f != "status_today"], status_today=CharField()
    )
    financing, decode_financing = json_object(FinancingEvent, FINANCING_FIELDS)
    figures, decode_figures = json_object(YearlyFigures, FIGURES_FIELDS)
    score, decode_score = json_object(FirmScore, SCORE_SUMMARY_FIELDS)
    facts, decode_facts = facts_json(on)
    details = JSONText(
        current_residency=Subquery(
            Residency.objects.filter(firm=firm, exited_on__isnull=True)
            .order_by("-entered_on", "-id")
            .values(json=residency)[:1]
        ),
        certifications=ArraySubquery(
            with_status_on(Certification.objects.filter(firm=firm), today=today)
            .order_by(*CERTIFICATION_ORDER)
            .values(json=certification)
        ),
        financing=ArraySubquery(
            _financing_visible(organisation_id).filter(firm=firm).order_by().values(json=financing)
        ),
        latest_figures=Subquery(
            YearlyFigures.objects.filter(firm=firm).order_by("-year").values(json=figures)[:1]
        ),
        innovation_score=Subquery(FirmScore.objects.filter(firm=firm).values(json=score)[:1]),
        facts=facts,
    )
    queryset = Firm.objects.filter(_InPage("pk")).order_by().values_list("pk", as_text(details))
    sql, params = queryset.query.sql_with_params()

    def decode(firm_id: int, value: dict) -> dict:
        residency, figures, score = (
            value[k] for k in ("current_residency", "latest_figures", "innovation_score")
        )
        return {
            "current_residency": None if residency is None else decode_residency(residency),
            "certifications": [decode_certification(row) for row in value["certifications"]],
            "financing": [decode_financing(row) for row in value["financing"]],
            "latest_figures": None if figures is None else decode_figures(figures),
            "innovation_score": None if score is None else decode_score(score),
            "facts": decode_facts(firm_id, value["facts"]),
        }

    return _Statement(sql, tuple(params), decode)


def _details_from_json(
    viewer: ApiViewer, ids: list[int], today: datetime.date, on: datetime.date
) -> dict[int, dict]:
    statement = _details_statement(today, on, viewer.organisation.pk if viewer.is_partner else None)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [ids if p is PAGE_IDS else p for p in statement.params])
        rows = cursor.fetchall()
    by_id = {firm_id: statement.decode(firm_id, loads(value)) for firm_id, value in rows}
    in_force = ladder_rulesets_on(on)
    for details in by_id.values():
        facts = details.pop("facts")
        details["ladder"] = None if facts is None else ladder_summary(standing_of(facts, on, in_force))
    return by_id


RUNG_NAMES = {0: "none", 1: "tsme", 2: "hnte", 3: "listing"}
# The HNTE conditions a lender sees met, not met or unknown (the engine's criteria, by name).
HNTE_CONDITIONS = (
    "registered_one_year",
    "core_ip",
    "high_tech_field",
    "tech_staff",
    "rd_ratio",
    "rd_domestic",
    "high_tech_revenue",
    "innovation_score",
    "clean_record",
)


# The rules the summary shows; evaluating the others (graduation, the incubation clock and
# entry) for it would change nothing it shows.
SUMMARY_RULES = ("tsme", "hnte")


def ladder_rulesets_on(on: datetime.date) -> dict:
    """The versions of the summary's rules in force on ``on`` (one query: the rule sets)."""
    return {
        rule: ruleset for rule, ruleset in rulesets_on(on, rulesets_active()).items() if rule in SUMMARY_RULES
    }


def ladder_summaries(firm_ids: list[int], on: datetime.date) -> dict[int, dict]:
    """What a lender may see of each firm's ladder standing on ``on``, by firm id (a firm without
    residency is absent): eight queries (the rule sets, then the facts) whatever the count.

    Only conclusions leave here: statuses, eligibility, the TSME score (computed from figures)
    and which HNTE conditions are met. Nothing of the firm's innovation self-assessment (its
    parts, the innovation score, its gap) is put in a row, so no serializer can show it.
    """
    if not firm_ids:
        return {}
    found = standings(ladder_residencies(firm_ids), on, rulesets=rulesets_active(), rules=SUMMARY_RULES)
    return {standing.facts.firm_id: ladder_summary(standing) for standing in found}


def ladder_summary(standing: FirmStanding) -> dict:
    tsme, hnte = standing.evaluations.get("tsme"), standing.evaluations.get("hnte")
    return {
        "evaluated_on": standing.on,
        "current_rung": RUNG_NAMES[standing.current_rank],
        "next_rung": standing.next_rung,
        "tsme": None
        if tsme is None
        else {
            "status": standing.statuses["tsme"],
            "eligible": tsme.eligible,
            "score": tsme.score,
            "rules_version": tsme.rules_version,
        },
        "hnte": None
        if hnte is None
        else {
            "status": standing.statuses["hnte"],
            "eligible": hnte.eligible,
            "rules_version": hnte.rules_version,
            "conditions": {
                name: criterion.met if (criterion := hnte.criteria.get(name)) else None
                for name in HNTE_CONDITIONS
            },
        },
    }


def firms_changed_since(
    queryset: QuerySet[Firm], *, since: datetime.datetime, viewer: ApiViewer
) -> QuerySet[Firm]:
    """Firms whose own row or anything shown with them changed at or after ``since``.

    A consent that (re)starts for this partner counts as a change, so a firm that newly
    agreed to share appears in the next incremental sync. Read by index: each table's
    ``updated_at`` index yields the few ids that changed, and their union is the filter, so
    the cost follows the changes, not the number of firms (one EXISTS per firm and table
    visited every consented firm).
    """

    def changed(model: type, column: str = "firm_id") -> QuerySet:
        return model.objects.filter(updated_at__gte=since).order_by().values(column)

    parts = [changed(Certification), changed(FinancingEvent), changed(YearlyFigures), changed(Residency)]
    if viewer.is_partner:
        consents = Consent.objects.changed_since(since).filter(organisation=viewer.organisation)
        parts.append(consents.order_by().values("firm_id"))
    return queryset.filter(pk__in=changed(Firm, "pk").union(*parts))


def certification_list_for_firm(*, firm: Firm) -> QuerySet[Certification]:
    return with_status_on(Certification.objects.filter(firm=firm)).select_related("kind")


def financing_list_for_firm(viewer: ApiViewer, *, firm: Firm) -> QuerySet[FinancingEvent]:
    return (
        financing_visible_to(viewer)
        .filter(firm=firm)
        .select_related("programme")
        .prefetch_related(
            Prefetch("participants", queryset=FinancingParticipant.objects.select_related("organisation"))
        )
    )


def figures_list_for_firm(*, firm: Firm) -> QuerySet[YearlyFigures]:
    return YearlyFigures.objects.filter(firm=firm)


def innovation_score_for_firm(*, firm: Firm) -> FirmScore | None:
    """The firm's stored innovation score (the caller has checked the firm is visible)."""
    return FirmScore.objects.filter(firm=firm).first()


def white_list_for_viewer(viewer: ApiViewer, *, now: datetime.datetime | None = None) -> QuerySet:
    """The white list: for a bank, recommendations to it of firms it may see; for staff, theirs."""
    recommendations = BankRecommendation.objects.select_related("firm", "incubator", "bank")
    if viewer.is_partner:
        return recommendations.filter(
            bank=viewer.organisation, firm__in=firms_visible_to(viewer, now=now).values("pk")
        )
    if viewer.user is not None:
        return scope_to_incubators(recommendations, viewer.user)
    return recommendations.none()


def loan_list_for_firm(viewer: ApiViewer, *, firm: Firm) -> QuerySet[LoanApplication]:
    """A bank's own loan applications for the firm; staff see every bank's."""
    loans = LoanApplication.objects.filter(event__firm=firm).select_related("event", "bank")
    if viewer.is_partner:
        loans = loans.filter(bank=viewer.organisation)
    return loans.prefetch_related(
        Prefetch("decisions", queryset=LoanDecision.objects.order_by("created_at", "id"))
    )
