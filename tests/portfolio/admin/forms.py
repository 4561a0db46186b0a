"""Build the POST a browser would send from a rendered admin add/change page."""

from __future__ import annotations

from django import forms

# What a NullBooleanSelect posts for yes, no and unknown.
NULL_BOOLEAN = {True: "true", False: "false", None: "unknown"}


def _add_form(data: dict, form) -> None:
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(form.fields[name], forms.NullBooleanField):
            data[key] = NULL_BOOLEAN.get(value, value)
            continue
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value)


def form_data(response, **overrides) -> dict:
    """The values the page shows (its forms, inline forms and management forms), then ``overrides``."""
    context = response.context
    data: dict = {}
    _add_form(data, context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.forms:
            _add_form(data, form)
    data.update(overrides)
    return data


def export_data(response, file_format: int) -> dict:
    """The export form as shown (every column ticked), in format 0 (CSV) or 1 (XLSX)."""
    form = response.context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    data.update({"format": str(file_format), "resource": "0"})
    return data
