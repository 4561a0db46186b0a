"""Explicit read serializers (what a bank sees) and write serializers (what it may send)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Mapping
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from ladder.standing import ELIGIBLE, MISSING_DATA, NOT_ELIGIBLE, WITHIN_REACH
from partners.api.fields import MoneyField, StrictDateField, StrictIntegerField
from partners.models import BankRecommendation, LoanApplication, LoanDecision
from partners.selectors import FIRM_FIELDS
from partners.services.loans import DECISION_STATUSES, LOAN_INSTRUMENTS
from portfolio.choices import CertificationStatus, FinancingKind, LoanStatus
from portfolio.models import (
    Certification,
    FinancingEvent,
    FinancingParticipant,
    Firm,
    Incubator,
    Programme,
    Residency,
    YearlyFigures,
)

MONEY = {"max_digits": 16, "decimal_places": 2}


class StrictInputMixin:
    """Reject fields the endpoint does not know instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


# --- read ---------------------------------------------------------------------------------------


class IncubatorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Incubator
        fields = ["id", "name", "name_en", "city", "level"]


class ResidencyBriefSerializer(serializers.ModelSerializer):
    incubator = IncubatorBriefSerializer(read_only=True)
    months_left = serializers.SerializerMethodField(help_text=_("Months left of the incubation limit."))

    class Meta:
        model = Residency
        fields = ["incubator", "entered_on", "entered_precision", "limit_months", "months_left"]

    def get_months_left(self, residency: Residency) -> int | None:
        return residency.months_left()


def certification_status_field() -> serializers.ChoiceField:
    """The status as of today (``with_status_on``): a lapsed certificate shows as expired at once."""
    return serializers.ChoiceField(source="status_today", choices=CertificationStatus.choices, read_only=True)


class CertificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind.code", read_only=True, help_text=_("e.g. tsme, hnte"))
    status = certification_status_field()
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    kind_name_en = serializers.CharField(source="kind.name_en", read_only=True)

    class Meta:
        model = Certification
        fields = [
            "id",
            "kind",
            "kind_name",
            "kind_name_en",
            "status",
            "number",
            "issued_on",
            "issued_precision",
            "expires_on",
            "expires_precision",
            "issuer",
            "assumed",
            "updated_at",
        ]


class CertificationStatusSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="kind.code", read_only=True)
    status = certification_status_field()

    class Meta:
        model = Certification
        fields = ["kind", "status", "issued_on", "expires_on"]


class FinancingSummarySerializer(serializers.Serializer):
    events = serializers.IntegerField(help_text=_("Financing events you may see."))
    equity_total = serializers.DecimalField(**MONEY, help_text=_("Sum of equity rounds in CNY."))
    loans_total = serializers.DecimalField(
        **MONEY, help_text=_("Sum of loans in CNY (disbursed or settled, or recorded without a status).")
    )
    last_financing_on = serializers.DateField(allow_null=True)


class YearlyFiguresSerializer(serializers.ModelSerializer):
    class Meta:
        model = YearlyFigures
        fields = ["year", *YearlyFigures.FIGURES, "updated_at"]


# --- the certification ladder (partners.selectors.ladder_summary) ---

LADDER_STATUSES = [
    (ELIGIBLE, _("eligible")),
    (WITHIN_REACH, _("within reach")),
    (MISSING_DATA, _("missing data")),
    (NOT_ELIGIBLE, _("not eligible")),
]
RUNGS = [("none", _("none")), ("tsme", _("TSME")), ("hnte", _("HNTE")), ("listing", _("listing"))]
ELIGIBLE_HELP = _(
    "Our evaluation against the official rules on evaluated_on, from the data the incubator holds; "
    "not a certificate or registration, which only the competent authority grants."
)


def ladder_status_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=LADDER_STATUSES,
        read_only=True,
        help_text=_(
            "eligible: every condition met on evaluated_on (our evaluation, not a certificate); "
            "within_reach: not yet, but no data missing and only one or two conditions short, each by "
            "a measurable amount (our own estimate of what a year's work can close, not an official "
            "rule); missing_data: nothing fails outright, but data the rules need is missing; "
            "not_eligible: a condition fails that a year's work does not close."
        ),
    )


def condition_field(help_text) -> serializers.BooleanField:
    return serializers.BooleanField(read_only=True, allow_null=True, help_text=help_text)


class TsmeSummarySerializer(serializers.Serializer):
    status = ladder_status_field()
    eligible = serializers.BooleanField(read_only=True, help_text=ELIGIBLE_HELP)
    score = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The tech-based SME evaluation score (tech staff, R&D, intellectual property), computed from "
            "the last closed year's figures; null while a figure it needs is missing."
        ),
    )
    rules_version = serializers.CharField(
        read_only=True, help_text=_("Version of the rules evaluated, e.g. tsme-2022.")
    )


