"""The inputs of the figures form: amounts in yuan, counts, choices, yes-no and text, each parsed
from what a founder types, with messages that say what to type instead."""

from __future__ import annotations

import decimal
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from figures.fields import Field, Kind, as_text

# The database's columns: DecimalField(max_digits=16, decimal_places=2), PositiveIntegerField.
MAX_INTEGER_DIGITS = 14
MAX_DECIMALS = 2
MAX_COUNT = 2_147_483_647
MAX_INPUT_LENGTH = 40

# Units a founder may type after a number instead of writing the yuan out.
_UNIT_WORDS = re.compile(r"[万亿千百wWkKmM]|万元|百万|千万")
# Full-width digits, letters and punctuation, the ideographic space and full stop.
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e\u3000\u3002\uffe5]")
_NUMBER = re.compile(r"^(?P<sign>[-+]?)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?$")

NOT_YUAN = _("Enter the amount in yuan, not in 万 or other units: for 1.2万 enter 12000.")
FULL_WIDTH = _("Use ordinary digits (0-9) and enter the amount in yuan, e.g. 12000.")
NOT_A_NUMBER = _("Enter a number in yuan, e.g. 12000 or 12000.50.")
TOO_MANY_DECIMALS = _("At most 2 decimal places (fen).")
TOO_LARGE = _("This number is too large.")
NOT_NEGATIVE = _("This cannot be negative.")
ENTER_NUMBER = _("Enter a number; enter 0 if there is none.")
COUNT_FULL_WIDTH = _("Use ordinary digits (0-9), e.g. 12.")
NOT_WHOLE = _("Enter a whole number, e.g. 12.")
CHOOSE_ONE = _("Choose one.")


def grouped_number(value: Any) -> str:
    """12000 -> '12,000', Decimal('1234.50') -> '1,234.5': as founders write numbers here."""
    text = as_text(value)
    if not text or not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return text
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _dot, fraction = text.partition(".")
    return sign + f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def _as_input(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text.strip()


class YuanField(forms.Field):
    """An amount in yuan: '1200000', '1,200,000', '-350000.5', '12000元'; never '1.2万' or '１２'."""

    def __init__(self, *, signed: bool = False, **kwargs: Any) -> None:
        self.signed = signed
        kwargs.setdefault("error_messages", {"required": ENTER_NUMBER})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> decimal.Decimal | None:
        if value in self.empty_values:
            return None
        text = _as_input(value)
        if not text:
            return None
        if len(text) > MAX_INPUT_LENGTH:
            raise ValidationError(TOO_LARGE, code="too_large")
        if _FULL_WIDTH.search(text):
            raise ValidationError(FULL_WIDTH, code="full_width")
        text = text.removeprefix("¥").removesuffix("元").strip()
        if _UNIT_WORDS.search(text):
            raise ValidationError(NOT_YUAN, code="not_yuan")
        match = _NUMBER.match(text)
        if match is None:
            raise ValidationError(NOT_A_NUMBER, code="invalid")
        whole = match["whole"].replace(",", "").lstrip("0") or "0"
        fraction = match["fraction"] or ""
        if len(fraction.rstrip("0")) > MAX_DECIMALS:
            raise ValidationError(TOO_MANY_DECIMALS, code="decimals")
        if len(whole) > MAX_INTEGER_DIGITS:
            raise ValidationError(TOO_LARGE, code="too_large")
        amount = decimal.Decimal(f"{match['sign']}{whole}.{fraction or '0'}").quantize(
            decimal.Decimal("0.01")
        )
        if amount < 0 and not self.signed:
            raise ValidationError(NOT_NEGATIVE, code="negative")
        return amount + 0  # -0.00 -> 0.00


class CountField(forms.Field):
    """A whole number of people or items, not negative: '12', '1,200'."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"required": ENTER_NUMBER})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = _as_input(value)
        if not text:
            return None
        if len(text) > MAX_INPUT_LENGTH:
            raise ValidationError(TOO_LARGE, code="too_large")
        if _FULL_WIDTH.search(text):
            raise ValidationError(COUNT_FULL_WIDTH, code="full_width")
        match = _NUMBER.match(text)
        if match is None or (match["fraction"] or "").strip("0"):
            raise ValidationError(NOT_WHOLE, code="invalid")
        number = int(match["whole"].replace(",", ""))
        if match["sign"] == "-" and number:
            raise ValidationError(NOT_NEGATIVE, code="negative")
        if number > MAX_COUNT:
            raise ValidationError(TOO_LARGE, code="too_large")
        return number


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


_TEXT_VALIDATORS = {
    "nbs_industry_code": RegexValidator(
        r"^[A-Z]?\d{2,4}$",
        _("Enter the code as a letter and two to four digits (e.g. I6510), or the digits alone."),
    ),
    "phone": RegexValidator(
        r"^\+?[0-9][0-9 ()\-]{4,38}$",
        _("Enter a phone number in ordinary digits, e.g. 0532-88886666 or 13800000000."),
    ),
}


class UpperCharField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return super().to_python(value).upper()


def form_field(spec: Field, *, required: bool) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "help_text": spec.help, "required": required}
    if spec.kind is Kind.AMOUNT:
        return YuanField(signed=spec.signed, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if spec.kind is Kind.COUNT:
        return CountField(widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
    if spec.kind is Kind.CHOICE:
        return forms.ChoiceField(
            choices=spec.choices, widget=forms.RadioSelect, error_messages={"required": CHOOSE_ONE}, **common
        )
    if spec.kind is Kind.YES_NO:
        return forms.TypedChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=_yes_no,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": CHOOSE_ONE},
            **common,
        )
    field_class = UpperCharField if spec.name == "nbs_industry_code" else forms.CharField
    validators = [_TEXT_VALIDATORS[spec.name]] if spec.name in _TEXT_VALIDATORS else []
    return field_class(max_length=spec.max_length, validators=validators, **common)
