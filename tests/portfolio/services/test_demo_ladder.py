"""The demo's certification-ladder cases: labelled demo, idempotent, re-dated by a reset, and each
case's numbers are what portfolio.services.demo_ladder says they are (plain arithmetic here; the
rules themselves are the ladder engine's and tested there)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from portfolio.choices import DistinctionKind, DistinctionLevel, RecordOrigin, StandardRole
from portfolio.models import (
    Certification,
    ComplianceIncident,
    Distinction,
    Firm,
    InnovationSelfAssessment,
    Residency,
    YearlyFigures,
)
from portfolio.services.demo import demo_scenario_load, demo_scenario_reset
from portfolio.services.demo_ladder import LADDER_FIRMS
from portfolio.services.fixtures import fixtures_load
from tests.module_data import built_once

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
YEARS = [2023, 2024, 2025]
LADDER_MODELS = (Firm, Residency, YearlyFigures, Distinction, ComplianceIncident, InnovationSelfAssessment)


def _load_demo() -> None:
    fixtures_load(path=Path(settings.BASE_DIR) / "fixtures" / "articles.yaml")
    demo_scenario_load(today=DAY)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The article data and the demo scenario, loaded once for the module (tests/module_data.py):
    each test runs in a savepoint, so the reloads, edits and resets below stay within their test."""
    yield from built_once(django_db_blocker, _load_demo)


