"""Certification kinds and their obligations, certifications, deadlines and the upcoming page."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portfolio.admin.base import HistoryAdmin, LineEndsMixin, ReadOnlyInline, ScopedAdmin
from portfolio.admin.display import date_with_precision, due_html
from portfolio.admin.filters import (
    CertificationDateToCompleteFilter,
    CertificationDueWindowFilter,
    DeadlineDateToCompleteFilter,
    DeadlineDueWindowFilter,
    DeadlineKindFilter,
    IncubatorFilter,
)
from portfolio.admin.mixins import ScopedExportMixin, ScopedImportExportMixin
from portfolio.choices import DeadlineStatus
from portfolio.models import Certification, CertificationKind, Deadline, Obligation, ObligationWindow
from portfolio.resources import CertificationResource, DeadlineResource
from portfolio.rules.deadlines import days_left
from portfolio.selectors.admin_lists import certification_list_annotate
from portfolio.selectors.deadlines import (
    DEFAULT_UPCOMING_DAYS,
    UPCOMING_WINDOWS,
    deadlines_upcoming_for_user,
)
from portfolio.services.certifications import (
    certification_renew,
    deadline_mark_done,
    kind_queue_deadline_sync,
)

# --- kinds and obligations (shared reference data) ----------------------------------------


def _mark_done(model_admin, request, deadlines) -> None:
    """Mark open deadlines done by the requesting staff member, and say how many."""
    done = 0
    for deadline in deadlines:
        deadline_mark_done(deadline=deadline, user=request.user)
        done += 1
    model_admin.message_user(
        request,
        ngettext("%(n)d deadline marked done.", "%(n)d deadlines marked done.", done) % {"n": done},
        messages.SUCCESS,
    )


class ObligationInline(LineEndsMixin, admin.StackedInline):
    model = Obligation
    extra = 0
    show_change_link = True
    fields = [
        ("code", "is_active"),
        ("name", "name_en"),
        ("schedule", "months_before_expiry", "due_month", "due_day"),
        "instructions",
        "instructions_en",
        "source",
    ]


@admin.register(CertificationKind)
class CertificationKindAdmin(HistoryAdmin):
    list_display = ["name", "name_en", "code", "ladder_rank", "validity_months", "needs_verification"]
    list_filter = ["needs_verification"]
    search_fields = ["name", "name_en", "code"]
    inlines = [ObligationInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(f.has_changed() for f in formsets)):
            _queue_sync(self, request, form.instance.pk)


def _queue_sync(model_admin, request, kind_id: int) -> None:
    """The re-sync runs in a worker once this save commits; say so."""
    kind_queue_deadline_sync(kind_id=kind_id)
    model_admin.message_user(
        request,
        _(
            "The deadlines of this kind's certificates will be brought in line with the changed "
            "rules in the background (re-sync queued)."
        ),
        messages.INFO,
    )


class ObligationWindowInline(admin.TabularInline):
    model = ObligationWindow
    extra = 0
    fields = ["year", "opens_on", "due_on", "source"]


@admin.register(Obligation)
class ObligationAdmin(HistoryAdmin):
    list_display = [
        "name",
        "kind",
        "code",
        "schedule",
        "months_before_expiry",
        "due_month",
        "due_day",
        "is_active",
    ]
    list_filter = ["kind", "schedule", "is_active"]
    list_select_related = ["kind"]
    search_fields = ["name", "name_en", "code"]
    inlines = [ObligationWindowInline]

    def save_related(self, request, form, formsets, change):
        # After the windows are saved too: they move the yearly due dates.
        super().save_related(request, form, formsets, change)
        if not change or form.has_changed() or any(f.has_changed() for f in formsets):
            _queue_sync(self, request, form.instance.kind_id)


# --- certifications -------------------------------------------------------------------------


class DeadlineInline(ReadOnlyInline):
    model = Deadline
    fields = ["obligation", "due", "status", "done_on", "done_by", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("obligation__kind", "done_by").order_by("due_on")

    @admin.display(description=_("due on"))
    def due(self, deadline: Deadline) -> str:
        if deadline.status != DeadlineStatus.OPEN:
            return deadline.due_on.isoformat()
        return due_html(deadline.due_on, precision=deadline.due_precision)


class RenewForm(forms.Form):
    issued_on = forms.DateField(label=_("new issue date"), widget=AdminDateWidget)
    expires_on = forms.DateField(
        label=_("new expiry date"),
        required=False,
        widget=AdminDateWidget,
        help_text=_("Empty: computed from the kind's validity."),
    )
    number = forms.CharField(label=_("new certificate number"), required=False, max_length=100)

    def __init__(self, *args, certification: Certification, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.certification = certification

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and expires and expires <= issued:
            raise ValidationError({"expires_on": _("The expiry date must be after the issue date.")})
        number = data.get("number")
        if number and Certification.objects.filter(kind=self.certification.kind, number=number).exists():
            raise ValidationError(
                {"number": _("A certificate of this kind with this number already exists.")}
            )
        return data


@admin.register(Certification)
class CertificationAdmin(ScopedImportExportMixin, ScopedAdmin):
    resource_classes = [CertificationResource]
    list_display = [
        "firm",
        "kind",
        "status",
        "number",
        "issued",
        "expires",
        "next_deadline",
        "assumed",
        "origin",
    ]
    list_filter = [
        IncubatorFilter,
        "kind",
        "status",
        CertificationDueWindowFilter,
        CertificationDateToCompleteFilter,
        "assumed",
        "origin",
    ]
    list_select_related = ["firm", "kind"]
    search_fields = ["firm__name", "firm__name_en", "firm__credit_code", "number"]
    autocomplete_fields = ["firm"]
    list_per_page = 50
    inlines = [DeadlineInline]
    actions = ["mark_next_deadline_done"]
    fieldsets = [
        (None, {"fields": ["firm", "kind", "status", "number", "issuer"]}),
        (
            _("Dates"),
            {"fields": ["issued_on", "issued_precision", "expires_on", "expires_precision", "assumed"]},
        ),
        (
            _("Source"),
            {"classes": ["collapse"], "fields": ["key", "origin", "source", "source_quote", "notes"]},
        ),
    ]

    def get_queryset(self, request):
        return certification_list_annotate(super().get_queryset(request))

    @admin.display(description=_("issued on"), ordering="issued_on")
    def issued(self, certification: Certification) -> str:
        return date_with_precision(certification.issued_on, certification.issued_precision)

    @admin.display(description=_("expires on"), ordering="expires_on")
    def expires(self, certification: Certification) -> str:
        return date_with_precision(certification.expires_on, certification.expires_precision)

    @admin.display(description=_("next open deadline"), ordering="next_deadline_on")
    def next_deadline(self, certification: Certification) -> str:
        return due_html(certification.next_deadline_on, precision=certification.next_deadline_precision)

    @admin.action(description=_("Mark the next open deadline done"), permissions=["change"])
    def mark_next_deadline_done(self, request, queryset):
        deadlines = [
            Deadline.objects.filter(certification=certification, status=DeadlineStatus.OPEN)
            .order_by("due_on")
            .first()
            for certification in queryset
        ]
        _mark_done(self, request, [d for d in deadlines if d is not None])

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/renew/",
                self.admin_site.admin_view(self.renew_view),
                name="{}_{}_renew".format(*info),
            ),
            *super().get_urls(),
        ]

    def renew_view(self, request, object_id):
        certification = self.get_object(request, unquote(object_id))
        if certification is None:
            raise Http404(_("No certification with this ID in your incubators."))
        if not self.has_change_permission(request, certification) or not self.has_add_permission(request):
            raise PermissionDenied
        form = RenewForm(request.POST or None, certification=certification)
        if request.method == "POST" and form.is_valid():
            renewed = certification_renew(
                certification=certification,
                issued_on=form.cleaned_data["issued_on"],
                expires_on=form.cleaned_data["expires_on"],
                number=form.cleaned_data["number"],
            )
            self.log_addition(request, renewed, [{"added": {}}])
            self.message_user(
                request,
                _("Renewed: the old certificate expired and its open deadlines closed."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:portfolio_certification_change",
                    args=[renewed.pk],
                    current_app=self.admin_site.name,
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Renew %(certification)s") % {"certification": certification},
            "opts": self.opts,
            "original": certification,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/portfolio/certification/renew.html", context)


# --- deadlines ------------------------------------------------------------------------------


@admin.register(Deadline)
class DeadlineAdmin(ScopedExportMixin, ScopedAdmin):
    resource_classes = [DeadlineResource]
    list_display = ["due", "firm", "kind", "obligation", "status", "done_on"]
    list_filter = [
        "status",
        DeadlineDueWindowFilter,
        DeadlineDateToCompleteFilter,
        DeadlineKindFilter,
        IncubatorFilter,
    ]
    list_select_related = ["firm", "certification__kind", "obligation__kind"]
    search_fields = ["firm__name", "firm__name_en", "firm__credit_code", "obligation__name"]
    ordering = ["due_on"]
    list_per_page = 100
    actions = ["mark_done"]
    fields = [
        "firm",
        "certification",
        "obligation",
        "due_on",
        "due_precision",
        "status",
        "done_on",
        "done_by",
        "note",
    ]
    readonly_fields = [name for name in fields if name != "note"]  # only the note is typed by hand

    def has_add_permission(self, request):
        # Deadlines follow from certifications; they are never typed in.
        return False

    def get_list_display(self, request):
        # The link leads to the reminder deliveries; only for those who may open that list.
        if request.user.has_perm("portfolio.view_reminderdelivery"):
            return [*self.list_display, "reminders"]
        return self.list_display

    @admin.display(description=_("reminders"))
    def reminders(self, deadline: Deadline) -> str:
        url = reverse("admin:portfolio_reminderdelivery_changelist", current_app=self.admin_site.name)
        return format_html('<a href="{}?deadline__id__exact={}">{}</a>', url, deadline.pk, _("deliveries"))

    @admin.display(description=_("due on"), ordering="due_on")
    def due(self, deadline: Deadline) -> str:
        if deadline.status != DeadlineStatus.OPEN:
            return deadline.due_on.isoformat()
        return due_html(deadline.due_on, precision=deadline.due_precision)

    @admin.display(description=_("certification kind"), ordering="certification__kind__ladder_rank")
    def kind(self, deadline: Deadline) -> str:
        return str(deadline.certification.kind)

    @admin.action(description=_("Mark done"), permissions=["change"])
    def mark_done(self, request, queryset):
        _mark_done(self, request, queryset.filter(status=DeadlineStatus.OPEN))

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "upcoming/",
                self.admin_site.admin_view(self.upcoming_view),
                name="{}_{}_upcoming".format(*info),
            ),
            *super().get_urls(),
        ]

    def upcoming_view(self, request):
        """Open deadlines of the user's firms for the next N days, overdue first and marked."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days", DEFAULT_UPCOMING_DAYS))
        except ValueError:
            days = DEFAULT_UPCOMING_DAYS
        if days not in UPCOMING_WINDOWS:
            days = DEFAULT_UPCOMING_DAYS
        today = timezone.localdate()
        rows = [
            {
                "deadline": deadline,
                "days_left": days_left(deadline.due_on, today),
                "overdue": deadline.due_on < today,
                "due_html": due_html(deadline.due_on, today, deadline.due_precision),
            }
            for deadline in deadlines_upcoming_for_user(user=request.user, days=days, today=today)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upcoming deadlines"),
            "opts": self.opts,
            "rows": rows,
            "days": days,
            "windows": UPCOMING_WINDOWS,
            "overdue_count": sum(1 for r in rows if r["overdue"]),
            "today": today,
        }
        return TemplateResponse(request, "admin/portfolio/deadline/upcoming.html", context)
