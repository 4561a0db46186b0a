"""Admin for reminders: every delivery's state and a re-send action (deadlines: certifications.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portfolio.admin.base import ReadOnlyMixin
from portfolio.models import DigestDelivery, ReminderDelivery
from portfolio.selectors.scope import scope_to_user, user_sees_everything
from portfolio.services.reminders import outbound_resend


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written by the reminder machinery only: staff look, filter and re-send."""


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "firm",
        "obligation",
        "due_on",
        "threshold",
        "email",
        "recipient_kind",
        "language",
        "status",
        "attempts",
        "short_error",
        "sent_at",
    ]
    list_filter = [
        "status",
        "recipient_kind",
        "threshold",
        "language",
        "firm_has_no_contact",
        ("deadline__due_on", admin.DateFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["email", "deadline__firm__name", "deadline__firm__name_en", "last_error"]
    list_select_related = ["deadline__firm", "deadline__obligation"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [f.name for f in ReminderDelivery._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReminderDelivery]:
        return scope_to_user(super().get_queryset(request), request.user, "deadline__firm")

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("portfolio.view_reminderdelivery")

    @admin.display(description=_("firm"), ordering="deadline__firm__name")
    def firm(self, obj: ReminderDelivery) -> str:
        return str(obj.deadline.firm)

    @admin.display(description=_("what is due"), ordering="deadline__obligation__name")
    def obligation(self, obj: ReminderDelivery) -> str:
        return obj.deadline.obligation.name

    @admin.display(description=_("due on"), ordering="deadline__due_on")
    def due_on(self, obj: ReminderDelivery):
        return obj.deadline.due_on

    @admin.display(description=_("last error"))
    def short_error(self, obj: ReminderDelivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Re-send the selected failed emails"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        _resend(self, request, queryset, ReminderDelivery)


def _resend(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, model) -> None:
    selected = list(queryset.values_list("id", "status"))
    count = outbound_resend(model, [pk for pk, _status in selected])
    skipped = len(selected) - count
    model_admin.message_user(
        request,
        ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count) % {"count": count},
        messages.SUCCESS,
    )
    if skipped:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d email was not re-sent: only failed emails of open deadlines are.",
                "%(count)d emails were not re-sent: only failed emails of open deadlines are.",
                skipped,
            )
            % {"count": skipped},
            messages.WARNING,
        )


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["week_of", "user", "email", "language", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "week_of", "language"]
    search_fields = ["email", "user__full_name"]
    list_select_related = ["user"]
    actions = ["resend"]
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DigestDelivery]:
        qs = super().get_queryset(request)
        return qs if user_sees_everything(request.user) else qs.filter(user_id=request.user.pk)

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("portfolio.view_digestdelivery")

    @admin.action(description=_("Re-send the selected failed emails"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        _resend(self, request, queryset, DigestDelivery)
