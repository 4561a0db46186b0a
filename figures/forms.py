"""The figures form: one request's fields, cleaned to what can be written as it is.

``FiguresForm(field_names, previous=..., firm=..., current=..., data=...)``: ``cleaned_data``
holds Decimal yuan, int counts, choice codes, True/False/None for yes-no, and stripped text.
Errors are the hard limits, each named on its field: the database's own constraints on
``YearlyFigures`` (amounts not negative except net profit, at most 2 decimals and 14 digits,
counts whole and not negative, R&D in China within R&D, tech staff and every staff subgroup
within employees, doctorates within the college-educated) and the few more no real set of
accounts breaks (R&D within total cost, high-tech revenue within revenue). A limit between a
field the form holds and one it does not is checked against ``current`` (the stored figures of
the request's year), so nothing the form accepts is refused when it is written.

``.warnings`` (after ``is_valid()``) are plausibility checks from figures/rules/plausibility.yaml,
our own thresholds: they never block a submission the founder has confirmed.
"""

from __future__ import annotations

import decimal
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from figures.fields import FIELDS, Field, Kind, Storage, as_text, grouped, ordered

if TYPE_CHECKING:
    from portfolio.models import Firm, YearlyFigures

PLAUSIBILITY_PATH = Path(__file__).resolve().parent / "rules" / "plausibility.yaml"

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

# Hard limits between two fields: (part, whole, message). The message names the whole's value.
LIMITS: tuple[tuple[str, str, Any], ...] = (
    ("rd_expense", "total_cost", _("R&D expense cannot be more than total costs and expenses (%(whole)s).")),
    (
        "rd_expense_domestic",
        "rd_expense",
        _("R&D expense in China cannot be more than R&D expense (%(whole)s)."),
    ),
    ("high_tech_revenue", "revenue", _("High-tech revenue cannot be more than sales revenue (%(whole)s).")),
    ("rd_staff", "employees", _("Technology staff cannot be more than employees (%(whole)s).")),
    *(
        (name, "employees", _("This group of staff cannot be more than employees (%(whole)s)."))
        for name in (
            "staff_college",
            "staff_phd",
            "staff_returnees",
            "staff_talent_plan",
            "staff_fresh_graduates",
        )
    ),
    (
        "staff_phd",
        "staff_college",
        _("Staff with a doctorate are counted among the college-educated (%(whole)s)."),
    ),
)

WARNING_MESSAGES = {
    "much_higher": _(
        "More than %(ratio)s times last year's figure (%(previous)s). "
        "Check that it is in yuan and for the whole year."
    ),
    "much_lower": _(
        "Less than %(ratio)s times last year's figure (%(previous)s). "
        "Check that it is in yuan, not 万元, and for the whole year."
    ),
    "unchanged": _("Exactly last year's figure (%(previous)s): check that you updated it."),
    "small_amount": _("Under %(below)s yuan. If you meant 万元, enter the amount in yuan (1.2万 is 12000)."),
    "granted_over_applied": _(
        "More IP granted (%(value)s) than applied for this year (%(over)s). "
        "That is possible when earlier applications were granted; please check."
    ),
    "held_over_valid": _(
        "Invention patents, software copyrights, plant varieties and IC layouts together (%(value)s) "
        "are more than all valid IP held (%(over)s)."
    ),
    "profit_over_revenue": _("Net profit (%(value)s) is more than sales revenue (%(over)s); please check."),
    "class1_over_valid": _(
        "Class I and class II IP together (%(value)s) are more than all valid IP held (%(over)s)."
    ),
}


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
            choices=[("", "—"), *spec.choices], error_messages={"required": CHOOSE_ONE}, **common
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


@dataclass(frozen=True)
class FigureWarning:
    field: str
    code: str
    message: str


