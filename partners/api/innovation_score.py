"""GET /api/v1/firms/{id}/innovation-score/: a firm's innovation score, indicator by indicator.

What a bank's credit committee reads: the pack and its version (ours until an official table
is loaded), the cohort the firm is compared with, its stage, and for each indicator the value
(from the data the firm reported), the normalised value, the weight and the contribution,
with what is missing. Served from the stored score (scoring.models.FirmScore), whose breakdown
the engine wrote; the serializers below are the contract and the schema.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from partners import selectors
from partners.api.serializers import SCORE_STATUSES
from partners.api.views import FIRM_ID, FirmScopedView
from scoring.engine.pack import COHORT_BY, LABELS, UNITS
from scoring.engine.score import REASONS
from scoring.models import FirmScore
from scoring.selectors import score_described

NOT_COMPUTED = "not_computed"
LINE_STATUSES = [
    ("scored", _("scored")),
    ("missing", _("missing: the firm has not reported the data")),
    ("few_peers", _("few peers: too few firms of the cohort report it to compare")),
]


def decimal_text(help_text) -> serializers.CharField:
    return serializers.CharField(read_only=True, allow_null=True, help_text=help_text)


class LabelledMixin(serializers.Serializer):
    label = serializers.CharField(source="label.zh", read_only=True, help_text=_("Chinese label."))
    label_en = serializers.CharField(source="label.en", read_only=True, help_text=_("English label."))


class PackSerializer(serializers.Serializer):
    version = serializers.CharField(read_only=True)
    label = serializers.ChoiceField(
        choices=LABELS,
        read_only=True,
        help_text=_("Whose model: ours (our own weighting), official, zone or bank."),
    )
    title = serializers.CharField(source="title.zh", read_only=True)
    title_en = serializers.CharField(source="title.en", read_only=True)
    source = serializers.CharField(read_only=True, help_text=_("What the pack follows or is modelled on."))
    unverified = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Parts of the pack no official copy confirmed (field paths; 'data' is the whole model)."),
    )


class CohortSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, help_text=_("e.g. 2025/city:青岛; empty when there is none."))
    by = serializers.ChoiceField(choices=COHORT_BY, read_only=True)
    value = serializers.CharField(read_only=True, help_text=_("The city or incubator id; empty for 'none'."))
    size = serializers.IntegerField(read_only=True, help_text=_("Firms in the cohort."))
    min_size = serializers.IntegerField(
        read_only=True, help_text=_("Fewest firms percentiles are computed among.")
    )


class StageSerializer(LabelledMixin):
    key = serializers.CharField(read_only=True)


class MissingSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["figures", "firm"], read_only=True)
    field = serializers.CharField(read_only=True, help_text=_("The stored field, e.g. revenue, founded_on."))
    year = serializers.IntegerField(read_only=True, allow_null=True)
    problem = serializers.ChoiceField(
        choices=["not_reported", "zero", "not_positive"],
        read_only=True,
        help_text=_("not_reported; zero (a divisor or growth base of zero); not_positive (net assets ≤ 0)."),
    )


class GroupSerializer(LabelledMixin):
    key = serializers.CharField(read_only=True)
    contribution = decimal_text(_("Sum of the group's contributions; null without a score."))


class IndicatorSerializer(LabelledMixin):
    key = serializers.CharField(read_only=True)
    group = serializers.CharField(read_only=True)
    unit = serializers.ChoiceField(choices=UNITS, read_only=True)
    period_years = serializers.IntegerField(
        read_only=True, help_text=_("1: the score year; 2: it and the year before; N: the N years up to it.")
    )
    data = serializers.CharField(
        read_only=True, help_text=_("The stored records the value is computed from.")
    )
    value = decimal_text(
        _(
            "The firm's value: yuan for cny, a ratio (0.123456 = 12.3456%) for share and ratio, a whole "
            "number for count; null when missing."
        )
    )
    normalised = decimal_text(
        _(
            "0-100: the share of the cohort's other reporting firms this firm does better than, a tie "
            "counting half; null when missing or too few peers."
        )
    )
    weight = decimal_text(_("Points of this indicator in the firm's stage; null when the stage is unknown."))
    contribution = decimal_text(
        _("weight × normalised ÷ 100, rounded half up to the cent; 0.00 when missing; null without a score.")
    )
    status = serializers.ChoiceField(choices=LINE_STATUSES, read_only=True)
    reporting = serializers.IntegerField(read_only=True, help_text=_("Firms of the cohort reporting it."))
    missing = MissingSerializer(many=True, read_only=True)


class ItemSerializer(LabelledMixin):
    key = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=["bonus", "negative"], read_only=True)
    points = serializers.CharField(read_only=True)
    applies = serializers.BooleanField(read_only=True)
    contribution = decimal_text(_("Points added (negative: taken off), within the pack's caps."))


class InnovationScoreSerializer(serializers.Serializer):
    firm = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=SCORE_STATUSES, read_only=True)
    total = decimal_text(_("The sum of the contributions and items, to the cent; null without a score."))
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=[*REASONS, NOT_COMPUTED]),
        read_only=True,
        help_text=_(
            "Why there is no score: no_figures, no_region, cohort_too_small, stage_unknown, incomplete "
            "(completeness below min_completeness), not_computed (not yet scored)."
        ),
    )
    year = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("The fiscal year scored."))
    stage = StageSerializer(read_only=True, allow_null=True)
    completeness = decimal_text(_("Share of the stage's weight whose indicators have data (0-1)."))
    min_completeness = decimal_text(_("The pack's minimum completeness for a score."))
    pack = PackSerializer(read_only=True, allow_null=True)
    cohort = CohortSerializer(read_only=True, allow_null=True)
    groups = GroupSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    items = ItemSerializer(many=True, read_only=True)
    missing = MissingSerializer(many=True, read_only=True, help_text=_("All the stored data missing."))
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True)


def score_document(firm_id: int, score: FirmScore | None) -> dict[str, Any]:
    """The stored breakdown in the serializer's shape (the engine's "lines" are "indicators")."""
    if score is None:
        return {
            "firm": firm_id,
            "status": "no_score",
            "total": None,
            "reasons": [NOT_COMPUTED],
            "year": None,
            "stage": None,
            "completeness": None,
            "min_completeness": None,
            "pack": None,
            "cohort": None,
            "groups": [],
            "indicators": [],
            "items": [],
            "missing": [],
            "computed_at": None,
        }
    breakdown = score_described(score)
    return {
        **breakdown,
        "firm": firm_id,
        "status": score.status,
        "total": None if score.total is None else str(score.total),
        "reasons": score.reasons,
        "indicators": [{**line, "value": _text(line["value"])} for line in breakdown.get("lines", [])],
        "computed_at": score.computed_at,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


SCORED_EXAMPLE = {
    "firm": 42,
    "status": "scored",
    "total": "63.25",
    "reasons": [],
    "year": 2025,
    "stage": {"key": "growth", "label": "成长期", "label_en": "Growth"},
    "completeness": "0.7700",
    "min_completeness": "0.60",
    "pack": {
        "version": "ours-2025.1",
        "label": "ours",
        "title": "创新积分（本平台模型）",
        "title_en": "Innovation points (our model)",
        "source": "Modelled on the national enterprise innovation-points system (...); official weights "
        "not yet loaded.",
        "unverified": ["data"],
    },
    "cohort": {"key": "2025/city:青岛", "by": "city", "value": "青岛", "size": 12, "min_size": 5},
    "groups": [
        {
            "key": "technology",
            "label": "技术创新",
            "label_en": "Technology innovation",
            "contribution": "31.50",
        },
        {"key": "growth", "label": "成长经营", "label_en": "Growth and operation", "contribution": "24.25"},
        {"key": "auxiliary", "label": "辅助指标", "label_en": "Auxiliary", "contribution": "5.50"},
    ],
    "indicators": [
        {
            "key": "rd_intensity",
            "label": "研发投入强度",
            "label_en": "R&D expense ÷ revenue",
            "group": "technology",
            "unit": "share",
            "period_years": 1,
            "data": "yearly figures, R&D expense and revenue",
            "value": "0.070000",
            "normalised": "72.73",
            "weight": "10",
            "contribution": "7.27",
            "status": "scored",
            "reporting": 12,
            "missing": [],
        },
        {
            "key": "invention_patents",
            "label": "有效发明专利",
            "label_en": "Valid invention patents",
            "group": "technology",
            "unit": "count",
            "period_years": 1,
            "data": "yearly figures, invention patents held (Torch return field 25)",
            "value": None,
            "normalised": None,
            "weight": "6",
            "contribution": "0.00",
            "status": "missing",
            "reporting": 4,
            "missing": [
                {"source": "figures", "field": "invention_patents", "year": 2025, "problem": "not_reported"}
            ],
        },
    ],
    "items": [
        {
            "key": "hnte_certified",
            "label": "有效高新技术企业证书",
            "label_en": "High-tech enterprise certificate in force",
            "kind": "bonus",
            "points": "2",
            "applies": True,
            "contribution": "2.00",
        }
    ],
    "missing": [{"source": "figures", "field": "invention_patents", "year": 2025, "problem": "not_reported"}],
    "computed_at": "2026-12-03T02:40:11+08:00",
}
NO_SCORE_EXAMPLE = {
    **SCORED_EXAMPLE,
    "status": "no_score",
    "total": None,
    "reasons": ["incomplete"],
    "completeness": "0.4500",
    "groups": [{**group, "contribution": None} for group in SCORED_EXAMPLE["groups"]],
    "indicators": [{**line, "contribution": None} for line in SCORED_EXAMPLE["indicators"]],
    "items": [{**item, "contribution": None} for item in SCORED_EXAMPLE["items"]],
}


@extend_schema(tags=["firms"], parameters=[FIRM_ID])
class FirmInnovationScoreView(FirmScopedView, generics.GenericAPIView):
    queryset = FirmScore.objects.none()  # the model, for the schema; the row comes from the selector
    serializer_class = InnovationScoreSerializer

    @extend_schema(
        operation_id="firms_innovation_score_retrieve",
        summary=_("A firm's innovation score, indicator by indicator"),
        description=_(
            "The firm's innovation score as last computed, with everything needed to explain it: the "
            "score pack and version (label 'ours' means our own weighting, modelled on the national "
            "innovation-points system, not the official table), the cohort (firms of the same year and "
            "city) and its size, the stage, and for each indicator its value from the data the firm "
            "reported, the normalised value (percentile in the cohort), the weight and the contribution; "
            "contributions and items add up to the total. A firm with too little data gets no score "
            "(status no_score) and the data missing is listed. Scores are recomputed when the firm's "
            "figures, certifications or financing change and nightly for every cohort, so they can move "
            "when another firm of the cohort reports."
        ),
        examples=[
            OpenApiExample("Scored", value=SCORED_EXAMPLE, response_only=True),
            OpenApiExample("Too little data: no score", value=NO_SCORE_EXAMPLE, response_only=True),
        ],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        score = selectors.innovation_score_for_firm(firm=self.firm)
        self.logged_firm_ids = [self.firm.pk]
        return Response(self.get_serializer(score_document(self.firm.pk, score)).data)