class HnteConditionsSerializer(serializers.Serializer):
    """Each HNTE condition: true met, false not met, null unknown (data missing)."""

    registered_one_year = condition_field(_("Registered for at least one year."))
    core_ip = condition_field(_("Owns intellectual property supporting its core products."))
    high_tech_field = condition_field(_("Its core technology is in a supported high-tech field."))
    tech_staff = condition_field(_("Share of tech staff in the workforce reaches the official minimum."))
    rd_ratio = condition_field(_("R&D expense over revenue, over the last three years, reaches its tier."))
    rd_domestic = condition_field(_("Share of R&D expense spent in China reaches the official minimum."))
    high_tech_revenue = condition_field(
        _("Share of last year's revenue from high-tech products and services reaches the official minimum.")
    )
    innovation_score = condition_field(
        _(
            "The innovation-capability score reaches the pass mark. It rests in part on the firm's own "
            "self-assessment of the expert-scored items, which is not shared: neither the score nor its "
            "parts are shown."
        )
    )
    clean_record = condition_field(
        _("No major safety or quality accident and no environmental violation in the year before.")
    )


class HnteSummarySerializer(serializers.Serializer):
    status = ladder_status_field()
    eligible = serializers.BooleanField(read_only=True, help_text=ELIGIBLE_HELP)
    rules_version = serializers.CharField(
        read_only=True, help_text=_("Version of the rules evaluated, e.g. hnte-2016.")
    )
    conditions = HnteConditionsSerializer(read_only=True)


class LadderSummarySerializer(serializers.Serializer):
    evaluated_on = serializers.DateField(read_only=True, help_text=_("The day of the evaluation: today."))
    current_rung = serializers.ChoiceField(
        choices=RUNGS,
        read_only=True,
        help_text=_(
            "The highest rung the firm holds on evaluated_on: a TSME registration or HNTE certificate "
            "in force in the incubator's records, or listing (listed, quoted or acquired)."
        ),
    )
    next_rung = serializers.ChoiceField(
        choices=RUNGS[1:], read_only=True, help_text=_("The rung to work on next.")
    )
    tsme = TsmeSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text=_("Tech-based SME (科技型中小企业) evaluation; null when no rules are in force."),
    )
    hnte = HnteSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "High and new technology enterprise (高新技术企业) evaluation; null when no rules are in force."
        ),
    )


def represent_ladder(row: Mapping) -> dict:
    tsme, hnte = row["tsme"], row["hnte"]
    return {
        **represent_row(LadderSummarySerializer, row),
        "tsme": None if tsme is None else represent_row(TsmeSummarySerializer, tsme),
        "hnte": None
        if hnte is None
        else {
            **represent_row(HnteSummarySerializer, hnte),
            "conditions": represent_row(HnteConditionsSerializer, hnte["conditions"]),
        },
    }


# --- the innovation score (scoring/; the breakdown endpoint is partners/api/innovation_score.py) ---

SCORE_STATUSES = [("scored", _("scored")), ("no_score", _("no score"))]


class InnovationScoreSummarySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SCORE_STATUSES,
        read_only=True,
        help_text=_(
            "scored, or no_score: too little data, a cohort too small to compare with, or no region; "
            "a firm with too little data gets no score rather than a low one."
        ),
    )
    total = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_("The score, 0-100 plus bonus and minus negative items; null without a score."),
    )
    stage = serializers.CharField(
        read_only=True,
        help_text=_("The pack's stage the weights were taken from, e.g. startup, growth, stable."),
    )
    pack_version = serializers.CharField(
        read_only=True, help_text=_("The score pack used, e.g. ours-2025.1.")
    )
    completeness = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text=_("Share of the stage's weight whose indicators have data (0-1)."),
    )
    year = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("The fiscal year scored."))
    computed_at = serializers.DateTimeField(read_only=True)


FUNDED_LOAN_STATUSES = {
    "",
    LoanStatus.DISBURSED,
    LoanStatus.REPAID,
    LoanStatus.DEFAULTED,
    LoanStatus.COMPENSATED,
}


def financing_summary(events: list[Mapping]) -> dict:
    """Count and CNY totals of financing rows (``kind``, ``amount``, ``currency``, ...)."""
    equity = loans = Decimal("0.00")
    for event in events:
        if event["amount"] is None or event["currency"] != "CNY":
            continue
        if event["kind"] == FinancingKind.EQUITY:
            equity += event["amount"]
        elif event["kind"] == FinancingKind.LOAN and event["loan_status"] in FUNDED_LOAN_STATUSES:
            loans += event["amount"]
    dates = [e["occurred_on"] for e in events if e["occurred_on"] is not None]
    return {
        "events": len(events),
        "equity_total": equity,
        "loans_total": loans,
        "last_financing_on": max(dates) if dates else None,
    }


