"""The typed ``data`` of each rule family, and its parser (see ladder/rules/*.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from ladder.engine.bands import BandTable, Bound
from ladder.engine.reader import Reader, RuleDataError

__all__ = ["DATA_PARSERS", "HnteData", "IncubationData", "InnovationData", "RuleDataError", "TsmeData"]

TSME_DIRECT_PASSES = ("valid_hnte", "national_award_top3_5y", "provincial_rd_institution", "led_standard_5y")
INNOVATION_COMPUTED_PARTS = ("ip_quantity", "conversion", "net_asset_growth", "sales_growth")
INNOVATION_SELF_ASSESSED_PARTS = (
    "ip_advancement",
    "ip_core_support",
    "ip_how_obtained",
    "ip_standards_bonus",
    "rd_management",
    "rd_institution",
    "conversion_incentives",
    "training_rewards",
)


INCIDENT_KINDS = (
    "safety_quality_accident",
    "environmental_violation",
    "fraud",
    "research_misconduct",
    "abnormal_operation_list",
    "serious_violation_list",
)
DISTINCTION_LEVELS = ("international", "national", "industry", "provincial", "municipal")


@dataclass(frozen=True)
class CleanRecord:
    """Which incidents spoil the record: their kinds, within a window before the evaluation date,
    either ``years`` whole calendar years before its year (and its own year too when
    ``current_year``) or the ``days`` before it. Kinds in ``ongoing`` are states (being on a
    list): they spoil the record as long as they last into the window, whenever they began."""

    kinds: tuple[str, ...]
    years: int | None
    current_year: bool
    days: int | None
    ongoing: tuple[str, ...]


@dataclass(frozen=True)
class Evidence:
    """What the firm's records must show for a direct pass or a clean record.

    The engine takes booleans (``valid_hnte``, ``clean_record`` ...); the adapters that read a
    firm's distinctions and incidents decide them with these terms, so the lookback years,
    award ranks and levels are rule data too. TSME has all four parts, HNTE only clean_record.
    """

    clean_record: CleanRecord
    award_levels: tuple[str, ...] = ()
    award_rank: Bound | None = None
    award_years: int = 0
    standard_levels: tuple[str, ...] = ()
    standard_years: int = 0
    rd_institution_levels: tuple[str, ...] = ()


def _evidence(r: Reader, value: Any, *, tsme: bool) -> Evidence:
    path = "data.evidence"
    value = r.mapping(value, path)
    parts = {"clean_record", "award", "standard", "rd_institution"} if tsme else {"clean_record"}
    r.no_extra(value, parts, path)
    where = f"{path}.clean_record"
    clean = r.mapping(*r.at(value, path, "clean_record"))
    r.no_extra(clean, {"kinds", "window", "ongoing"}, where)
    window = r.mapping(*r.at(clean, where, "window"))
    if set(window) == {"days"}:
        years, current_year, days = None, False, r.integer(window["days"], f"{where}.window.days", minimum=1)
    elif set(window) == {"years", "current_year"}:
        years = r.integer(window["years"], f"{where}.window.years")
        current_year = r.boolean(window["current_year"], f"{where}.window.current_year")
        days = None
    else:
        raise r.error(f"{where}.window", _("give either days, or years and current_year"))
    kinds = r.names(*r.at(clean, where, "kinds"), INCIDENT_KINDS)
    record = CleanRecord(
        kinds=kinds,
        years=years,
        current_year=current_year,
        days=days,
        ongoing=r.names(clean.get("ongoing", []), f"{where}.ongoing", kinds),
    )
    if not tsme:
        return Evidence(clean_record=record)
    award = r.mapping(*r.at(value, path, "award"))
    r.no_extra(award, {"levels", "rank", "years"}, f"{path}.award")
    standard = r.mapping(*r.at(value, path, "standard"))
    r.no_extra(standard, {"levels", "years"}, f"{path}.standard")
    institution = r.mapping(*r.at(value, path, "rd_institution"))
    r.no_extra(institution, {"levels"}, f"{path}.rd_institution")
    return Evidence(
        clean_record=record,
        award_levels=r.names(*r.at(award, f"{path}.award", "levels"), DISTINCTION_LEVELS),
        award_rank=r.bound(*r.at(award, f"{path}.award", "rank"), kind="max"),
        award_years=r.integer(*r.at(award, f"{path}.award", "years"), minimum=1),
        standard_levels=r.names(*r.at(standard, f"{path}.standard", "levels"), DISTINCTION_LEVELS),
        standard_years=r.integer(*r.at(standard, f"{path}.standard", "years"), minimum=1),
        rd_institution_levels=r.names(
            *r.at(institution, f"{path}.rd_institution", "levels"), DISTINCTION_LEVELS
        ),
    )


@dataclass(frozen=True)
class TsmeData:
    gates: dict[str, Bound]  # employees, revenue, total_assets
    tech_staff: BandTable
    rd_revenue: BandTable
    rd_cost: BandTable
    ip_class_one: BandTable
    ip_class_two: BandTable
    pass_score: Bound
    tech_staff_score_not_zero: bool
    direct_pass: tuple[str, ...]
    evidence: Evidence


def parse_tsme(r: Reader, data: Any) -> TsmeData:
    data = r.mapping(data, "data")
    fields = {"gates", "tech_staff", "rd_revenue", "rd_cost", "ip_class_one", "ip_class_two", "pass_score",
              "tech_staff_score_not_zero", "direct_pass", "evidence"}  # fmt: skip
    r.no_extra(data, fields, "data")
    gates = r.mapping(*r.at(data, "data", "gates"))
    r.no_extra(gates, {"employees", "revenue", "total_assets"}, "data.gates")
    tables = {
        name: r.table(r.get(data, name, "data"), f"data.{name}")
        for name in ("tech_staff", "rd_revenue", "rd_cost", "ip_class_one", "ip_class_two")
    }
    return TsmeData(
        gates={
            name: r.bound(r.get(gates, name, "data.gates"), f"data.gates.{name}", kind="max")
            for name in ("employees", "revenue", "total_assets")
        },
        pass_score=r.bound(*r.at(data, "data", "pass_score"), kind="min"),
        tech_staff_score_not_zero=r.boolean(*r.at(data, "data", "tech_staff_score_not_zero")),
        direct_pass=r.names(r.get(data, "direct_pass", "data"), "data.direct_pass", TSME_DIRECT_PASSES),
        evidence=_evidence(r, r.get(data, "evidence", "data"), tsme=True),
        **tables,
    )


@dataclass(frozen=True)
class RdTier:
    revenue: Bound | None  # the latest year's revenue; None: every revenue (the last tier)
    share: Bound


@dataclass(frozen=True)
class Block:
    name: str
    cap: int
    parts: tuple[str, ...]


@dataclass(frozen=True)
class InnovationData:
    pass_score: Bound
    ip_class_one: BandTable
    ip_class_two: BandTable
    conversion_years: int
    conversion: BandTable
    growth: BandTable
    growth_two_year_formula: bool
    self_assessed: dict[str, int]  # part -> max
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class HnteData:
    registered_days: Bound
    tech_staff: Bound
    rd_years_min: int
    rd_years_max: int
    rd_ratio_tiers: tuple[RdTier, ...]
    rd_domestic: Bound
    high_tech_revenue: Bound
    innovation: InnovationData
    evidence: Evidence


def parse_hnte(r: Reader, data: Any) -> HnteData:
    data = r.mapping(data, "data")
    fields = {"registered_days", "tech_staff", "rd_years", "rd_ratio_tiers", "rd_domestic"}
    fields |= {"high_tech_revenue", "innovation", "evidence"}
    r.no_extra(data, fields, "data")
    years = r.mapping(*r.at(data, "data", "rd_years"))
    r.no_extra(years, {"min", "max"}, "data.rd_years")
    years_min = r.integer(*r.at(years, "data.rd_years", "min"), minimum=1)
    years_max = r.integer(*r.at(years, "data.rd_years", "max"), minimum=years_min)

    def min_bound(name: str) -> Bound:
        return r.bound(r.get(data, name, "data"), f"data.{name}", kind="min")

    return HnteData(
        registered_days=min_bound("registered_days"),
        tech_staff=min_bound("tech_staff"),
        rd_years_min=years_min,
        rd_years_max=years_max,
        rd_ratio_tiers=_rd_tiers(r, r.get(data, "rd_ratio_tiers", "data")),
        rd_domestic=min_bound("rd_domestic"),
        high_tech_revenue=min_bound("high_tech_revenue"),
        innovation=_innovation(r, r.get(data, "innovation", "data")),
        evidence=_evidence(r, r.get(data, "evidence", "data"), tsme=False),
    )


def _rd_tiers(r: Reader, value: Any) -> tuple[RdTier, ...]:
    path = "data.rd_ratio_tiers"
    if not isinstance(value, list) or not value:
        raise r.error(path, _("must be a non-empty list"))
    tiers = []
    for i, raw in enumerate(value):
        where = f"{path}[{i}]"
        raw = r.mapping(raw, where)
        r.no_extra(raw, {"revenue", "share"}, where)
        revenue = r.get(raw, "revenue", where)
        last = i == len(value) - 1
        if (revenue is None) != last:
            raise r.error(f"{where}.revenue", _("only the last tier has no revenue bound (null)"))
        tiers.append(
            RdTier(
                revenue=None if revenue is None else r.bound(revenue, f"{where}.revenue", kind="max"),
                share=r.bound(*r.at(raw, where, "share"), kind="min"),
            )
        )
    return tuple(tiers)


def _innovation(r: Reader, value: Any) -> InnovationData:
    path = "data.innovation"
    value = r.mapping(value, path)
    fields = {"pass_score", "ip_class_one", "ip_class_two", "conversion_years", "conversion", "growth",
              "self_assessed", "blocks"}  # fmt: skip
    r.no_extra(value, fields, path)
    growth = r.mapping(*r.at(value, path, "growth"))
    r.no_extra(growth, {"two_year_formula", "bands"}, f"{path}.growth")
    assessed = r.mapping(*r.at(value, path, "self_assessed"))
    r.no_extra(assessed, set(INNOVATION_SELF_ASSESSED_PARTS), f"{path}.self_assessed")
    return InnovationData(
        pass_score=r.bound(*r.at(value, path, "pass_score"), kind="min"),
        ip_class_one=r.table(*r.at(value, path, "ip_class_one")),
        ip_class_two=r.table(*r.at(value, path, "ip_class_two")),
        conversion_years=r.integer(*r.at(value, path, "conversion_years"), minimum=1),
        conversion=r.table(*r.at(value, path, "conversion")),
        growth=r.table(*r.at(growth, f"{path}.growth", "bands")),
        growth_two_year_formula=r.boolean(*r.at(growth, f"{path}.growth", "two_year_formula")),
        self_assessed={
            name: r.integer(r.get(assessed, name, f"{path}.self_assessed"), f"{path}.self_assessed.{name}")
            for name in INNOVATION_SELF_ASSESSED_PARTS
        },
        blocks=_blocks(r, r.get(value, "blocks", path), f"{path}.blocks"),
    )


def _blocks(r: Reader, value: Any, path: str) -> tuple[Block, ...]:
    value = r.mapping(value, path)
    every = INNOVATION_COMPUTED_PARTS + INNOVATION_SELF_ASSESSED_PARTS
    blocks, seen = [], set()
    for name, raw in value.items():
        where = f"{path}.{name}"
        raw = r.mapping(raw, where)
        r.no_extra(raw, {"cap", "parts"}, where)
        parts = r.names(r.get(raw, "parts", where), f"{where}.parts", every)
        if seen & set(parts):
            raise r.error(
                f"{where}.parts",
                _("%(part)s is already in another block") % {"part": sorted(seen & set(parts))[0]},
            )
        seen |= set(parts)
        blocks.append(Block(str(name), r.integer(*r.at(raw, where, "cap")), parts))
    missing = [part for part in every if part not in seen]
    if missing:
        raise r.error(path, _("%(part)s is in no block") % {"part": missing[0]})
    return tuple(blocks)


@dataclass(frozen=True)
class IncubationData:
    entry_age_months: Bound  # max
    limit_months: int
    extended_limit_months: int
    extended_fields: tuple[str, ...]
    angel_vc: Bound  # min
    revenue_two_years: Bound  # min
    consecutive_years: int


def parse_incubation(r: Reader, data: Any) -> IncubationData:
    data = r.mapping(data, "data")
    r.no_extra(data, {"entry", "clock", "graduation"}, "data")
    entry = r.mapping(*r.at(data, "data", "entry"))
    r.no_extra(entry, {"age_months"}, "data.entry")
    clock = r.mapping(*r.at(data, "data", "clock"))
    r.no_extra(clock, {"limit_months", "extended_limit_months", "extended_fields"}, "data.clock")
    graduation = r.mapping(*r.at(data, "data", "graduation"))
    r.no_extra(graduation, {"angel_vc", "revenue_two_years", "consecutive_years"}, "data.graduation")
    return IncubationData(
        entry_age_months=r.bound(*r.at(entry, "data.entry", "age_months"), kind="max"),
        limit_months=r.integer(*r.at(clock, "data.clock", "limit_months"), minimum=1),
        extended_limit_months=r.integer(*r.at(clock, "data.clock", "extended_limit_months"), minimum=1),
        extended_fields=tuple(r.list_of_text(*r.at(clock, "data.clock", "extended_fields"))),
        angel_vc=r.bound(*r.at(graduation, "data.graduation", "angel_vc"), kind="min"),
        revenue_two_years=r.bound(
            *r.at(graduation, "data.graduation", "revenue_two_years"),
            kind="min",
        ),
        consecutive_years=r.integer(
            *r.at(graduation, "data.graduation", "consecutive_years"),
            minimum=1,
        ),
    )


DATA_PARSERS = {"tsme": parse_tsme, "hnte": parse_hnte, "incubation": parse_incubation}
