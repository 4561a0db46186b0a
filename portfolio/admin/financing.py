"""Financing events with their participants, and the programmes firms draw on."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portfolio.admin.base import HistoryAdmin, ScopedAdmin, ScopedInlineMixin
from portfolio.admin.filters import IncubatorFilter
from portfolio.models import FinancingEvent, FinancingParticipant, Programme


class FinancingParticipantInline(ScopedInlineMixin, admin.TabularInline):
    model = FinancingParticipant
    extra = 0
    fields = ["organisation", "role"]
    autocomplete_fields = ["organisation"]


@admin.register(FinancingEvent)
class FinancingEventAdmin(ScopedAdmin):
    list_display = [
        "firm",
        "kind",
        "instrument",
        "amount",
        "currency",
        "occurred_on",
        "programme",
        "loan_status",
        "origin",
    ]
    list_filter = [IncubatorFilter, "kind", "instrument", "loan_status", "programme", "origin"]
    list_select_related = ["firm", "programme"]
    search_fields = ["firm__name", "firm__name_en", "firm__credit_code", "programme__name"]
    autocomplete_fields = ["firm", "programme", "recorded_by"]
    date_hierarchy = "occurred_on"
    inlines = [FinancingParticipantInline]
    fieldsets = [
        (None, {"fields": ["firm", "kind", "instrument", "programme"]}),
        (
            _("Amount and date"),
            {"fields": ["amount", "currency", "amount_precision", "occurred_on", "date_precision"]},
        ),
        (
            _("Loans"),
            {"fields": ["term_months", "loan_status", "risk_share_percent", "decision_note", "recorded_by"]},
        ),
        (
            _("Source"),
            {"classes": ["collapse"], "fields": ["key", "origin", "source", "source_quote", "notes"]},
        ),
    ]


@admin.register(Programme)
class ProgrammeAdmin(HistoryAdmin):
    list_display = ["name", "kind", "city", "fund_size", "cap_per_firm", "risk_share_percent"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "name_en"]
    filter_horizontal = ["operators"]
