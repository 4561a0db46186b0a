"""The demo scenario's certification-ladder cases: one firm for each path the ladder pages show.

Invented like the rest of the demo (portfolio.services.demo): the firms are named 演示 ... (demo),
carry ``origin = demo``, a ``demo-`` key and the demo note, and every date is relative to the day
of the load ("Y" below is that year; the figures are those of the last three completed fiscal
years Y-3, Y-2, Y-1). Which firm shows which case (RULES.md 1-3):

demo-firm-haiyun (演示海韵智控) - TSME eligible by score, no direct pass: Y-1 tech staff 12 / 45
    = 26.7% -> 16; R&D 227,000 / revenue 4.2M = 5.4% -> 40 (÷ total cost 4.0M = 5.7% -> 0, so
    option 1 wins); one class-I IP -> 30; total 86 with every gate met.
demo-firm-biaozhun (演示标准检测) - TSME eligible only by a direct pass: led a national standard
    in Y-2. Its score fails: tech staff 4 / 50 = 8% -> 0 (so no total can pass), R&D 2.5% -> 10,
    one class-II IP -> 6. Its other standards do not pass it: one only participated in (Y-1),
    one it led is older than 5 years (Y-7).
demo-firm-xinchuang (演示芯创微电子) - HNTE eligible, all eight conditions: founded 62 months ago;
    core IP and field confirmed; tech staff 30 / 100 = 30%; Σ R&D 5.8M ÷ Σ revenue 92M = 6.3%
    (latest revenue 38M, so 5% applies), 94.8% of it in China; high-tech revenue 30M / 38M =
    78.9%; innovation score at least 80 with the bottom of each band: IP 25 (self-assessed
    6 + 6 + 5 + bonus 1, quantity 7 for class-I IP), conversions 25 (5, 6, 6 a year), R&D
    organisation 16 (self-assessed 5 + 5 + 3 + 3), growth 14 (net assets 18M, 24M, 31M: 31.3%;
    revenue 24M, 30M, 38M: 25.8%); its only incident is five years old. Its R&D centre is a
    municipal one, so no TSME direct pass comes from it.
demo-firm-jinghang (演示鲸航海洋装备) - HNTE within reach: Σ R&D 4,536,000 ÷ Σ revenue 108M = 4.2%
    with the latest revenue 42M ≤ 50M, so 5% (5.4M) applies: 864,000 CNY short; tech staff 9 /
    100 = 9%: one short of 10%. Everything else passes (innovation score at least 74).
firm-nengfeng (article firm) - missing data: figures without total cost, liabilities or
    conversions, no self-assessment, the firm's gates and judgements unknown.
firm-pengfengcheng (article firm) - graduation candidate by revenue: Y-2 4.2M + Y-1 6.3M = 10.5M
    over two consecutive years (Y-3 + Y-2 is 7.0M). Its article entry (about 2020) is past the
    48-month limit as well.
demo-firm-haina (演示海纳新材料) - past its incubation limit: entered 52 months ago with a 48-month
    limit, still open, no graduation route (revenue 1.2M + 1.5M, angel money 1M). It was on the
    abnormal-operation list for part of Y-1, so its TSME record is not clean either.
firm-huachen (article firm) - entered when already older than 24 months: founded 2019 (article
    001), demo entry 500 days before the load; its residency's note says staff confirmed it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import User
from portfolio.choices import (
    DistinctionKind,
    DistinctionLevel,
    IncidentKind,
    RecordOrigin,
    StandardRole,
    TechField,
)
from portfolio.models import (
    ComplianceIncident,
    Distinction,
    Firm,
    Incubator,
    InnovationSelfAssessment,
    Residency,
    YearlyFigures,
)
from portfolio.models.ladder_inputs import SELF_ASSESSMENT_MAXIMA
from portfolio.rules.deadlines import add_months
from portfolio.services.demo import DEMO_NOTE, DemoResult

DEMO_FIRM_PREFIX = "demo-firm-"

# One fiscal year's figures, in this order; amounts in the tables are in thousand CNY (千元), as
# in the Torch statistics, and stored in CNY.
FIGURE_COLUMNS = (
    "revenue",
    "rd_expense",
    "rd_expense_domestic",
    "high_tech_revenue",
    "total_assets",
    "total_liabilities",
    "total_cost",
    "employees",
    "rd_staff",
    "ip_class1",
    "ip_class2",
    "results_converted",
    "angel_vc_received",
)
AMOUNTS = frozenset(YearlyFigures.AMOUNTS)


@dataclass(frozen=True)
class LadderFirm:
    short: str
    name: str
    name_en: str
    industry: str
    case: str
    founded_months_ago: int
    entered_months_ago: int
    # The last three fiscal years, oldest first, as FIGURE_COLUMNS.
    figures: tuple[tuple, tuple, tuple]
    firm_fields: dict = field(default_factory=dict)
    # (kind, level, years before the load year, role, rank, title)
    distinctions: tuple = ()
    # (kind, (years ago, month, day) occurred, (years ago, month, day) resolved or None, description)
    incidents: tuple = ()
    # The self-assessment for the load year's HNTE application, as SELF_ASSESSMENT_MAXIMA's order.
    self_assessment: tuple[int, ...] | None = None


GATES_MET = {"resident_enterprise": True, "audited_taxation": True, "industry_allowed": True}
HNTE_JUDGED = {"core_ip": True, "high_tech_field_confirmed": True}

LADDER_FIRMS = (
    LadderFirm(
        short="haiyun",
        name="演示海韵智控科技（青岛）有限公司",
        name_en="Haiyun Smart Control (demo)",
        industry=TechField.ELECTRONIC_INFORMATION,
        case="TSME eligible by score (86): tech staff 16 + R&D option 1 40 + class-I IP 30.",
        founded_months_ago=40,
        entered_months_ago=26,
        figures=(
            (2000, 90, 90, 1200, 2500, 1000, 1900, 30, 8, 0, 2, 1, 0),
            (3000, 150, 150, 1900, 3200, 1200, 2800, 38, 10, 1, 3, 1, 0),
            (4200, 227, 227, 2700, 4000, 1500, 4000, 45, 12, 1, 4, 2, 0),
        ),
        firm_fields=GATES_MET,
    ),
    LadderFirm(
        short="biaozhun",
        name="演示标准检测技术（青岛）有限公司",
        name_en="Biaozhun Testing Technology (demo)",
        industry=TechField.HIGH_TECH_SERVICES,
        case="TSME eligible only by a direct pass: led a national standard 2 years ago; score 16.",
        founded_months_ago=44,
        entered_months_ago=30,
        figures=(
            (3500, 80, 80, 1000, 4000, 1500, 3300, 45, 3, 0, 1, 0, 0),
            (4000, 90, 90, 1200, 4500, 1600, 3800, 48, 4, 0, 1, 0, 0),
            (4600, 115, 115, 1400, 5000, 1800, 4400, 50, 4, 0, 1, 0, 0),
        ),
        firm_fields=GATES_MET,
        distinctions=(
            (
                DistinctionKind.STANDARD,
                DistinctionLevel.NATIONAL,
                2,
                StandardRole.LED,
                None,
                "GB/T 演示-1 检测方法（演示）",
            ),
            (
                DistinctionKind.STANDARD,
                DistinctionLevel.INDUSTRY,
                1,
                StandardRole.PARTICIPATED,
                None,
                "行业标准 演示-2（演示，参与起草）",
            ),
            (
                DistinctionKind.STANDARD,
                DistinctionLevel.INDUSTRY,
                7,
                StandardRole.LED,
                None,
                "行业标准 演示-3（演示，已超 5 年）",
            ),
        ),
    ),
    LadderFirm(
        short="xinchuang",
        name="演示芯创微电子（青岛）有限公司",
        name_en="Xinchuang Microelectronics (demo)",
        industry=TechField.ELECTRONIC_INFORMATION,
        case="HNTE eligible: all eight conditions; innovation score at least 80.",
        founded_months_ago=62,
        entered_months_ago=44,
        figures=(
            (24000, 1500, 1400, 18000, 30000, 12000, 21000, 80, 24, 2, 6, 5, 0),
            (30000, 1900, 1800, 23000, 38000, 14000, 26000, 90, 27, 3, 8, 6, 0),
            (38000, 2400, 2300, 30000, 48000, 17000, 33000, 100, 30, 4, 10, 6, 0),
        ),
        firm_fields={**GATES_MET, **HNTE_JUDGED},
        distinctions=(
            (
                DistinctionKind.RD_INSTITUTION,
                DistinctionLevel.MUNICIPAL,
                2,
                "",
                None,
                "青岛市企业技术中心（演示）",
            ),
        ),
        incidents=(
            (
                IncidentKind.ENVIRONMENTAL_VIOLATION,
                (5, 4, 12),
                (5, 6, 30),
                "演示：排污许可逾期，已整改（五年前）",
            ),
        ),
        self_assessment=(6, 6, 5, 1, 5, 5, 3, 3),
    ),
    LadderFirm(
        short="jinghang",
        name="演示鲸航海洋装备（青岛）有限公司",
        name_en="Jinghang Marine Equipment (demo)",
        industry=TechField.ADVANCED_MANUFACTURING,
        case="HNTE within reach: R&D 4.2% of revenue (864,000 CNY short of 5%), tech staff one short of 10%.",
        founded_months_ago=68,
        entered_months_ago=46,
        figures=(
            (30000, 1200, 1200, 21000, 35000, 15000, 27000, 90, 8, 1, 4, 5, 0),
            (36000, 1500, 1500, 25500, 41000, 17000, 32000, 95, 9, 2, 5, 5, 0),
            (42000, 1836, 1836, 30000, 48000, 19000, 37000, 100, 9, 2, 6, 6, 0),
        ),
        firm_fields={**GATES_MET, **HNTE_JUDGED},
        self_assessment=(6, 6, 5, 0, 5, 4, 3, 3),
    ),
    LadderFirm(
        short="haina",
        name="演示海纳新材料（青岛）有限公司",
        name_en="Haina New Materials (demo)",
        industry=TechField.NEW_MATERIALS,
        case="Past its incubation limit: entered 52 months ago, limit 48, still open; no graduation route.",
        founded_months_ago=62,
        entered_months_ago=52,
        figures=(
            (800, 100, 100, 300, 1500, 900, 1100, 12, 4, 0, 1, 0, 1000),
            (1200, 120, 120, 500, 1500, 1100, 1400, 12, 4, 0, 1, 0, 0),
            (1500, 130, 130, 600, 1500, 1300, 1600, 11, 4, 0, 2, 0, 0),
        ),
        incidents=(
            (
                IncidentKind.ABNORMAL_OPERATION_LIST,
                (1, 7, 1),
                (1, 9, 15),
                "演示：年报逾期被列入经营异常名录，补报后移出",
            ),
        ),
    ),
)

SCORE_FIELDS = tuple(SELF_ASSESSMENT_MAXIMA)


def _sourced(case: LadderFirm) -> dict:
    return {"origin": RecordOrigin.DEMO, "source": "demo", "notes": f"{DEMO_NOTE} Ladder case: {case.case}"}


def _date(today: datetime.date, ago: tuple[int, int, int] | None) -> datetime.date | None:
    if ago is None:
        return None
    years, month, day = ago
    return datetime.date(today.year - years, month, day)


def demo_ladder_load(
    *, today: datetime.date, incubator: Incubator, liaison: User, result: DemoResult
) -> None:
    """Create what is missing of the ladder cases' firms and their records (matched by key)."""
    for case in LADDER_FIRMS:
        firm = Firm.objects.filter(key=f"{DEMO_FIRM_PREFIX}{case.short}").first()
        result.add("ladder firms", firm is None)
        if firm is None:
            firm = Firm.objects.create(
                **_sourced(case),
                key=f"{DEMO_FIRM_PREFIX}{case.short}",
                name=case.name,
                name_en=case.name_en,
                founded_on=add_months(today, -case.founded_months_ago),
                industry=case.industry,
                **case.firm_fields,
            )
        _load_records(case, firm, today=today, incubator=incubator, liaison=liaison, result=result)


