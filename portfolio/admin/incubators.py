"""Incubators, with the staff members who belong to each."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import IncubatorMembership
from figures.admin.torch import TorchReturnAdminMixin
from portfolio.admin.base import ScopedAdmin
from portfolio.models import Incubator
from portfolio.selectors.scope import scope_to_incubators
from portfolio.services.staff_roles import staff_roles_sync_user


class MembershipInline(admin.TabularInline):
    model = IncubatorMembership
    extra = 0
    fields = ["user", "role", "receives_reminders"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Incubator)
class IncubatorAdmin(TorchReturnAdminMixin, ScopedAdmin):
    list_display = ["name", "city", "zone", "kind", "level", "firms_in_residence", "default_limit_months"]
    list_filter = ["city", "kind", "level"]
    search_fields = ["name", "name_en", "city", "zone"]
    autocomplete_fields = ["operator"]
    inlines = [MembershipInline]

    def scope_queryset(self, queryset, user):
        return scope_to_incubators(queryset, user, "")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("operator")
            .annotate(open_residencies=Count("residencies", filter=Q(residencies__exited_on__isnull=True)))
        )

    @admin.display(description=_("firms in residence"), ordering="open_residencies")
    def firms_in_residence(self, incubator: Incubator) -> int:
        return incubator.open_residencies

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is IncubatorMembership:
            users = {m.user for m in formset.new_objects} | {m.user for m, _ in formset.changed_objects}
            users |= {m.user for m in formset.deleted_objects}
            for user in users:
                staff_roles_sync_user(user=user)
