"""The list's shortcuts format every value exactly as the DRF field they stand for."""

import datetime
from decimal import Decimal

import pytest
from rest_framework import serializers

from partners.api import serializers as api_serializers
from partners.api.serializers import fast_representation, plain_fields

SAMPLES = [
    True,
    False,
    0,
    1,
    "",
    "granted",
    "not_eligible",
    "none",
    "青岛",
    datetime.date(2024, 2, 29),
    datetime.datetime(2026, 6, 15, 2, 30, 0, 123456, tzinfo=datetime.UTC),
    Decimal("0.00"),
    Decimal("-0.00"),
    Decimal("0.05"),
    Decimal("63.25"),
    Decimal("0.7700"),
    Decimal("12345678901234.56"),
    Decimal("10000000"),
    Decimal("1.5"),
    Decimal("1.005"),
    Decimal("99999999999999999.99"),
    Decimal("NaN"),
    12,
    2.5,
]
SERIALIZERS = [
    api_serializers.FirmSerializer,
    api_serializers.IncubatorBriefSerializer,
    api_serializers.ResidencyBriefSerializer,
    api_serializers.CertificationStatusSerializer,
    api_serializers.FinancingSummarySerializer,
    api_serializers.YearlyFiguresSerializer,
    api_serializers.LadderSummarySerializer,
    api_serializers.TsmeSummarySerializer,
    api_serializers.HnteSummarySerializer,
    api_serializers.HnteConditionsSerializer,
    api_serializers.InnovationScoreSummarySerializer,
]


def outcome(to_representation, value):
    try:
        return "value", to_representation(value)
    except Exception as exc:  # the same failure, if DRF fails
        return "error", type(exc)


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=lambda c: c.__name__)
def test_each_field_formats_as_drf_does(serializer_class):
    fields = serializer_class().fields
    assert plain_fields(serializer_class)
    for name, _key, fast in plain_fields(serializer_class):
        drf = fields[name].to_representation
        for value in SAMPLES:
            if isinstance(fields[name], serializers.DateField) and isinstance(value, datetime.datetime):
                continue  # DRF asserts against it: never in a row
            assert outcome(fast, value) == outcome(drf, value), (serializer_class.__name__, name, value)


def test_the_shortcuts_are_taken():
    for field in (
        serializers.BooleanField(),
        serializers.DateField(),
        serializers.ChoiceField(choices=[("a", "A")]),
        serializers.DecimalField(max_digits=16, decimal_places=2),
    ):
        assert fast_representation(field) != field.to_representation
    moment = serializers.DateTimeField()
    assert fast_representation(moment) == moment.to_representation  # DRF's own: no shortcut
