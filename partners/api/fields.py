"""Write fields that accept exactly what the published schema describes, and nothing looser.

DRF's own fields parse with Python's lenient parsers: ``date.fromisoformat`` takes
``20250301`` and year 1, ``Decimal`` takes ``1e5`` and full-width digits ``１２``, ``int`` takes
``"１２"``. A client generated from the schema would never send those, so the server refuses
them too; the schema carries the same patterns and bounds.
"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# The earliest date the API takes: before any firm of the PRC portfolio (the founding of the PRC).
MIN_DATE = datetime.date(1949, 10, 1)
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MONEY_PATTERN = r"^[0-9]{1,14}(\.[0-9]{1,2})?$"


@extend_schema_field(
    {
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN,
        "description": "YYYY-MM-DD, from 1949-10-01 on.",
    }
)
class StrictDateField(serializers.DateField):
    default_error_messages = {
        "invalid": _("Enter the date as YYYY-MM-DD."),
        "too_early": _("The date cannot be before %(date)s."),
    }

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN, value):
            self.fail("invalid")
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            self.fail("invalid")
        if day < MIN_DATE:
            raise serializers.ValidationError(
                self.error_messages["too_early"] % {"date": MIN_DATE.isoformat()}
            )
        return day


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": MONEY_PATTERN,
        "description": 'Yuan as a string of ASCII digits with at most two decimals, e.g. "1000000.00".',
    }
)
class MoneyField(serializers.DecimalField):
    """Positive CNY amount sent as a string: ASCII digits, at most two decimals, no exponent."""

    default_error_messages = {"invalid": _('Send the amount as a string of digits, e.g. "1000000.00".')}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(MONEY_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer, as the schema says; never a string ("12", "1e5", full-width "１２") or 12.0."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)
