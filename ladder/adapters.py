"""From what the portfolio stores (``FirmFacts``) to the engine's inputs, for an evaluation date.

Conventions, each the reading of RULES.md that staff would apply by hand:
- an evaluation in year Y looks at fiscal years up to Y-1 (the last closed accounts);
- HNTE's R&D ratio, growth and conversions take up to three fiscal years, fewer only when the
  firm is younger (its founding year is its first fiscal year); a missing year among them is
  missing data, never a shorter window;
- ``None`` stays unknown: a figure nobody entered is not zero;
- direct passes and the clean record are decided from distinctions and incidents with the
  terms in the rule set's ``evidence`` (years, ranks, levels, kinds).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ladder.engine.dates import add_months
from ladder.engine.inputs import (
    ClockInputs,
    EntryInputs,
    GraduationInputs,
    HnteInputs,
    InnovationInputs,
    TsmeInputs,
)
from ladder.engine.rule_data import CleanRecord, Evidence
from ladder.engine.rules import RuleSet
from ladder.facts import FirmFacts

HNTE_KIND = "hnte"


def fiscal_years(facts: FirmFacts, on: datetime.date, count: int) -> list[int]:
    """The last ``count`` closed fiscal years before ``on``'s year, oldest first, none before founding."""
    last = on.year - 1
    first = last - count + 1
    founded = facts.firm["founded_on"]
    if founded is not None:
        first = max(first, founded.year)
    return list(range(first, last + 1))


def _figure(facts: FirmFacts, year: int, name: str):
    return facts.figures.get(year, {}).get(name)


def valid_on(certificate: dict, on: datetime.date) -> bool:
    """Granted and in force on ``on``. Without an expiry date the kind's validity from the issue
    date decides (an HNTE certificate of 2015 is not valid today); a kind that does not expire,
    or a certificate with neither date, stays valid while granted."""
    issued, expires = certificate["issued_on"], certificate["expires_on"]
    if issued is not None and issued > on:
        return False
    if expires is None and issued is not None and certificate["kind__validity_months"]:
        expires = add_months(issued, certificate["kind__validity_months"]) - datetime.timedelta(days=1)
    return expires is None or expires >= on


def holds_valid(facts: FirmFacts, kind: str, on: datetime.date) -> bool:
    return any(c["kind__code"] == kind and valid_on(c, on) for c in facts.certificates)


def clean_window(on: datetime.date, terms: CleanRecord) -> tuple[datetime.date, datetime.date]:
    """The first and last day an incident spoils the record on ``on`` (both included)."""
    if terms.days is not None:
        return on - datetime.timedelta(days=terms.days - 1), on
    first = datetime.date(on.year - terms.years, 1, 1)
    return first, on if terms.current_year else datetime.date(on.year - 1, 12, 31)


def clean_record(facts: FirmFacts, on: datetime.date, terms: CleanRecord) -> bool:
    first, last = clean_window(on, terms)

    def spoils(incident: dict) -> bool:
        if incident["kind"] not in terms.kinds or incident["occurred_on"] > last:
            return False
        if incident["kind"] in terms.ongoing:  # on a list until taken off it
            return incident["resolved_on"] is None or incident["resolved_on"] >= first
        return incident["occurred_on"] >= first

    return not any(spoils(i) for i in facts.incidents)


def _recent(distinction: dict, on: datetime.date, years: int) -> bool:
    return on.year - years < distinction["year"] <= on.year


def direct_passes(facts: FirmFacts, on: datetime.date, terms: Evidence) -> dict[str, bool]:
    award = any(
        d["kind"] == "award"
        and d["level"] in terms.award_levels
        and d["rank"] is not None
        and terms.award_rank.holds(d["rank"])
        and _recent(d, on, terms.award_years)
        for d in facts.distinctions
    )
    standard = any(
        d["kind"] == "standard"
        and d["role"] == "led"
        and d["level"] in terms.standard_levels
        and _recent(d, on, terms.standard_years)
        for d in facts.distinctions
    )
    institution = any(
        d["kind"] == "rd_institution"
        and d["level"] in terms.rd_institution_levels
        and d["year"] <= on.year
        and (d["valid_until"] is None or d["valid_until"] >= on)
        for d in facts.distinctions
    )
    return {
        "valid_hnte": holds_valid(facts, HNTE_KIND, on),
        "national_award_top3_5y": award,
        "provincial_rd_institution": institution,
        "led_standard_5y": standard,
    }


