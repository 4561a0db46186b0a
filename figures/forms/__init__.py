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

Modules: ``inputs`` (parsing what is typed: yuan, counts, choices, text), ``plausibility`` (the
warnings and their rules file).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from figures.fields import FIELDS, Storage, as_text, grouped, ordered
from figures.forms.inputs import form_field, grouped_number
from figures.forms.plausibility import (
    PLAUSIBILITY_PATH,
    FigureWarning,
    PlausibilityRulesError,
    parse_plausibility,
    plausibility_rules,
    plausibility_warnings,
)

if TYPE_CHECKING:
    from portfolio.models import Firm, YearlyFigures

__all__ = [
    "PLAUSIBILITY_PATH",
    "FigureWarning",
    "FiguresForm",
    "PlausibilityRulesError",
    "SubmitterForm",
    "grouped_number",
    "parse_plausibility",
    "plausibility_rules",
]

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