@functools.cache
def plain_fields(serializer_class: type[serializers.Serializer]) -> tuple[tuple[str, str, Callable], ...]:
    """(output name, row key, to_representation) of a serializer's fields that are not nested.

    Built once per process from the serializer's own fields, so a row is formatted exactly as
    DRF would format the object (time zone, decimal places) without DRF's per-object machinery.
    The row key is the field's source with ``__`` for dots, as ``.values()`` names it.
    """
    fields = serializer_class().fields.items()
    return tuple(
        (name, "__".join(field.source_attrs), fast_representation(field))
        for name, field in fields
        if not isinstance(field, serializers.BaseSerializer | serializers.SerializerMethodField)
    )


def fast_representation(field: serializers.Field) -> Callable:
    """``field.to_representation``, with a shortcut for the values rows hold that gives the very
    same result: a bool of a BooleanField, a ``date`` of an ISO DateField, a ``str`` of a
    ChoiceField with text choices, a Decimal already at the field's decimal places. Anything
    else goes to DRF. A page of 50 rich firms formats about 1,500 such values."""
    drf = field.to_representation
    method = type(field).to_representation
    if method is serializers.BooleanField.to_representation:
        return lambda value: value if value is True or value is False else drf(value)
    if (
        method is serializers.DateField.to_representation
        and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601
    ):
        return lambda value: value.isoformat() if type(value) is datetime.date else drf(value)
    if method is serializers.ChoiceField.to_representation and all(
        type(key) is str for key in field.choice_strings_to_values.values()
    ):  # DRF answers the choice whose text the value is, or the value: the same text either way
        return lambda value: value if type(value) is str else drf(value)
    if (
        method is serializers.DecimalField.to_representation
        and field.decimal_places is not None
        and field.max_digits is not None
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.normalize_output
        and not field.localize
    ):
        places, max_digits = -field.decimal_places, field.max_digits

        def decimal(value):
            if type(value) is Decimal:
                _sign, digits, exponent = value.as_tuple()
                if exponent == places and len(digits) <= max_digits:  # quantize would change nothing
                    return f"{value:f}"
            return drf(value)

        return decimal
    return drf


def represent_row(serializer_class: type[serializers.Serializer], row: Mapping, prefix: str = "") -> dict:
    """A ``.values()`` row as ``serializer_class`` shows it (None stays None, as in DRF)."""
    return {
        name: None if (value := row[prefix + key]) is None else to_representation(value)
        for name, key, to_representation in plain_fields(serializer_class)
    }


class FirmSerializer(serializers.ModelSerializer):
    """A firm as a lender sees it, from the rows of ``firm_rows_complete``.

    The declared fields are the contract (and the schema); ``to_representation`` formats the
    plain rows with those same fields, a page of 50 firms costing a few milliseconds instead
    of DRF's nested serializers building and walking model instances.
    """

    current_residency = ResidencyBriefSerializer(
        read_only=True, allow_null=True, help_text=_("Latest open residency.")
    )
    certifications = CertificationStatusSerializer(many=True, read_only=True)
    financing_summary = FinancingSummarySerializer(read_only=True)
    latest_figures = YearlyFiguresSerializer(read_only=True, allow_null=True)
    ladder = LadderSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Where the firm stands on the certification ladder today (TSME, then HNTE, then listing), "
            "evaluated on its open residency, else its latest; null for a firm without residency. "
            "Conclusions only: no self-assessment detail."
        ),
    )
    innovation_score = InnovationScoreSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The innovation score's total, stage and pack version (the breakdown: "
            "/firms/{id}/innovation-score/); null before the firm's first computation."
        ),
    )

    class Meta:
        model = Firm
        fields = [
            *FIRM_FIELDS,
            "current_residency",
            "certifications",
            "financing_summary",
            "latest_figures",
            "ladder",
            "innovation_score",
        ]

    def to_representation(self, firm: Mapping) -> dict:
        data = represent_row(FirmSerializer, firm)
        residency = firm["current_residency"]
        figures = firm["latest_figures"]
        data["current_residency"] = None if residency is None else represent_residency(residency)
        data["certifications"] = [
            represent_row(CertificationStatusSerializer, row) for row in firm["certifications"]
        ]
        data["financing_summary"] = represent_row(
            FinancingSummarySerializer, financing_summary(firm["financing"])
        )
        data["latest_figures"] = None if figures is None else represent_row(YearlyFiguresSerializer, figures)
        data["ladder"] = None if firm["ladder"] is None else represent_ladder(firm["ladder"])
        score = firm["innovation_score"]
        data["innovation_score"] = (
            None if score is None else represent_row(InnovationScoreSummarySerializer, score)
        )
        return data


