"""Mentors and the services firms receive."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef

from portfolio.admin.base import ScopedAdmin, mentors_for_user
from portfolio.admin.mixins import ScopedExportMixin
from portfolio.models import Mentor, ServiceRecord
from portfolio.resources import ServiceRecordResource
from portfolio.selectors.scope import scope_to_incubators, scope_to_user, user_sees_everything


@admin.register(Mentor)
class MentorAdmin(ScopedAdmin):
    list_display = ["name", "kind", "title", "organisation", "email", "phone"]
    list_filter = ["kind", "incubators"]
    list_select_related = ["organisation"]
    search_fields = ["name", "name_en", "title", "organisation__name"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["incubators"]
    preserve_m2m = ("incubators",)

    def scope_queryset(self, queryset, user):
        if user_sees_everything(user):
            return queryset
        return queryset.filter(pk__in=mentors_for_user(user).values("pk"))


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ScopedExportMixin, ScopedAdmin):
    resource_classes = [ServiceRecordResource]
    list_display = ["topic", "kind", "occurred_on", "incubator", "mentor", "hours"]
    list_filter = ["kind", "incubator"]
    list_select_related = ["incubator", "mentor"]
    search_fields = ["topic", "firms__name", "mentor__name"]
    autocomplete_fields = ["mentor", "firms"]
    date_hierarchy = "occurred_on"
    preserve_m2m = ("firms",)

    def scope_queryset(self, queryset, user):
        # A service of one of the user's incubators, or given to one of their firms.
        if user_sees_everything(user):
            return queryset
        served = ServiceRecord.firms.through.objects.filter(servicerecord_id=OuterRef("pk"))
        own = scope_to_incubators(ServiceRecord.objects.filter(pk=OuterRef("pk")), user)
        return queryset.filter(Exists(own) | Exists(scope_to_user(served, user)))