class FiguresForm(forms.Form):
    """The fields ``field_names`` (catalogue order; unknown names ignored), all required unless
    ``require_all`` is False. ``previous``: last year's YearlyFigures (plausibility); ``current``:
    the request year's stored YearlyFigures, if any (limits against fields not in the form);
    ``firm``: the firm (its stored facts, for the page)."""

    def __init__(
        self,
        field_names: Any,
        *,
        previous: YearlyFigures | None = None,
        firm: Firm | None = None,
        current: YearlyFigures | None = None,
        data: Any = None,
        initial: dict[str, Any] | None = None,
        require_all: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(data=data, initial=initial, **kwargs)
        self.field_names = ordered(field_names)
        self.previous, self.firm, self.current = previous, firm, current
        self.warnings: list[FigureWarning] = []
        for name in self.field_names:
            self.fields[name] = form_field(FIELDS[name], required=require_all)

    # --- validation ---------------------------------------------------------------------------
    def _value(self, name: str) -> Any:
        """The form's clean value of a field it holds, else the stored one of the year."""
        if name in self.fields:
            return self.cleaned_data.get(name)
        if FIELDS.get(name) is not None and FIELDS[name].storage is Storage.YEAR:
            return getattr(self.current, name, None)
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for part, whole, message in LIMITS:
            if part not in self.fields and whole not in self.fields:
                continue
            part_value, whole_value = self._value(part), self._value(whole)
            if part_value is None or whole_value is None or part_value <= whole_value:
                continue
            target = part if part in self.fields else whole
            if target in self.errors:
                continue
            self.add_error(
                target, ValidationError(message, code="limit", params={"whole": grouped_number(whole_value)})
            )
        self.warnings = plausibility_warnings(self)
        return cleaned

    # --- reading ------------------------------------------------------------------------------
    def values_as_text(self) -> dict[str, str]:
        """The cleaned values as the text a submission keeps (call after is_valid())."""
        return {name: as_text(self.cleaned_data.get(name)) for name in self.field_names}

    def warnings_key(self) -> str:
        """A short digest of the warnings shown: a confirmation is for exactly these."""
        text = "|".join(sorted(f"{w.field}:{w.code}" for w in self.warnings))
        return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""

    def sections(self) -> list[tuple[Any, list[dict[str, Any]]]]:
        """For the page: each group with its fields, their bound fields and warnings."""
        by_field: dict[str, list[FigureWarning]] = {}
        for warning in self.warnings:
            by_field.setdefault(warning.field, []).append(warning)
        return [
            (
                group,
                [{"spec": f, "field": self[f.name], "warnings": by_field.get(f.name, [])} for f in fields],
            )
            for group, fields in grouped(self.field_names)
        ]


# --- plausibility ---------------------------------------------------------------------------


class PlausibilityRulesError(ValueError):
    pass


@dataclass(frozen=True)
class PlausibilityRules:
    version: str
    source: str
    max_ratio: decimal.Decimal
    min_ratio: decimal.Decimal
    change_fields: dict[str, decimal.Decimal]
    unchanged: tuple[str, ...]
    small_below: decimal.Decimal
    small_fields: tuple[str, ...]
    larger_than: tuple[tuple[str, tuple[str, ...], str], ...]


def _decimal(data: Any, where: str) -> decimal.Decimal:
    try:
        return decimal.Decimal(str(data))
    except decimal.InvalidOperation:
        raise PlausibilityRulesError(f"plausibility.yaml {where}: not a number: {data!r}") from None


def _known(names: Any, where: str) -> tuple[str, ...]:
    if not isinstance(names, list) or any(name not in FIELDS for name in names):
        raise PlausibilityRulesError(f"plausibility.yaml {where}: unknown field in {names!r}")
    return tuple(names)


def parse_plausibility(data: Any) -> PlausibilityRules:
    """The rules from the file's data; one-line errors naming the place."""
    if not isinstance(data, dict):
        raise PlausibilityRulesError("plausibility.yaml: not a mapping")
    try:
        change = data["change_from_last_year"]
        larger = []
        for index, item in enumerate(data["larger_than"]):
            if item["code"] not in WARNING_MESSAGES:
                raise PlausibilityRulesError(
                    f"plausibility.yaml larger_than[{index}]: no message for {item['code']!r}"
                )
            larger.append(
                (item["code"], _known(item["sum"], f"larger_than[{index}]"), _known([item["over"]], "")[0])
            )
        return PlausibilityRules(
            version=str(data["version"]),
            source=str(data["source"]),
            max_ratio=_decimal(change["max_ratio"], "max_ratio"),
            min_ratio=_decimal(change["min_ratio"], "min_ratio"),
            change_fields={
                name: _decimal(change["fields"][name], f"change_from_last_year.{name}")
                for name in _known(list(change["fields"]), "change_from_last_year.fields")
            },
            unchanged=_known(data["unchanged_from_last_year"], "unchanged_from_last_year"),
            small_below=_decimal(data["small_amount"]["below"], "small_amount.below"),
            small_fields=_known(data["small_amount"]["fields"], "small_amount.fields"),
            larger_than=tuple(larger),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise PlausibilityRulesError(f"plausibility.yaml: missing or malformed {error}") from None


@lru_cache(maxsize=1)
def plausibility_rules() -> PlausibilityRules:
    with PLAUSIBILITY_PATH.open(encoding="utf-8") as handle:
        return parse_plausibility(yaml.safe_load(handle))


def plausibility_warnings(form: FiguresForm) -> list[FigureWarning]:
    """The warnings on the form's clean fields, in catalogue order of the warned field."""
    rules = plausibility_rules()
    clean = {name: form.cleaned_data.get(name) for name in form.field_names if name not in form.errors}
    found: list[FigureWarning] = []

    def warn(name: str, code: str, **params: Any) -> None:
        found.append(FigureWarning(name, code, gettext(WARNING_MESSAGES[code]) % params))

    for name, value in clean.items():
        if value is None or isinstance(value, bool) or not isinstance(value, int | decimal.Decimal):
            continue
        before = getattr(form.previous, name, None)
        if before is not None and name in rules.change_fields and before >= rules.change_fields[name] > 0:
            if value > before * rules.max_ratio:
                warn(
                    name,
                    "much_higher",
                    ratio=grouped_number(rules.max_ratio),
                    previous=grouped_number(before),
                )
            elif value < before * rules.min_ratio:
                warn(
                    name, "much_lower", ratio=grouped_number(rules.min_ratio), previous=grouped_number(before)
                )
        if before is not None and name in rules.unchanged and before != 0 and value == before:
            warn(name, "unchanged", previous=grouped_number(before))
        if name in rules.small_fields and 0 < value < rules.small_below:
            warn(name, "small_amount", below=grouped_number(rules.small_below))
    for code, parts, over in rules.larger_than:
        if not any(part in clean for part in parts) and over not in clean:
            continue
        values = [form._value(part) for part in parts]
        total = form._value(over)
        if total is None or any(v is None for v in values) or over in form.errors:
            continue
        if any(part in form.errors for part in parts):
            continue
        if sum(values) > total:
            target = next((part for part in parts if part in clean), over)
            warn(target, code, value=grouped_number(sum(values)), over=grouped_number(total))
    order = {name: index for index, name in enumerate(form.field_names)}
    return sorted(found, key=lambda w: order.get(w.field, len(order)))


class SubmitterForm(forms.Form):
    """Who submits (kept as the submission's ``submitted_by``): a name, and an email if given."""

    submitter_name = forms.CharField(label=_("Your name"), max_length=80)
    submitter_email = forms.EmailField(
        label=_("Your email"),
        max_length=100,
        required=False,
        help_text=_("Optional: where we can reach you."),
    )

    def submitted_by(self) -> str:
        name, email = self.cleaned_data["submitter_name"], self.cleaned_data.get("submitter_email")
        return f"{name} <{email}>" if email else name