def _create_missing(model, key: str, result: DemoResult, section: str, **values) -> None:
    exists = model.objects.filter(key=key).exists()
    if not exists:
        model.objects.create(key=key, **values)
    result.add(section, not exists)


def _load_records(
    case: LadderFirm,
    firm: Firm,
    *,
    today: datetime.date,
    incubator: Incubator,
    liaison: User,
    result: DemoResult,
) -> None:
    sourced = _sourced(case)
    if not Residency.objects.filter(firm=firm, incubator=incubator, exited_on__isnull=True).exists():
        _create_missing(
            Residency,
            f"demo-res-{case.short}",
            result,
            "residencies",
            **sourced,
            firm=firm,
            incubator=incubator,
            entered_on=add_months(today, -case.entered_months_ago),
            liaison=liaison,
        )
    for offset, row in enumerate(case.figures):
        year = today.year - 3 + offset
        if firm.yearly_figures.filter(year=year).exists():
            result.add("yearly figures", False)
            continue
        _create_missing(
            YearlyFigures,
            f"demo-fig-{case.short}-{year}",
            result,
            "yearly figures",
            **sourced,
            firm=firm,
            year=year,
            tax_paid=Decimal(row[0]) * 30,  # 3% of revenue
            **{
                name: Decimal(value) * 1000 if name in AMOUNTS else value
                for name, value in zip(FIGURE_COLUMNS, row, strict=True)
            },
        )
    for number, (kind, level, years_ago, role, rank, title) in enumerate(case.distinctions, start=1):
        year = today.year - years_ago
        _create_missing(
            Distinction,
            f"demo-dist-{case.short}-{number}",
            result,
            "distinctions",
            **sourced,
            firm=firm,
            kind=kind,
            level=level,
            year=year,
            awarded_on=datetime.date(year, 6, 1),
            rank=rank,
            role=role,
            valid_until=(add_months(today, 14) if kind == DistinctionKind.RD_INSTITUTION else None),
            title=title,
        )
    for number, (kind, occurred, resolved, description) in enumerate(case.incidents, start=1):
        _create_missing(
            ComplianceIncident,
            f"demo-inc-{case.short}-{number}",
            result,
            "incidents",
            **sourced,
            firm=firm,
            kind=kind,
            occurred_on=_date(today, occurred),
            resolved_on=_date(today, resolved),
            description=description,
        )
    if case.self_assessment is not None and not firm.innovation_assessments.filter(year=today.year).exists():
        _create_missing(
            InnovationSelfAssessment,
            f"demo-sa-{case.short}-{today.year}",
            result,
            "self-assessments",
            **sourced,
            firm=firm,
            year=today.year,
            assessed_by=liaison,
            note="演示 demo: 企业自评，非专家评分 (the firm's self-assessment, not an expert score)",
            **dict(zip(SCORE_FIELDS, case.self_assessment, strict=True)),
        )


def demo_ladder_reset() -> None:
    """Delete the ladder cases' firms (with everything under them) and any other demo ladder record."""
    Firm.objects.filter(key__startswith=DEMO_FIRM_PREFIX, origin=RecordOrigin.DEMO).delete()
    for model in (Distinction, ComplianceIncident, InnovationSelfAssessment):
        model.objects.filter(key__startswith="demo-", origin=RecordOrigin.DEMO).delete()
