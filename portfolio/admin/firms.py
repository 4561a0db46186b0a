"""The firm page (everything about a firm at once) and the firm-owned records' own lists."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ladder.admin_views import panel_context, who_can_apply_view
from ladder.checks import entry_age_problem
from partners.models import BankRecommendation, Consent
from portfolio.admin.base import ReadOnlyInline, ScopedAdmin, ScopedInlineMixin
from portfolio.admin.dashboard import LadderStageFilter
from portfolio.admin.display import due_html, incubation_clock_html
from portfolio.admin.dossier import dossier_view
from portfolio.admin.filters import (
    CertificationKindFilter,
    CertificationStatusFilter,
    DueWindowFilter,
    FirmIncubatorFilter,
    IncubatorFilter,
)
from portfolio.admin.ladder_inputs import (
    ComplianceIncidentInline,
    DistinctionInline,
    InnovationSelfAssessmentInline,
    record_assessor,
)
from portfolio.admin.mixins import ScopedImportExportMixin
from portfolio.choices import DeadlineStatus
from portfolio.models import (
    Certification,
    Contact,
    Deadline,
    FinancingEvent,
    Firm,
    FirmAlias,
    Incubator,
    InnovationSelfAssessment,
    Milestone,
    Residency,
    ServiceRecord,
    YearlyFigures,
)
from portfolio.models.certifications import in_current_language
from portfolio.resources import FirmResource, YearlyFiguresResource
from portfolio.selectors.admin_lists import certification_list_annotate, firm_list_annotate
from portfolio.selectors.scope import incubators_for_user, scope_to_incubators, user_sees_everything
from portfolio.services.imports import firm_admit

# --- inlines -------------------------------------------------------------------------------


class FirmAliasInline(ScopedInlineMixin, admin.TabularInline):
    model = FirmAlias
    extra = 0
    fields = ["name", "source", "note"]


class ContactInline(ScopedInlineMixin, admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "email", "phone", "preferred_language", "receives_reminders"]


def check_entry_age(form: forms.BaseForm, founded_on, entered_on, *, reason_field: str = "entry_age_reason"):
    """A firm older than the entry age needs a reason to be admitted (new or re-dated stays only:
    an old record is not reopened for review every time the firm page is saved)."""
    is_new = form.instance.pk is None if isinstance(form, forms.ModelForm) else True
    if not (is_new or "entered_on" in form.changed_data) or form.cleaned_data.get(reason_field, "").strip():
        return
    problem = entry_age_problem(founded_on, entered_on)
    if problem:
        form.add_error(reason_field, problem)


class ResidencyFormSet(forms.BaseInlineFormSet):
    """Two open stays in one incubator in the same submit: a form error, not a database error.
    A stay that breaks the entry-age rule asks for the reason."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if data and not data.get("DELETE") and form.has_changed():
                check_entry_age(form, self.instance.founded_on, data.get("entered_on"))
            if not data or data.get("DELETE") or data.get("exited_on") or not data.get("incubator"):
                continue
            if data["incubator"].pk in seen:
                raise ValidationError(_("This firm already has an open residency in this incubator."))
            seen.add(data["incubator"].pk)


class ResidencyInline(ScopedInlineMixin, admin.StackedInline):
    """Stacked, in rows of related fields: its ten columns made the firm page twice the window's
    width as a table (a firm has one or two stays, so the height costs little)."""

    model = Residency
    formset = ResidencyFormSet
    extra = 0
    fields = [
        "incubator",
        ("entered_on", "entered_precision"),
        "entry_age_reason",
        ("exited_on", "exit_reason"),
        ("limit_months", "incubation_clock"),
        ("space_m2", "liaison"),
    ]
    readonly_fields = ["incubation_clock"]

    def get_queryset(self, request):
        # Only the stays in the user's own incubators: another incubator's is its business.
        return scope_to_incubators(super().get_queryset(request).select_related("incubator"), request.user)

    @admin.display(description=_("incubation clock"))
    def incubation_clock(self, residency: Residency) -> str:
        if residency.pk is None:
            return "-"
        return incubation_clock_html(residency.months_in(), residency.months_left(), residency.limit_months)


