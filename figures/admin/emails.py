"""Admin of the figures emails and the Torch filing reminders: read-only lists, filters by state,
and a re-send action for failed ones (as for the deadline reminders, portfolio/admin/reminders.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from figures import emails  # noqa: F401 - declares both models to the outbox the action re-sends through
from figures.models import FiguresEmail, TorchFilingEmail
from portfolio.admin.base import ReadOnlyMixin
from portfolio.selectors.scope import scope_to_incubators
from portfolio.services.reminders import outbound_resend


class _EmailAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written by the passes and the figures pages only: staff look, filter and re-send."""

    date_hierarchy = "created_at"
    actions = ["resend"]
    incubator_path = "incubator"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_to_incubators(super().get_queryset(request), request.user, self.incubator_path)

    def has_resend_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")

    @admin.display(description=_("last error"))
    def short_error(self, obj) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Re-send the selected failed emails"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        selected = list(queryset.values_list("id", flat=True))
        count = outbound_resend(self.model, selected)
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        skipped = len(selected) - count
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was not re-sent: only failed emails are.",
                    "%(count)d emails were not re-sent: only failed emails are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(FiguresEmail)
class FiguresEmailAdmin(_EmailAdmin):
    incubator_path = "request__incubator"
    list_display = [
        "created_at",
        "request",
        "firm",
        "kind",
        "occasion",
        "email",
        "language",
        "status",
        "attempts",
        "short_error",
        "sent_at",
    ]
    list_filter = [
        "status",
        "kind",
        "language",
        "request__year",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["email", "submission__firm__name", "submission__firm__name_en", "last_error"]
    list_select_related = ["request__incubator", "submission__firm"]
    readonly_fields = [f.name for f in FiguresEmail._meta.fields]

    @admin.display(description=_("firm"), ordering="submission__firm__name")
    def firm(self, obj: FiguresEmail) -> str:
        return str(obj.submission.firm) if obj.submission_id else "—"


@admin.register(TorchFilingEmail)
class TorchFilingEmailAdmin(_EmailAdmin):
    list_display = [
        "created_at",
        "incubator",
        "report_year",
        "closes_on",
        "published",
        "threshold",
        "email",
        "language",
        "status",
        "attempts",
        "short_error",
        "sent_at",
    ]
    list_filter = ["status", "report_year", "threshold", "published", "language"]
    search_fields = ["email", "incubator__name", "incubator__name_en", "last_error"]
    list_select_related = ["incubator"]
    readonly_fields = [f.name for f in TorchFilingEmail._meta.fields]
