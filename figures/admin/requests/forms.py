"""The forms of the staff side: opening a request, changing it (and asking more firms), sending an
answer back."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from figures.fields import ALL_FIELDS, grouped
from figures.models import FiguresRequest
from figures.selectors import (
    figures_incubator_firms,
    figures_incubators_for_reviewer,
    figures_residents,
)
from figures.services.requests import (
    due_on_error,
)
from portfolio.models import Firm

# --- the field catalogue as the forms show it ---------------------------------------------------


def field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The askable fields grouped as the founder's page groups them (checkboxes under a heading)."""
    return [(group.label, [(f.name, f.label) for f in fields]) for group, fields in grouped(ALL_FIELDS)]


# --- opening a request ----------------------------------------------------------------------


class RequestOpenForm(forms.Form):
    RESIDENTS, CHOSEN = "residents", "chosen"

    incubator = forms.ModelChoiceField(queryset=None, label=_("incubator"))
    year = forms.IntegerField(
        label=_("fiscal year"), min_value=1949, max_value=2200, help_text=_("The year the figures are for.")
    )
    due_on = forms.DateField(
        label=_("due on"), widget=AdminDateWidget, help_text=_("The day founders are asked to submit by.")
    )
    field_names = forms.MultipleChoiceField(
        label=_("fields asked for"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    firm_scope = forms.ChoiceField(
        label=_("firms asked"),
        widget=forms.RadioSelect,
        choices=[
            (RESIDENTS, _("All firms in residence at the incubator during that year")),
            (CHOSEN, _("Only the firms checked below")),
        ],
        initial=RESIDENTS,
    )
    firms = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("firms"), widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("message to founders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Shown on the founder's page and in the invitation email."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        incubators = figures_incubators_for_reviewer(user)
        self.fields["incubator"].queryset = incubators
        self.fields["firms"].queryset = (
            Firm.objects.filter(residencies__incubator__in=incubators).distinct().order_by("name")
        )
        self.fields["field_names"].choices = field_choices()
        today = timezone.localdate()
        self.fields["year"].initial = today.year - 1
        self.fields["due_on"].initial = today + timezone.timedelta(days=30)
        self.fields["field_names"].initial = list(ALL_FIELDS)
        only = list(incubators[:2])
        if len(only) == 1:
            self.fields["incubator"].initial = only[0]
            self.fields["firms"].initial = list(
                figures_residents(incubator=only[0], year=today.year - 1).values_list("pk", flat=True)
            )

    def request_fields(self) -> list:
        return [self["incubator"], self["year"], self["due_on"]]

    def firm_ids(self) -> list[int]:
        data = self.cleaned_data
        if data["firm_scope"] == self.CHOSEN:
            return [firm.pk for firm in data["firms"]]
        return list(
            figures_residents(incubator=data["incubator"], year=data["year"]).values_list("pk", flat=True)
        )


# --- changing a request, sending an answer back ---------------------------------------------


class RequestChangeForm(forms.ModelForm):
    # Plain choices, read once: the firms of the incubator not asked yet (one query, whatever their number).
    add_firms = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=(),
        required=False,
        label=_("ask more firms"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each firm checked gets its link by email, as when the request was opened."),
    )

    class Meta:
        model = FiguresRequest
        fields = ["due_on", "message", "closed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "add_firms" in self.fields:
            field = self.fields["add_firms"]
            field.choices = list(
                figures_incubator_firms(incubator=self.instance.incubator_id)
                .exclude(figures_submissions__request=self.instance)
                .values_list("pk", "name")
            )
            if not field.choices:
                field.help_text = _("Every firm of the incubator is already part of this request.")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on != self.initial.get("due_on"):
            error = due_on_error(due_on, timezone.localdate())
            if error:
                raise ValidationError(error)
        return due_on

    def clean(self):
        data = super().clean()
        if data.get("add_firms") and data.get("closed"):
            self.add_error("add_firms", _("This request is closed: it takes no more firms."))
        return data


_SERVICE_TO_FORM = {"firm_ids": "firms"}


def errors_for_form(exc: ValidationError) -> ValidationError | dict:
    if hasattr(exc, "error_dict"):
        return {_SERVICE_TO_FORM.get(k, k): v for k, v in exc.error_dict.items()}
    return exc


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("what to correct"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The founder reads this in the email and on their page."),
    )