def _snapshot() -> dict:
    return {
        model.__name__: sorted(
            map(repr, model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        )
        for model in LADDER_MODELS
    }


def _figures(key: str) -> list[YearlyFigures]:
    figures = list(YearlyFigures.objects.filter(firm__key=key).order_by("year"))
    assert [f.year for f in figures] == YEARS, key
    return figures


def _ratio(a, b) -> Decimal:
    return Decimal(a) / Decimal(b)


def test_the_ladder_records_are_labelled_demo(demo):
    firms = Firm.objects.filter(key__startswith="demo-firm-")
    assert firms.count() == len(LADDER_FIRMS)
    assert all(
        "演示" in name and "(demo)" in name_en for name, name_en in firms.values_list("name", "name_en")
    )
    for model in (Firm, Distinction, ComplianceIncident, InnovationSelfAssessment):
        rows = model.objects.filter(key__startswith="demo-")
        assert rows.exists(), model
        assert set(rows.values_list("origin", flat=True)) == {RecordOrigin.DEMO}, model
        assert all(
            "DEMO" in notes and "Ladder case" in notes for notes in rows.values_list("notes", flat=True)
        )
    assert not Distinction.objects.exclude(origin=RecordOrigin.DEMO).exists()
    # The ladder firms sit in the ITRI incubator, next to the article firms the demo staff see.
    assert set(Residency.objects.filter(firm__in=firms).values_list("incubator__key", flat=True)) == {
        "inc-qingdao-itri"
    }


def test_loading_twice_changes_nothing_and_a_later_load_keeps_staff_edits(demo):
    before = _snapshot()
    assert demo_scenario_load(today=DAY).created == 0
    assert _snapshot() == before
    assessment = InnovationSelfAssessment.objects.get(key="demo-sa-xinchuang-2026")
    assessment.training_rewards = 4
    assessment.save()
    edited = _snapshot()
    assert demo_scenario_load(today=DAY + datetime.timedelta(days=40)).created == 0
    assert _snapshot() == edited


def test_reset_redates_the_ladder_cases_and_leaves_article_firms_alone(demo):
    article = sorted(map(repr, Firm.objects.filter(origin=RecordOrigin.ARTICLE).values_list()))
    later = datetime.date(2027, 2, 1)
    demo_scenario_reset(today=later)
    assert sorted(map(repr, Firm.objects.filter(origin=RecordOrigin.ARTICLE).values_list())) == article
    assert Firm.objects.filter(key__startswith="demo-firm-").count() == len(LADDER_FIRMS)
    years = set(YearlyFigures.objects.filter(firm__key="demo-firm-xinchuang").values_list("year", flat=True))
    assert years == {2024, 2025, 2026}
    assert InnovationSelfAssessment.objects.get(firm__key="demo-firm-xinchuang").year == 2027
    haina = Residency.objects.get(firm__key="demo-firm-haina")
    assert haina.months_in(later) == 52
    before = _snapshot()
    assert demo_scenario_load(today=later).created == 0
    assert _snapshot() == before


def test_tsme_by_score(demo):
    firm = Firm.objects.get(key="demo-firm-haiyun")
    assert (firm.resident_enterprise, firm.audited_taxation, firm.industry_allowed) == (True, True, True)
    latest = _figures("demo-firm-haiyun")[-1]
    assert _ratio(latest.rd_staff, latest.employees) >= Decimal("0.25")  # 16 points
    assert Decimal("0.05") <= _ratio(latest.rd_expense, latest.revenue) < Decimal("0.06")  # 40 points
    assert _ratio(latest.rd_expense, latest.total_cost) < Decimal("0.10")  # option 2: 0 points
    assert latest.ip_class1 >= 1  # 30 points
    assert not firm.distinctions.exists() and not firm.incidents.exists()
    assert not Certification.objects.filter(firm=firm).exists()  # no HNTE: no direct pass


def test_tsme_only_by_a_led_national_standard(demo):
    firm = Firm.objects.get(key="demo-firm-biaozhun")
    latest = _figures("demo-firm-biaozhun")[-1]
    assert _ratio(latest.rd_staff, latest.employees) < Decimal("0.10")  # tech-staff score 0: no pass by score
    passes = firm.distinctions.filter(
        kind=DistinctionKind.STANDARD,
        role=StandardRole.LED,
        level__in=[DistinctionLevel.INTERNATIONAL, DistinctionLevel.NATIONAL, DistinctionLevel.INDUSTRY],
        year__gte=DAY.year - 5,
    )
    assert list(passes.values_list("level", "year")) == [(DistinctionLevel.NATIONAL, 2024)]
    assert firm.distinctions.count() == 3  # one only participated in, one led too long ago
    assert firm.audited_taxation is True


def test_hnte_eligible_on_all_eight_conditions(demo):
    firm = Firm.objects.get(key="demo-firm-xinchuang")
    assert (DAY - firm.founded_on).days >= 365
    assert (firm.core_ip, firm.high_tech_field_confirmed) == (True, True)
    figures = _figures("demo-firm-xinchuang")
    latest = figures[-1]
    assert _ratio(latest.rd_staff, latest.employees) >= Decimal("0.10")
    rd, revenue = sum(f.rd_expense for f in figures), sum(f.revenue for f in figures)
    assert latest.revenue <= 50_000_000 and rd / revenue >= Decimal("0.05")
    assert sum(f.rd_expense_domestic for f in figures) / rd >= Decimal("0.60")
    assert _ratio(latest.high_tech_revenue, latest.revenue) >= Decimal("0.60")
    # Innovation score, bottom of each band: growth, conversions and IP quantity computed.
    net = [f.total_assets - f.total_liabilities for f in figures]
    net_growth = (net[1] / net[0] + net[2] / net[1]) / 2 - 1
    sales_growth = (figures[1].revenue / figures[0].revenue + figures[2].revenue / figures[1].revenue) / 2 - 1
    assert net_growth >= Decimal("0.25") and sales_growth >= Decimal("0.25")  # 7 + 7
    assert sum(f.results_converted for f in figures) / 3 >= 5  # 25
    assessment = firm.innovation_assessments.get(year=DAY.year)
    quantity = 7  # at least one class-I IP
    ip = min(
        30,
        assessment.ip_advancement
        + assessment.ip_core_support
        + quantity
        + assessment.ip_how_obtained
        + assessment.ip_standards_bonus,
    )
    organisation = (
        assessment.rd_management
        + assessment.rd_institution
        + assessment.conversion_incentives
        + assessment.training_rewards
    )
    assert ip + 25 + organisation + 14 > 70
    # Its only incident is older than the year before; its R&D centre is municipal.
    assert not firm.incidents.filter(occurred_on__year__gte=DAY.year - 1).exists()
    assert set(firm.distinctions.values_list("level", flat=True)) == {DistinctionLevel.MUNICIPAL}


def test_hnte_within_reach(demo):
    figures = _figures("demo-firm-jinghang")
    latest = figures[-1]
    rd, revenue = sum(f.rd_expense for f in figures), sum(f.revenue for f in figures)
    assert latest.revenue <= 50_000_000
    assert rd / revenue == Decimal("0.042")
    assert revenue * Decimal("0.05") - rd == Decimal(864_000)  # CNY short of 5%
    assert latest.employees // 10 - latest.rd_staff == 1  # one tech staff member short of 10%
    assert Firm.objects.get(key="demo-firm-jinghang").innovation_assessments.exists()


def test_missing_data(demo):
    firm = Firm.objects.get(key="firm-nengfeng")
    assert all(f.total_cost is None and f.results_converted is None for f in _figures("firm-nengfeng"))
    assert not firm.innovation_assessments.exists()
    assert firm.audited_taxation is None and firm.core_ip is None


def test_graduation_by_two_consecutive_years_revenue(demo):
    revenues = [f.revenue for f in _figures("firm-pengfengcheng")]
    assert revenues[1] + revenues[2] > 10_000_000 >= revenues[0] + revenues[1]


def test_past_the_incubation_limit(demo):
    residency = Residency.objects.get(firm__key="demo-firm-haina")
    assert residency.is_open and residency.months_left(DAY) < 0
    assert residency.firm.incidents.get().occurred_on.year == DAY.year - 1


def test_entered_older_than_24_months_with_a_staff_note(demo):
    residency = Residency.objects.get(key="demo-res-huachen")
    founded = residency.firm.founded_on
    months = (residency.entered_on.year - founded.year) * 12 + residency.entered_on.month - founded.month
    assert months > 24
    assert "staff confirmed" in residency.notes