def _gate(*values: bool | None) -> bool | None:
    """All true: True; any false: False; otherwise unknown."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def tsme_inputs(facts: FirmFacts, on: datetime.date, ruleset: RuleSet) -> TsmeInputs:
    year = on.year - 1
    firm = facts.firm
    return TsmeInputs(
        employees=_figure(facts, year, "employees"),
        tech_staff=_figure(facts, year, "rd_staff"),
        revenue=_figure(facts, year, "revenue"),
        total_assets=_figure(facts, year, "total_assets"),
        rd_expense=_figure(facts, year, "rd_expense"),
        total_cost=_figure(facts, year, "total_cost"),
        ip_class_one=_figure(facts, year, "ip_class1"),
        ip_class_two=_figure(facts, year, "ip_class2"),
        resident_enterprise=_gate(firm["resident_enterprise"], firm["audited_taxation"]),
        industry_allowed=firm["industry_allowed"],
        clean_record=clean_record(facts, on, ruleset.data.evidence.clean_record),
        **direct_passes(facts, on, ruleset.data.evidence),
    )


def _sum(values: list) -> Decimal | None:
    return None if not values or any(v is None for v in values) else sum(values, Decimal(0))


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return part / whole


def _net_assets(facts: FirmFacts, year: int) -> Decimal | None:
    assets, liabilities = _figure(facts, year, "total_assets"), _figure(facts, year, "total_liabilities")
    return None if assets is None or liabilities is None else assets - liabilities


def innovation_inputs(facts: FirmFacts, on: datetime.date, ruleset: RuleSet) -> InnovationInputs:
    data = ruleset.data.innovation
    years = fiscal_years(facts, on, 3)
    last = on.year - 1
    # A self-assessment counts for this year's application or last year's; an older one is stale.
    assessment = facts.assessments.get(on.year) or facts.assessments.get(last) or {}
    return InnovationInputs(
        ip_class_one=_figure(facts, last, "ip_class1"),
        ip_class_two=_figure(facts, last, "ip_class2"),
        conversions=tuple(
            _figure(facts, y, "results_converted") for y in fiscal_years(facts, on, data.conversion_years)
        ),
        net_assets=tuple(_net_assets(facts, y) for y in years),
        revenues=tuple(_figure(facts, y, "revenue") for y in years),
        **{name: assessment.get(name) for name in data.self_assessed},
    )


def hnte_inputs(facts: FirmFacts, on: datetime.date, ruleset: RuleSet) -> HnteInputs:
    data = ruleset.data
    years = fiscal_years(facts, on, data.rd_years_max)
    last = on.year - 1
    rd = [_figure(facts, y, "rd_expense") for y in years]
    domestic = [_figure(facts, y, "rd_expense_domestic") for y in years]
    firm = facts.firm
    return HnteInputs(
        founded_on=firm["founded_on"],
        employees=_figure(facts, last, "employees"),
        tech_staff=_figure(facts, last, "rd_staff"),
        revenues=tuple(_figure(facts, y, "revenue") for y in years),
        rd_expenses=tuple(rd),
        rd_domestic_share=_share(_sum(domestic), _sum(rd)),
        high_tech_revenue_share=_share(
            _figure(facts, last, "high_tech_revenue"), _figure(facts, last, "revenue")
        ),
        core_ip=firm["core_ip"],
        high_tech_field=firm["high_tech_field_confirmed"],
        clean_record=clean_record(facts, on, data.evidence.clean_record),
        innovation=innovation_inputs(facts, on, ruleset),
    )


def angel_vc_total(facts: FirmFacts) -> Decimal | None:
    """Equity rounds recorded as financing events, or the yearly figures' angel/VC amounts: the
    larger, since both record the same money when both are kept."""
    yearly = [f["angel_vc_received"] for f in facts.figures.values() if f["angel_vc_received"] is not None]
    totals = [t for t in (facts.equity_angel_vc, _sum(yearly)) if t is not None]
    return max(totals) if totals else None


def graduation_inputs(facts: FirmFacts, on: datetime.date) -> GraduationInputs:
    since = facts.firm["market_status_since"]
    return GraduationInputs(
        cumulative_angel_vc=angel_vc_total(facts),
        yearly_revenues={y: f["revenue"] for y, f in facts.figures.items() if f["revenue"] is not None},
        hnte=holds_valid(facts, HNTE_KIND, on),
        listed_or_acquired=facts.firm["market_status"] != "none" and (since is None or since <= on),
    )


def clock_inputs(facts: FirmFacts, ruleset: RuleSet) -> ClockInputs:
    # Staff set a residency's limit to the longer one for a field or founder the rules extend
    # (talent founders, IC design) that the firm's field alone does not show.
    extended = facts.residency["limit_months"] >= ruleset.data.extended_limit_months
    return ClockInputs(
        entered_on=facts.residency["entered_on"],
        extended_field=extended,
        industry_field=facts.firm["industry"] or None,
    )


def entry_inputs(facts: FirmFacts) -> EntryInputs:
    return EntryInputs(founded_on=facts.firm["founded_on"], entered_on=facts.residency["entered_on"])