class _OpenStay:
    """What ``Residency.months_left`` reads of an open residency, without building a model
    instance per firm (a tenth of a rich page's formatting): the model's own methods."""

    __slots__ = ("entered_on", "exited_on", "limit_months")
    months_in = Residency.months_in
    months_left = Residency.months_left

    def __init__(self, entered_on: datetime.date, limit_months: int) -> None:
        self.entered_on, self.limit_months, self.exited_on = entered_on, limit_months, None


def represent_residency(row: Mapping) -> dict:
    return {
        "incubator": represent_row(IncubatorBriefSerializer, row, prefix="incubator__"),
        **represent_row(ResidencyBriefSerializer, row),
        "months_left": _OpenStay(row["entered_on"], row["limit_months"]).months_left(),
    }


class ParticipantSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = FinancingParticipant
        fields = ["organisation", "role"]


class ProgrammeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "name", "name_en", "kind"]


class FinancingEventSerializer(serializers.ModelSerializer):
    programme = ProgrammeBriefSerializer(read_only=True, allow_null=True)
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = FinancingEvent
        fields = [
            "id",
            "kind",
            "instrument",
            "programme",
            "amount",
            "currency",
            "amount_precision",
            "occurred_on",
            "date_precision",
            "term_months",
            "loan_status",
            "participants",
            "updated_at",
        ]


class FirmBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Firm
        fields = ["id", "name", "name_en", "credit_code"]


class WhiteListEntrySerializer(serializers.ModelSerializer):
    firm = FirmBriefSerializer(read_only=True)
    incubator = IncubatorBriefSerializer(read_only=True)
    bank = serializers.CharField(source="bank.name", read_only=True)

    class Meta:
        model = BankRecommendation
        fields = ["id", "firm", "incubator", "bank", "recommended_on", "status", "reason", "updated_at"]


class LoanDecisionSerializer(serializers.ModelSerializer):
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = LoanDecision
        fields = ["status", "decided_on", "amount", "term_months", "note", "recorded_at"]


class LoanSerializer(serializers.ModelSerializer):
    firm = serializers.IntegerField(source="event.firm_id", read_only=True)
    financing_event = serializers.IntegerField(source="event_id", read_only=True)
    bank = serializers.CharField(source="bank.name", read_only=True)
    instrument = serializers.ChoiceField(source="event.instrument", choices=LOAN_INSTRUMENTS, read_only=True)
    status = serializers.ChoiceField(source="event.loan_status", choices=LoanStatus.choices, read_only=True)
    amount = serializers.DecimalField(source="event.amount", **MONEY, read_only=True, allow_null=True)
    term_months = serializers.IntegerField(source="event.term_months", read_only=True, allow_null=True)
    programme = serializers.IntegerField(source="event.programme_id", read_only=True, allow_null=True)
    note = serializers.CharField(source="event.decision_note", read_only=True)
    decisions = LoanDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = LoanApplication
        fields = [
            "id",
            "firm",
            "financing_event",
            "bank",
            "reference",
            "instrument",
            "status",
            "applied_on",
            "requested_amount",
            "amount",
            "term_months",
            "programme",
            "note",
            "decisions",
            "created_at",
            "updated_at",
        ]


# --- write --------------------------------------------------------------------------------------


class LoanApplicationWriteSerializer(StrictInputMixin, serializers.Serializer):
    instrument = serializers.ChoiceField(choices=[(i.value, i.label) for i in LOAN_INSTRUMENTS])
    applied_on = StrictDateField(help_text=_("Date of the application; not in the future."))
    requested_amount = MoneyField(
        min_value=Decimal("0.01"), required=False, allow_null=True, help_text=_("CNY")
    )
    term_months = StrictIntegerField(min_value=1, max_value=600, required=False, allow_null=True)
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text=_("Your own loan id.")
    )
    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.all(), required=False, allow_null=True, help_text=_("Programme id.")
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LoanDecisionWriteSerializer(StrictInputMixin, serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in DECISION_STATUSES],
        help_text=_(
            "applied → approved | rejected; approved → disbursed | rejected; disbursed → repaid | defaulted; "
            "defaulted → repaid | compensated."
        ),
    )
    decided_on = StrictDateField(help_text=_("Not in the future, not before the previous step."))
    amount = MoneyField(
        min_value=Decimal("0.01"),
        required=False,
        allow_null=True,
        help_text=_("CNY; required for an approval."),
    )
    term_months = StrictIntegerField(
        min_value=1, max_value=600, required=False, allow_null=True, help_text=_("Required for an approval.")
    )
    note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required for a rejection."),
    )