class CertificationInline(ScopedInlineMixin, admin.TabularInline):
    model = Certification
    extra = 0
    show_change_link = True
    fields = ["kind", "status", "number", "issued_on", "expires_on", "issuer", "assumed", "next_deadline"]
    readonly_fields = ["next_deadline"]

    def get_queryset(self, request):
        return certification_list_annotate(super().get_queryset(request).select_related("kind"))

    @admin.display(description=_("next open deadline"))
    def next_deadline(self, certification: Certification) -> str:
        return due_html(
            getattr(certification, "next_deadline_on", None),
            precision=getattr(certification, "next_deadline_precision", None),
        )


class FinancingEventInline(ScopedInlineMixin, admin.TabularInline):
    model = FinancingEvent
    extra = 0
    show_change_link = True
    fields = [
        "kind",
        "instrument",
        "amount",
        "currency",
        "amount_precision",
        "occurred_on",
        "programme",
        "who",
    ]
    readonly_fields = ["who"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("programme")
            .prefetch_related("participants__organisation")
        )

    @admin.display(description=_("participants"))
    def who(self, event: FinancingEvent) -> str:
        if event.pk is None:
            return "-"
        return ", ".join(str(p) for p in event.participants.all()) or "-"


class YearlyFiguresInline(ScopedInlineMixin, admin.TabularInline):
    model = YearlyFigures
    extra = 0
    fields = ["year", *YearlyFigures.FIGURES, *YearlyFigures.LADDER_FIGURES]

    def get_queryset(self, request):
        # The row title names the firm (__str__): one join, not a query per year.
        return super().get_queryset(request).select_related("firm")


