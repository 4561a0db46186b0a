"""The ladder inputs on the firm page (compact inlines) and in their own lists.

Scoped like every firm-owned record: the inlines narrow their choices with ScopedInlineMixin,
the lists show only the firms of the user's incubators (ScopedAdmin, scope_path "firm").
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portfolio.admin.base import ScopedAdmin, ScopedInlineMixin
from portfolio.admin.filters import IncubatorFilter
from portfolio.models import ComplianceIncident, Distinction, InnovationSelfAssessment
from portfolio.models.ladder_inputs import SELF_ASSESSMENT_MAXIMA

SCORES = list(SELF_ASSESSMENT_MAXIMA)


def record_assessor(request, formset) -> None:
    """The staff member who saves a changed self-assessment is recorded as having assessed it."""
    deleted = set(formset.deleted_forms)
    for form in formset.forms:
        if form.has_changed() and form not in deleted:
            form.instance.assessed_by = request.user


# --- on the firm page -----------------------------------------------------------------------


class DistinctionInline(ScopedInlineMixin, admin.TabularInline):
    model = Distinction
    extra = 0
    fields = ["kind", "level", "year", "awarded_on", "rank", "role", "valid_until", "title"]


class ComplianceIncidentInline(ScopedInlineMixin, admin.TabularInline):
    model = ComplianceIncident
    extra = 0
    fields = ["kind", "occurred_on", "resolved_on", "description"]


class InnovationSelfAssessmentInline(ScopedInlineMixin, admin.TabularInline):
    model = InnovationSelfAssessment
    extra = 0
    fields = ["year", *SCORES, "assessed_by", "note"]
    # Set on save to whoever records the assessment (record_assessor), so no user list to load.
    readonly_fields = ["assessed_by"]

    def get_queryset(self, request):
        # The row title names the firm (__str__), and the readonly column the user.
        return super().get_queryset(request).select_related("firm", "assessed_by")


# --- their own lists ------------------------------------------------------------------------


@admin.register(Distinction)
class DistinctionAdmin(ScopedAdmin):
    list_display = ["firm", "year", "kind", "level", "rank", "role", "valid_until", "title", "origin"]
    list_filter = [IncubatorFilter, "kind", "level", "role", "year", "origin"]
    list_select_related = ["firm"]
    search_fields = ["firm__name", "firm__credit_code", "title"]
    autocomplete_fields = ["firm"]


@admin.register(ComplianceIncident)
class ComplianceIncidentAdmin(ScopedAdmin):
    list_display = ["firm", "kind", "occurred_on", "resolved_on", "origin"]
    list_filter = [IncubatorFilter, "kind", ("resolved_on", admin.EmptyFieldListFilter), "origin"]
    list_select_related = ["firm"]
    search_fields = ["firm__name", "firm__credit_code", "description"]
    autocomplete_fields = ["firm"]
    date_hierarchy = "occurred_on"


@admin.register(InnovationSelfAssessment)
class InnovationSelfAssessmentAdmin(ScopedAdmin):
    list_display = ["firm", "year", "self_assessed_points", "assessed_by", "origin"]
    list_filter = [IncubatorFilter, "year", "origin"]
    list_select_related = ["firm", "assessed_by"]
    search_fields = ["firm__name", "firm__credit_code"]
    autocomplete_fields = ["firm"]
    readonly_fields = ["assessed_by"]

    def save_model(self, request, obj, form, change):
        obj.assessed_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("self-assessed points (of 44)"))
    def self_assessed_points(self, assessment: InnovationSelfAssessment) -> str:
        scores = [getattr(assessment, name) for name in SCORES]
        if all(score is None for score in scores):
            return "-"
        return str(sum(score or 0 for score in scores))
