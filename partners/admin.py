"""What staff see and do of the partners: consents, the white list, API keys, the access log, loans."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.models import (
    AccessLogEntry,
    ApiKey,
    BankRecommendation,
    Consent,
    LoanApplication,
    LoanDecision,
)
from partners.services.api_keys import api_key_create, api_key_revoke
from portfolio.admin.base import ScopedAdmin, partner_organisations
from portfolio.admin.filters import IncubatorFilter
from portfolio.admin.mixins import ScopedExportMixin
from portfolio.choices import RecommendationStatus
from portfolio.resources import LoanApplicationResource
from portfolio.selectors.scope import scope_to_incubators, scope_to_user


class ConsentStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("In force")), ("revoked", _("Revoked")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.in_force()
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate_in_force()

    @admin.display(description=_("in force"), boolean=True, ordering="is_in_force")
    def in_force(self, consent: Consent) -> bool:
        return consent.is_in_force

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
        return scope_to_incubators(queryset, user)

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


# --- Partner API: keys, access log, loan applications ------------------------------------------


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("organisation", "name", "expires_at", "rate_per_minute")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """The plain key is shown once, in the message after adding; only its digest is stored."""

    list_display = ["__str__", "organisation", "state_display", "expires_at", "last_used_at", "created_at"]
    list_filter = ["organisation", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation"]
    search_fields = ["name", "prefix", "organisation__name", "organisation__name_en"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    fields = [
        "organisation",
        "name",
        "prefix",
        "expires_at",
        "rate_per_minute",
        "revoked_at",
        "created_by",
        "created_at",
        "last_used_at",
    ]
    actions = ["revoke"]

    @admin.display(description=_("state"))
    def state_display(self, obj: ApiKey) -> str:
        return {"active": _("active"), "revoked": _("revoked"), "expired": _("expired")}[obj.state()]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
            kwargs["fields"] = ApiKeyAddForm.Meta.fields
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return list(ApiKeyAddForm.Meta.fields) if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.readonly_fields, "organisation"]

    def save_model(self, request, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            key, raw = api_key_create(
                organisation=obj.organisation,
                name=obj.name,
                created_by=request.user,
                expires_at=obj.expires_at,
                rate_per_minute=obj.rate_per_minute,
            )
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        obj.pk = key.pk
        obj.prefix, obj.hashed_key, obj.created_at = key.prefix, key.hashed_key, key.created_at
        messages.warning(
            request,
            format_html(
                _("The new API key, shown this once only; copy it now: {}"),
                format_html("<code style='user-select:all'>{}</code>", raw),
            ),
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset) -> None:
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, _("Revoked %(n)d keys.") % {"n": queryset.count()}, messages.SUCCESS)


class AccessLogFirmFilter(admin.SimpleListFilter):
    """Per firm: ?firm=<id> (linked from the firm ids column); shown while a firm is selected."""

    title = _("firm")
    parameter_name = "firm"

    def lookups(self, request, model_admin):
        value = self.value()
        if not value or not value.isdigit():
            return []
        from portfolio.models import Firm

        firm = Firm.objects.filter(pk=int(value)).first()
        return [(value, str(firm) if firm else f"#{value}")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(firms__id=int(value))
        return queryset


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only: who saw which firms through the API, filterable per bank and per firm."""

    list_display = [
        "created_at",
        "organisation",
        "api_key",
        "user",
        "method",
        "path",
        "status_code",
        "firm_links",
    ]
    list_filter = [AccessLogFirmFilter, "organisation", "method", "endpoint"]
    list_select_related = ["organisation", "api_key", "api_key__organisation", "user"]
    search_fields = ["firms__name", "firms__credit_code", "organisation__name", "path"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "organisation",
        "api_key",
        "user",
        "method",
        "endpoint",
        "path",
        "status_code",
        "firm_ids",
    ]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("firms"))
    def firm_links(self, obj: AccessLogEntry):
        ids = obj.firm_ids[:10]
        links = format_html_join(" ", '<a href="?firm={}">{}</a>', ((i, i) for i in ids))
        more = format_html(" … (+{})", len(obj.firm_ids) - 10) if len(obj.firm_ids) > 10 else ""
        return format_html("{}{}", links, more)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, may_have_duplicates

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LoanDecisionInline(admin.TabularInline):
    model = LoanDecision
    extra = 0
    can_delete = False
    fields = ["status", "decided_on", "amount", "term_months", "note", "api_key", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LoanApplication)
class LoanApplicationAdmin(ScopedExportMixin, admin.ModelAdmin):
    """Banks' loan applications (read-only here; the loan itself is the firm's financing event),
    exportable as CSV or XLSX; a staff member sees those of their incubators' firms."""

    resource_classes = [LoanApplicationResource]

    list_display = ["__str__", "bank", "reference", "applied_on", "event_status", "updated_at"]
    list_filter = ["bank", "event__loan_status"]
    list_select_related = ["bank", "event", "event__firm"]
    search_fields = ["reference", "event__firm__name", "bank__name"]
    fields = ["event", "bank", "reference", "applied_on", "requested_amount", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [LoanDecisionInline]

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user, "event__firm")

    @admin.display(description=_("loan status"))
    def event_status(self, obj: LoanApplication) -> str:
        return obj.event.get_loan_status_display()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
