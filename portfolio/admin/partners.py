"""Data-sharing consents and the bank white list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portfolio.admin.base import ScopedAdmin, partner_organisations
from portfolio.admin.filters import IncubatorFilter
from portfolio.choices import RecommendationStatus
from portfolio.models import BankRecommendation, Consent
from portfolio.selectors.scope import incubator_ids_for_user, user_sees_everything


class ConsentStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("In force")), ("revoked", _("Revoked")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True, starts_on__lte=today).exclude(ends_on__lt=today)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "ended":
            return queryset.filter(revoked_at__isnull=True, ends_on__lt=today)
        return queryset


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    list_display = ["firm", "organisation", "starts_on", "ends_on", "revoked_at", "in_force"]
    list_filter = [ConsentStateFilter, IncubatorFilter, "organisation"]
    list_select_related = ["firm", "organisation"]
    search_fields = ["firm__name", "firm__credit_code", "organisation__name"]
    autocomplete_fields = ["firm"]
    fields = ["firm", "organisation", "starts_on", "ends_on", "evidence", "revoked_at"]
    readonly_fields = ["revoked_at"]
    actions = ["revoke"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = partner_organisations()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, consent: Consent) -> bool:
        today = timezone.localdate()
        return (
            consent.revoked_at is None
            and consent.starts_on <= today
            and (consent.ends_on is None or consent.ends_on >= today)
        )

    @admin.action(description=_("Revoke the selected consents now"), permissions=["change"])
    def revoke(self, request, queryset):
        now = timezone.now()
        count = 0
        for consent in queryset.filter(revoked_at__isnull=True):
            consent.revoked_at = now
            consent._history_user = request.user
            consent.save(update_fields=["revoked_at", "updated_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d consent revoked.", "%(n)d consents revoked.", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(BankRecommendation)
class BankRecommendationAdmin(ScopedAdmin):
    list_display = ["firm", "bank", "incubator", "recommended_on", "status"]
    list_filter = ["status", "bank", "incubator"]
    list_select_related = ["firm", "bank", "incubator"]
    search_fields = ["firm__name", "firm__credit_code", "bank__name"]
    autocomplete_fields = ["firm"]
    date_hierarchy = "recommended_on"
    actions = ["withdraw"]

    def scope_queryset(self, queryset, user):
        # The white list entries the user's incubators made.
        if user_sees_everything(user):
            return queryset
        return queryset.filter(incubator_id__in=incubator_ids_for_user(user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "bank":
            kwargs["queryset"] = partner_organisations()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Withdraw the selected recommendations"), permissions=["change"])
    def withdraw(self, request, queryset):
        count = 0
        for recommendation in queryset.filter(status=RecommendationStatus.RECOMMENDED):
            recommendation.status = RecommendationStatus.WITHDRAWN
            recommendation._history_user = request.user
            recommendation.save(update_fields=["status", "updated_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d recommendation withdrawn.", "%(n)d recommendations withdrawn.", count)
            % {"n": count},
            messages.SUCCESS,
        )