class MilestoneInline(ScopedInlineMixin, admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["occurred_on", "date_precision", "title", "title_en", "source"]


class OpenDeadlineInline(ReadOnlyInline):
    model = Deadline
    verbose_name = _("open deadline")
    verbose_name_plural = _("open deadlines")
    fields = ["due", "obligation", "certification"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(status=DeadlineStatus.OPEN)
            .select_related("obligation__kind", "certification__kind", "certification__firm")
            .order_by("due_on")
        )

    @admin.display(description=_("due on"))
    def due(self, deadline: Deadline) -> str:
        return due_html(deadline.due_on, precision=deadline.due_precision)


class ServiceInline(ReadOnlyInline):
    model = ServiceRecord.firms.through
    verbose_name = _("service received")
    verbose_name_plural = _("services received")
    fields = ["date", "kind", "topic", "mentor"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("servicerecord__mentor")
            .order_by("-servicerecord__occurred_on")
        )

    @admin.display(description=_("date"))
    def date(self, link) -> str:
        return link.servicerecord.occurred_on or "-"

    @admin.display(description=_("kind"))
    def kind(self, link) -> str:
        return link.servicerecord.get_kind_display()

    @admin.display(description=_("topic"))
    def topic(self, link) -> str:
        return link.servicerecord.topic

    @admin.display(description=_("mentor"))
    def mentor(self, link) -> str:
        return str(link.servicerecord.mentor or "-")


class ConsentInline(ScopedInlineMixin, admin.TabularInline):
    model = Consent
    extra = 0
    fields = ["organisation", "starts_on", "ends_on", "revoked_at", "evidence"]
    readonly_fields = ["revoked_at"]
    autocomplete_fields = ["organisation"]


class BankRecommendationInline(ScopedInlineMixin, admin.TabularInline):
    model = BankRecommendation
    extra = 0
    fields = ["bank", "incubator", "recommended_on", "status", "reason"]
    autocomplete_fields = ["bank"]


# --- the firm -----------------------------------------------------------------------------


class FirmAddForm(forms.ModelForm):
    """The add form asks where the firm is admitted, so it lands in the staff member's scope."""

    incubator = forms.ModelChoiceField(
        label=_("admitted to incubator"),
        queryset=Incubator.objects.none(),
        required=False,
        help_text=_("The new firm gets an open residency there."),
    )
    entered_on = forms.DateField(
        label=_("entered on"), required=False, widget=AdminDateWidget, help_text=_("Empty: today.")
    )
    entry_age_reason = forms.CharField(
        label=_("reason for admitting an older firm"),
        required=False,
        max_length=300,
        help_text=_("Only when the firm was more than 24 months old on entry (国科发区〔2018〕300号)."),
    )

    class Meta:
        model = Firm
        fields = ["name"]

    def clean(self):
        data = super().clean()
        if data.get("incubator") is not None:
            entered_on = data.get("entered_on") or timezone.localdate()
            check_entry_age(self, data.get("founded_on"), entered_on)
        return data


@admin.register(Firm)
class FirmAdmin(ScopedImportExportMixin, ScopedAdmin):
    scope_path = ""
    resource_classes = [FirmResource]
    list_display = [
        "name",
        "credit_code",
        "industry",
        "incubator",
        "top_certification",
        "next_deadline",
        "dossier",
    ]
    list_filter = [
        FirmIncubatorFilter,
        LadderStageFilter,
        CertificationKindFilter,
        CertificationStatusFilter,
        DueWindowFilter,
        "industry",
        "origin",
    ]
    search_fields = ["name", "name_en", "credit_code", "aliases__name"]
    search_help_text = _("Any name (Chinese, English, other names) or the credit code.")
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["name", "name_en", "credit_code", "founded_on", "founded_precision"]}),
        (_("Industry"), {"fields": ["industry", "industry_detail", "website"]}),
        (
            _("Ladder inputs"),
            {
                "fields": [
                    "resident_enterprise",
                    "audited_taxation",
                    "industry_allowed",
                    "high_tech_field_confirmed",
                    "core_ip",
                    ("market_status", "market_status_since"),
                ],
                "description": _(
                    "What the tech-SME, high-tech enterprise and graduation rules read about the firm "
                    "itself; its yearly figures, distinctions, incidents and self-assessments are below."
                ),
            },
        ),
        (
            _("Torch statistics return"),
            {
                "classes": ["collapse"],
                "fields": [
                    ("registration_type", "nbs_industry_code"),
                    ("taxpayer_type", "registered_capital"),
                    ("founder_profile", "founder_sex", "serial_founder"),
                ],
                "description": _(
                    "Facts of the firm the yearly Torch return asks for (RULES.md section 4); the "
                    "year's figures are on its yearly figures."
                ),
            },
        ),
        (
            _("Source"),
            {"classes": ["collapse"], "fields": ["key", "origin", "source", "source_quote", "notes"]},
        ),
    ]
    inlines = [
        FirmAliasInline,
        ContactInline,
        ResidencyInline,
        CertificationInline,
        OpenDeadlineInline,
        FinancingEventInline,
        YearlyFiguresInline,
        DistinctionInline,
        ComplianceIncidentInline,
        InnovationSelfAssessmentInline,
        MilestoneInline,
        ServiceInline,
        ConsentInline,
        BankRecommendationInline,
    ]

    def get_queryset(self, request):
        return firm_list_annotate(super().get_queryset(request), user=request.user)

    def get_urls(self):
        return [
            path(
                "ladder/",
                self.admin_site.admin_view(self.who_can_apply_view),
                name="portfolio_firm_ladder",
            ),
            path(
                "<path:object_id>/dossier/",
                self.admin_site.admin_view(self.dossier_view),
                name="portfolio_firm_dossier",
            ),
            *super().get_urls(),
        ]

    def who_can_apply_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return who_can_apply_view(self, request)

    def dossier_view(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return dossier_view(self, request, object_id)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["ladder"] = panel_context(obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            fieldsets.insert(1, (_("Admission"), {"fields": ["incubator", "entered_on", "entry_age_reason"]}))
        return fieldsets

    def get_inlines(self, request, obj):
        if obj is None:
            # The admission fields open the residency of a new firm.
            return [i for i in self.inlines if i is not ResidencyInline]
        return self.inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = FirmAddForm
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            return form
        user = request.user

        class ScopedFirmAddForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                field = self.fields["incubator"]
                field.queryset = incubators_for_user(user)
                if not user_sees_everything(user):
                    field.required = True
                    mine = list(field.queryset[:2])
                    if len(mine) == 1:
                        field.initial = mine[0].pk

        return ScopedFirmAddForm

    def save_formset(self, request, form, formset, change):
        if formset.model is InnovationSelfAssessment:
            record_assessor(request, formset)
        super().save_formset(request, form, formset, change)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if change:
            obj.save()
            return
        firm_admit(
            firm=obj,
            incubator=form.cleaned_data.get("incubator"),
            entered_on=form.cleaned_data.get("entered_on") or timezone.localdate(),
            entry_age_reason=form.cleaned_data.get("entry_age_reason", "").strip(),
        )

    @admin.display(description=_("incubator"), ordering="incubator_name")
    def incubator(self, firm: Firm) -> str:
        return firm.incubator_name or "-"

    @admin.display(description=_("highest certification"), ordering="top_certification")
    def top_certification(self, firm: Firm) -> str:
        return in_current_language(firm.top_certification or "", firm.top_certification_en or "") or "-"

    @admin.display(description=_("next deadline"), ordering="next_deadline_on")
    def next_deadline(self, firm: Firm) -> str:
        return due_html(firm.next_deadline_on, precision=firm.next_deadline_precision)

    @admin.display(description=_("dossier"))
    def dossier(self, firm: Firm) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:portfolio_firm_dossier", args=[firm.pk]), _("Dossier")
        )


# --- firm-owned records with their own lists ------------------------------------------------


class ResidencyAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        firm = data.get("firm")
        if firm is not None:
            check_entry_age(self, firm.founded_on, data.get("entered_on"))
        return data


@admin.register(Residency)
class ResidencyAdmin(ScopedAdmin):
    form = ResidencyAdminForm
    list_display = [
        "firm",
        "incubator",
        "entered_on",
        "exited_on",
        "exit_reason",
        "clock",
        "liaison",
        "origin",
    ]
    list_filter = [IncubatorFilter, "exit_reason", ("exited_on", admin.EmptyFieldListFilter), "origin"]
    list_select_related = ["firm", "incubator", "liaison"]
    search_fields = ["firm__name", "firm__name_en", "firm__credit_code", "incubator__name"]
    autocomplete_fields = ["firm"]
    date_hierarchy = "entered_on"

    def scope_queryset(self, queryset, user):
        # A residency belongs to its incubator: only the user's incubators' stays.
        return scope_to_incubators(queryset, user)

    @admin.display(description=_("incubation clock"))
    def clock(self, residency: Residency) -> str:
        return incubation_clock_html(residency.months_in(), residency.months_left(), residency.limit_months)


@admin.register(YearlyFigures)
class YearlyFiguresAdmin(ScopedImportExportMixin, ScopedAdmin):
    resource_classes = [YearlyFiguresResource]
    list_display = [
        "firm",
        "year",
        "revenue",
        "rd_expense",
        "total_cost",
        "employees",
        "rd_staff",
        "angel_vc_received",
        "origin",
    ]
    list_filter = [IncubatorFilter, "year", "origin"]
    list_select_related = ["firm"]
    search_fields = ["firm__name", "firm__credit_code"]
    autocomplete_fields = ["firm"]
    readonly_fields = ["reported_by", "accepted_by", "accepted_at"]
    fieldsets = [
        (None, {"fields": ["firm", "year"]}),
        (_("Figures"), {"fields": list(YearlyFigures.FIGURES)}),
        (_("Ladder inputs"), {"fields": list(YearlyFigures.LADDER_FIGURES)}),
        (
            _("Torch statistics return"),
            {
                "classes": ["collapse"],
                "fields": list(YearlyFigures.TORCH_FIGURES),
                "description": _(
                    "The year's figures the Torch return asks for beyond the above (RULES.md §4)."
                ),
            },
        ),
        (_("Reported and accepted"), {"fields": ["reported_by", "accepted_by", "accepted_at"]}),
        (
            _("Source"),
            {"classes": ["collapse"], "fields": ["key", "origin", "source", "source_quote", "notes"]},
        ),
    ]


@admin.register(Milestone)
class MilestoneAdmin(ScopedAdmin):
    list_display = ["firm", "occurred_on", "date_precision", "title", "origin"]
    list_filter = [IncubatorFilter, "date_precision", "origin"]
    list_select_related = ["firm"]
    search_fields = ["firm__name", "title", "title_en"]
    autocomplete_fields = ["firm"]
