"""The ladder inputs' constraints, each on both sides: the edge value is kept, one step past it
is refused by the database and by full_clean() (with the constraint's message, or the field's
own validator where a field has one, as the self-assessed scores do)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from portfolio.choices import DistinctionKind, MarketStatus, StandardRole
from portfolio.models import InnovationSelfAssessment, YearlyFigures
from portfolio.models.ladder_inputs import SELF_ASSESSMENT_MAXIMA
from tests.factories import (
    AwardFactory,
    FirmFactory,
    IncidentFactory,
    RdInstitutionFactory,
    SelfAssessmentFactory,
    StandardFactory,
    YearlyFiguresFactory,
)

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Edge:
    """``row`` saved, then ``good`` keeps it valid (at the bound) and ``bad`` breaks ``constraint``.
    ``field`` names the field whose own validator speaks first in full_clean(), if any."""

    constraint: str
    row: Callable[[], models.Model]
    good: dict[str, Any]
    bad: dict[str, Any]
    field: str | None = None
    label: str = ""

    def __str__(self) -> str:
        return f"{self.constraint}{'-' + self.label if self.label else ''}"


EDGES = [
    # distinctions
    Edge("portfolio_distinction_year_plausible", AwardFactory, {"year": 1949}, {"year": 1948}, label="low"),
    Edge("portfolio_distinction_year_plausible", AwardFactory, {"year": 2200}, {"year": 2201}, label="high"),
    Edge(
        "portfolio_distinction_rank_only_for_awards",
        StandardFactory,
        {"kind": DistinctionKind.AWARD, "role": "", "rank": 3},
        {"rank": 1},
    ),
    Edge(
        "portfolio_distinction_rank_only_for_awards",
        RdInstitutionFactory,
        {"rank": None},
        {"rank": 1},
        label="institution",
    ),
    Edge("portfolio_distinction_rank_positive", AwardFactory, {"rank": 1}, {"rank": 0}),
    Edge(
        "portfolio_distinction_role_for_standards",
        StandardFactory,
        {"role": StandardRole.PARTICIPATED},
        {"role": ""},
        label="required",
    ),
    Edge(
        "portfolio_distinction_role_for_standards",
        AwardFactory,
        {"role": ""},
        {"role": StandardRole.LED},
        label="only",
    ),
    Edge(
        "portfolio_distinction_valid_after_date",
        RdInstitutionFactory,
        {"valid_until": datetime.date(2024, 3, 1)},
        {"valid_until": datetime.date(2024, 2, 29)},
    ),
    # incidents
    Edge(
        "portfolio_incident_resolved_after_occurred",
        IncidentFactory,
        {"resolved_on": datetime.date(2024, 5, 10)},
        {"resolved_on": datetime.date(2024, 5, 9)},
    ),
    # self-assessments
    Edge("portfolio_selfassessment_year_plausible", SelfAssessmentFactory, {"year": 1949}, {"year": 1948}),
    *[
        Edge(
            f"portfolio_selfassessment_{name}_range",
            SelfAssessmentFactory,
            {name: maximum},
            {name: maximum + 1},
            field=name,
        )
        for name, maximum in SELF_ASSESSMENT_MAXIMA.items()
    ],
    # the firm and its figures: the ladder's additions
    Edge(
        "portfolio_firm_market_since_with_status",
        FirmFactory,
        {"market_status": MarketStatus.QUOTED, "market_status_since": datetime.date(2025, 6, 1)},
        {"market_status_since": datetime.date(2025, 6, 1)},
    ),
    *[
        Edge(
            f"portfolio_figures_{name}_not_negative",
            YearlyFiguresFactory,
            {name: Decimal(0)},
            {name: Decimal("-0.01")},
        )
        for name in ("total_cost", "total_liabilities")
    ],
]

# Every named constraint of the ladder inputs (tests/portfolio/models/test_constraints.py checks
# that each named constraint of the apps is covered here or there).
CONSTRAINTS = {edge.constraint for edge in EDGES} | {"portfolio_selfassessment_one_per_year"}


def _changed(edge: Edge, change: dict[str, Any]) -> models.Model:
    row = edge.row()
    for name, value in change.items():
        setattr(row, name, value)
    return row


@pytest.mark.parametrize("edge", EDGES, ids=str)
def test_the_edge_value_is_kept(edge):
    row = _changed(edge, edge.good)
    row.full_clean()
    row.save()
    type(row).objects.filter(pk=row.pk).update(**edge.good)


@pytest.mark.parametrize("edge", EDGES, ids=str)
def test_the_database_refuses_one_step_past_the_edge(edge):
    row = edge.row()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**edge.bad)


@pytest.mark.parametrize("edge", EDGES, ids=str)
def test_full_clean_refuses_one_step_past_the_edge(edge):
    row = _changed(edge, edge.bad)
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    if edge.field:
        assert list(caught.value.message_dict) == [edge.field]
    else:
        constraint = next(c for c in row._meta.constraints if c.name == edge.constraint)
        assert caught.value.messages == [constraint.get_violation_error_message()]


@pytest.mark.parametrize("name", list(SELF_ASSESSMENT_MAXIMA))
def test_a_self_assessed_score_cannot_be_negative(name):
    row = SelfAssessmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InnovationSelfAssessment.objects.filter(pk=row.pk).update(**{name: -1})


def test_the_maxima_are_those_of_the_work_guide():
    # 国科发火〔2016〕195号: IP 8/8/6 + standards bonus 2; R&D organisation 6/6/4/4 (= 20).
    assert SELF_ASSESSMENT_MAXIMA == {
        "ip_advancement": 8,
        "ip_core_support": 8,
        "ip_how_obtained": 6,
        "ip_standards_bonus": 2,
        "rd_management": 6,
        "rd_institution": 6,
        "conversion_incentives": 4,
        "training_rewards": 4,
    }
    field = InnovationSelfAssessment._meta.get_field("training_rewards")
    assert "self-assessment, not an expert score" in str(field.help_text)


def test_one_self_assessment_per_firm_and_year():
    first = SelfAssessmentFactory()
    SelfAssessmentFactory(firm=first.firm, year=first.year + 1)
    SelfAssessmentFactory(year=first.year)  # another firm, same year
    duplicate = InnovationSelfAssessment(firm=first.firm, year=first.year)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert caught.value.messages == ["This firm already has a self-assessment for this year."]
    with pytest.raises(IntegrityError), transaction.atomic():
        InnovationSelfAssessment.objects.bulk_create([duplicate])


def test_liabilities_may_exceed_assets():
    figures = YearlyFiguresFactory(total_assets=Decimal(1_000_000), total_liabilities=Decimal(1_500_000))
    figures.full_clean()
    figures.refresh_from_db()
    assert figures.total_assets - figures.total_liabilities == Decimal(-500_000)


def test_the_new_figures_stay_out_of_the_partner_api_tuple():
    assert set(YearlyFigures.LADDER_FIGURES).isdisjoint(YearlyFigures.FIGURES)


def test_new_firm_defaults_leave_the_judgements_unknown():
    firm = FirmFactory()
    firm.refresh_from_db()
    assert (firm.resident_enterprise, firm.industry_allowed) == (True, True)
    assert (firm.audited_taxation, firm.high_tech_field_confirmed, firm.core_ip) == (None, None, None)
    assert (firm.market_status, firm.market_status_since) == (MarketStatus.NONE, None)


def test_a_standard_may_be_participated_in_and_an_award_ranked():
    standard = StandardFactory(role=StandardRole.PARTICIPATED)
    award = AwardFactory(rank=1)
    for row in (standard, award):
        row.full_clean()
    assert award.kind == DistinctionKind.AWARD
