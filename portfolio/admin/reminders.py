"""Admin for reminders: every delivery's state, a re-send action, and open deadlines by urgency."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portfolio.models import DigestDelivery, OpenDeadline, ReminderDelivery
from portfolio.selectors.scope import scope_to_user, user_sees_everything
from portfolio.services.reminders import days_left, outbound_resend


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the reminder machinery only: staff look, filter and re-send."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


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


class UrgencyFilter(admin.SimpleListFilter):
    title = _("urgency")
    parameter_name = "urgency"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("30", _("Due within 30 days")), ("90", _("Due within 90 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(due_on__lt=today)
        if self.value() in {"30", "90"}:
            return queryset.filter(
                due_on__gte=today, due_on__lte=today + timezone.timedelta(days=int(self.value()))
            )
        return queryset


@admin.register(OpenDeadline)
class OpenDeadlineAdmin(ReadOnlyAdmin):
    """Open deadlines, soonest (and so overdue) first, with what the reminders did about them."""

    list_display = ["due_on", "days_left", "firm", "certification_kind", "obligation_name", "reminders"]
    list_filter = [UrgencyFilter, "certification__kind"]
    search_fields = ["firm__name", "firm__name_en"]
    list_select_related = ["firm", "obligation", "certification__kind"]
    ordering = ["due_on", "id"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OpenDeadline]:
        return scope_to_user(super().get_queryset(request), request.user, "firm")

    @admin.display(description=_("days left"), ordering="due_on")
    def days_left(self, obj: OpenDeadline) -> str:
        left = days_left(obj.due_on, timezone.localdate())
        if left < 0:
            return format_html(
                '<strong style="color: #b00020;">{}</strong>', _("%(days)d days overdue") % {"days": -left}
            )
        return str(left)

    @admin.display(description=_("certification"), ordering="certification__kind__name")
    def certification_kind(self, obj: OpenDeadline) -> str:
        return obj.certification.kind.name

    @admin.display(description=_("what is due"), ordering="obligation__name")
    def obligation_name(self, obj: OpenDeadline) -> str:
        return obj.obligation.name

    @admin.display(description=_("reminders"))
    def reminders(self, obj: OpenDeadline) -> str:
        url = f"../reminderdelivery/?deadline__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("deliveries"))
