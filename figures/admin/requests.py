"""Admin of figures requests (opening one, its progress, adding firms) and of the firms' answers
(the review page, re-issuing and revoking links).

Staff see the requests of their incubators (figures.selectors); managers and liaisons of the
request's incubator act on them, counsellors only look. What a user may not see answers 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from figures import selectors
from figures.fields import ALL_FIELDS, FIELDS, fields_for, grouped
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from figures.selectors import (
    figures_incubator_firms,
    figures_incubators_for_reviewer,
    figures_requests_for_user,
    figures_requests_with_progress,
    figures_residents,
    figures_user_may_review,
    progress_of,
)
from figures.services.requests import (
    due_on_error,
    figures_request_add_firms,
    figures_request_open,
    figures_request_update,
    submission_link_reissue,
    submission_link_revoke,
)
from figures.services.review import submission_accept, submission_return
from portfolio.admin.base import ScopedAdmin
from portfolio.models import Firm
from portfolio.selectors.scope import incubator_ids_for_user, scope_to_incubators, user_sees_everything

# --- the field catalogue as the forms show it ---------------------------------------------------


def _field_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The askable fields grouped as the founder's page groups them (checkboxes under a heading)."""
    return [(group.label, [(f.name, f.label) for f in fields]) for group, fields in grouped(ALL_FIELDS)]


# --- shared ---------------------------------------------------------------------------------


def _is_member(user) -> bool:
    return (
        user.is_active
        and user.is_staff
        and (user_sees_everything(user) or bool(incubator_ids_for_user(user)))
    )


def _not_found(opts) -> Http404:
    return Http404(_("No %(name)s with this ID in your incubators.") % {"name": opts.verbose_name})


def _submission_list_url(request_pk: int, state: str = "") -> str:
    url = reverse("admin:figures_figuressubmission_changelist") + f"?request={request_pk}"
    return f"{url}&state={state}" if state else url


def _progress_context(figures_request: FiguresRequest) -> dict:
    progress = progress_of(figures_request)
    counts = [
        {"key": "missing", "label": _("Missing"), "count": progress.missing},
        *[
            {"key": s["status"], "label": s["label"], "count": s["count"]}
            for s in reversed(progress.segments)
        ],
    ]
    for count in counts:
        count["url"] = _submission_list_url(figures_request.pk, count["key"])
    return {"progress": progress, "counts": counts, "all_url": _submission_list_url(figures_request.pk)}


# --- opening a request ----------------------------------------------------------------------


class RequestOpenForm(forms.Form):
    RESIDENTS, CHOSEN = "residents", "chosen"

    incubator = forms.ModelChoiceField(queryset=None, label=_("incubator"))
    year = forms.IntegerField(
        label=_("fiscal year"), min_value=1949, max_value=2200, help_text=_("The year the figures are for.")
    )
    due_on = forms.DateField(
        label=_("due on"), widget=AdminDateWidget, help_text=_("The day founders are asked to submit by.")
    )
    field_names = forms.MultipleChoiceField(
        label=_("fields asked for"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    firm_scope = forms.ChoiceField(
        label=_("firms asked"),
        widget=forms.RadioSelect,
        choices=[
            (RESIDENTS, _("All firms in residence at the incubator during that year")),
            (CHOSEN, _("Only the firms checked below")),
        ],
        initial=RESIDENTS,
    )
    firms = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("firms"), widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("message to founders"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Shown on the founder's page and in the invitation email."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        incubators = figures_incubators_for_reviewer(user)
        self.fields["incubator"].queryset = incubators
        self.fields["firms"].queryset = (
            Firm.objects.filter(residencies__incubator__in=incubators).distinct().order_by("name")
        )
        self.fields["field_names"].choices = _field_choices()
        today = timezone.localdate()
        self.fields["year"].initial = today.year - 1
        self.fields["due_on"].initial = today + timezone.timedelta(days=30)
        self.fields["field_names"].initial = list(ALL_FIELDS)
        only = list(incubators[:2])
        if len(only) == 1:
            self.fields["incubator"].initial = only[0]
            self.fields["firms"].initial = list(
                figures_residents(incubator=only[0], year=today.year - 1).values_list("pk", flat=True)
            )

    def request_fields(self) -> list:
        return [self["incubator"], self["year"], self["due_on"]]

    def firm_ids(self) -> list[int]:
        data = self.cleaned_data
        if data["firm_scope"] == self.CHOSEN:
            return [firm.pk for firm in data["firms"]]
        return list(
            figures_residents(incubator=data["incubator"], year=data["year"]).values_list("pk", flat=True)
        )


# --- the request's own admin ------------------------------------------------------------------


class RequestChangeForm(forms.ModelForm):
    # Plain choices, read once: the firms of the incubator not asked yet (one query, whatever their number).
    add_firms = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=(),
        required=False,
        label=_("ask more firms"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each firm checked gets its link by email, as when the request was opened."),
    )

    class Meta:
        model = FiguresRequest
        fields = ["due_on", "message", "closed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "add_firms" in self.fields:
            field = self.fields["add_firms"]
            field.choices = list(
                figures_incubator_firms(incubator=self.instance.incubator_id)
                .exclude(figures_submissions__request=self.instance)
                .values_list("pk", "name")
            )
            if not field.choices:
                field.help_text = _("Every firm of the incubator is already part of this request.")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on != self.initial.get("due_on"):
            error = due_on_error(due_on, timezone.localdate())
            if error:
                raise ValidationError(error)
        return due_on

    def clean(self):
        data = super().clean()
        if data.get("add_firms") and data.get("closed"):
            self.add_error("add_firms", _("This request is closed: it takes no more firms."))
        return data


class RequestStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("1", _("Open")), ("0", _("Closed"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(closed=self.value() == "0")
        return queryset


@admin.register(FiguresRequest)
class FiguresRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "year", "due_on", "progress_bar", "missing", "closed"]
    list_display_links = ["__str__"]
    list_filter = [RequestStatusFilter, "year"]
    list_select_related = ["incubator"]
    search_fields = ["incubator__name", "incubator__name_en"]
    show_full_result_count = False
    form = RequestChangeForm
    change_form_template = "admin/figures/figuresrequest/change_form.html"
    change_list_template = "admin/figures/change_list.html"
    readonly_fields = ["incubator", "year", "fields_asked", "created_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["incubator", "year", "due_on", "closed", "message"]}),
        (_("Fields asked for"), {"fields": ["fields_asked"]}),
        (_("Firms"), {"fields": ["add_firms"]}),
        (_("Record"), {"classes": ["collapse"], "fields": ["created_by", "created_at"]}),
    ]

    def get_queryset(self, request):
        return figures_requests_with_progress(figures_requests_for_user(request.user))

    def has_module_permission(self, request):
        return _is_member(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_member(request.user)

    def has_add_permission(self, request):
        return figures_user_may_review(request.user)

    def has_change_permission(self, request, obj=None):
        return figures_user_may_review(request.user, obj.incubator_id if obj else None)

    def has_delete_permission(self, request, obj=None):
        return user_sees_everything(request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.closed:
            return [fs for fs in self.fieldsets if "add_firms" not in fs[1]["fields"]]
        return self.fieldsets

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise _not_found(opts)

    def delete_view(self, request, object_id, extra_context=None):
        # Out of scope answers 404 before "you may not delete" could say that it exists.
        if not self.get_queryset(request).filter(pk=_pk(object_id)).exists():
            raise _not_found(self.opts)
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description=_("progress"))
    def progress_bar(self, obj: FiguresRequest) -> str:
        return render_to_string(
            "admin/figures/progress_bar.html", {**_progress_context(obj), "compact": True}
        )

    @admin.display(description=_("missing"))
    def missing(self, obj: FiguresRequest) -> str:
        count = progress_of(obj).missing
        return format_html('<a href="{}">{}</a>', _submission_list_url(obj.pk, "missing"), count)

    @admin.display(description=_("fields asked for"))
    def fields_asked(self, obj: FiguresRequest) -> str:
        if not obj.fields:
            return _("All fields")
        return ", ".join(str(FIELDS[name].label) for name in fields_for(obj))

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RequestOpenForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = figures_request_open(
                    incubator=data["incubator"],
                    year=data["year"],
                    due_on=data["due_on"],
                    field_names=data["field_names"],
                    firm_ids=form.firm_ids(),
                    message=data["message"],
                    created_by=request.user,
                )
            except PermissionDenied as exc:
                form.add_error("incubator", str(exc))
            except ValidationError as exc:
                form.add_error(None, _errors_for_form(exc))
            else:
                self.log_addition(request, created, [{"added": {}}])
                count = created.submissions.count()
                self.message_user(
                    request,
                    ngettext(
                        "The request is open: %(count)d firm was sent its link.",
                        "The request is open: %(count)d firms were sent their links.",
                        count,
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:figures_figuresrequest_change", args=[created.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Open a figures request"),
            "opts": self.opts,
            "form": form,
            "media": self.media + form.media,
            "add": True,
        }
        status = 400 if form.is_bound else 200
        return TemplateResponse(request, "admin/figures/figuresrequest/open.html", context, status=status)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(_progress_context(obj))
            now = timezone.now()
            context["submission_rows"] = [
                {"submission": s, "link": _link_state(s, now)}
                for s in selectors.figures_request_submissions(obj)
            ]
            context["may_review"] = figures_user_may_review(request.user, obj.incubator_id)
            context["show_save_and_add_another"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        figures_request_update(
            request=obj,
            due_on=data["due_on"],
            message=data["message"],
            closed=data["closed"],
            user=request.user,
        )
        if data.get("add_firms"):
            added = figures_request_add_firms(request=obj, firm_ids=data["add_firms"], user=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(count)d firm was added and sent its link.",
                    "%(count)d firms were added and sent their links.",
                    len(added),
                )
                % {"count": len(added)},
                messages.SUCCESS,
            )

    def save_related(self, request, form, formsets, change):
        pass  # no related objects: the firms are added by the service in save_model


_SERVICE_TO_FORM = {"firm_ids": "firms"}


def _errors_for_form(exc: ValidationError) -> ValidationError | dict:
    if hasattr(exc, "error_dict"):
        return {_SERVICE_TO_FORM.get(k, k): v for k, v in exc.error_dict.items()}
    return exc


# --- the firms' answers -----------------------------------------------------------------------


class SubmissionStateFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return selectors.STATUS_FILTER_CHOICES

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(status__in=selectors.MISSING_STATUSES)
        if self.value() in SubmissionStatus.values:
            return queryset.filter(status=self.value())
        return queryset


class SubmissionRequestFilter(admin.SimpleListFilter):
    title = _("request")
    parameter_name = "request"

    def lookups(self, request, model_admin):
        requests = figures_requests_for_user(request.user).select_related("incubator")
        return [(str(r.pk), str(r)) for r in requests]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(request_id=int(self.value()))
        return queryset


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("what to correct"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The founder reads this in the email and on their page."),
    )


@admin.register(FiguresSubmission)
class FiguresSubmissionAdmin(ScopedAdmin):
    list_display = ["firm_review", "request", "status_html", "submitted_at", "link_state"]
    list_display_links = None
    list_filter = [SubmissionStateFilter, SubmissionRequestFilter]
    list_select_related = ["firm", "request__incubator"]
    search_fields = ["firm__name", "firm__name_en", "submitted_by"]
    actions = ["reissue_links", "revoke_links"]
    list_per_page = 100
    change_list_template = "admin/figures/change_list.html"
    readonly_fields = [
        "request",
        "firm",
        "status",
        "values",
        "submitted_at",
        "submitted_by",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
        "link_version",
        "link_revoked",
        "link_expires_at",
    ]

    def scope_queryset(self, queryset, user):
        return scope_to_incubators(queryset, user, "request__incubator")

    def has_module_permission(self, request):
        return _is_member(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_member(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # answers change through the review page and the link actions only

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return figures_user_may_review(request.user)

    @admin.display(description=_("status"), ordering="status")
    def status_html(self, obj: FiguresSubmission) -> str:
        return format_html(
            '<span class="figures-status figures-status-{}">{}</span>', obj.status, obj.get_status_display()
        )

    @admin.display(description=_("link"))
    def link_state(self, obj: FiguresSubmission) -> str:
        return _link_state(obj, timezone.now())

    @admin.display(description=_("firm"), ordering="firm__name")
    def firm_review(self, obj: FiguresSubmission) -> str:
        """The firm's name leads to the answer's review page."""
        url = reverse("admin:figures_figuressubmission_review", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.firm.name)

    @admin.action(description=_("Re-issue the links (the old links stop working)"), permissions=["review"])
    def reissue_links(self, request, queryset):
        self._links(request, queryset, submission_link_reissue, _("%(count)d new links sent."))

    @admin.action(description=_("Revoke the links"), permissions=["review"])
    def revoke_links(self, request, queryset):
        self._links(request, queryset, submission_link_revoke, _("%(count)d links revoked."))

    def _links(self, request, queryset, service, done_message) -> None:
        done, refused = 0, []
        for submission in queryset.select_related("request"):
            try:
                service(submission=submission, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{submission.firm}: {'; '.join(_messages(exc))}")
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="figures_figuressubmission_review",
            ),
            path(
                "<path:object_id>/link/<str:action>/",
                self.admin_site.admin_view(require_POST(self.link_view)),
                name="figures_figuressubmission_link",
            ),
            *super().get_urls(),
        ]

    def _get_submission(self, request, object_id) -> FiguresSubmission:
        submission = (
            self.get_queryset(request)
            .select_related("request__incubator", "firm")
            .filter(pk=_pk(object_id))
            .first()
        )
        if submission is None:
            raise _not_found(self.opts)
        return submission

    def link_view(self, request, object_id, action):
        submission = self._get_submission(request, object_id)
        services = {"reissue": submission_link_reissue, "revoke": submission_link_revoke}
        if action not in services:
            raise Http404
        if not figures_user_may_review(request.user, submission.request.incubator_id):
            raise PermissionDenied
        try:
            services[action](submission=submission, user=request.user)
        except ValidationError as exc:
            for line in _messages(exc):
                self.message_user(request, line, messages.ERROR)
        else:
            done = (
                _("A new link was sent to %(firm)s.")
                if action == "reissue"
                else _("The link of %(firm)s was revoked.")
            )
            self.message_user(request, done % {"firm": submission.firm}, messages.SUCCESS)
        return HttpResponseRedirect(_next_url(request, submission))

    def review_view(self, request, object_id):
        submission = self._get_submission(request, object_id)
        may_review = figures_user_may_review(request.user, submission.request.incubator_id)
        return_form = ReturnForm(request.POST if request.POST.get("action") == "return" else None)
        refusal: list[str] = []
        if request.method == "POST":
            if not may_review:
                raise PermissionDenied
            action = request.POST.get("action")
            try:
                if action == "accept":
                    submission_accept(submission=submission, user=request.user)
                    self.message_user(
                        request,
                        _("Accepted: the figures of %(firm)s for %(year)d are saved.")
                        % {"firm": submission.firm, "year": submission.request.year},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(_next_url(request, submission))
                if action == "return" and return_form.is_valid():
                    submission_return(
                        submission=submission, user=request.user, comment=return_form.cleaned_data["comment"]
                    )
                    self.message_user(
                        request,
                        _("Sent back to %(firm)s with your comment.") % {"firm": submission.firm},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(_next_url(request, submission))
            except ValidationError as exc:
                refusal = _messages(exc)
                if action == "return" and hasattr(exc, "error_dict") and "comment" in exc.error_dict:
                    return_form.add_error("comment", exc.error_dict["comment"])
                    refusal = []
        review = selectors.submission_review(submission)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review: %(firm)s, %(year)d")
            % {"firm": submission.firm, "year": submission.request.year},
            "opts": self.opts,
            "submission": submission,
            "figures_request": submission.request,
            "review": review,
            "may_review": may_review,
            "can_decide": may_review and submission.status == SubmissionStatus.SUBMITTED,
            "return_form": return_form,
            "refusal": refusal,
            "progress_url": reverse("admin:figures_figuresrequest_change", args=[submission.request_id]),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(
            request, "admin/figures/figuressubmission/review.html", context, status=status
        )


def _pk(object_id) -> int:
    value = unquote(str(object_id))
    if not value.isdigit():
        raise Http404
    return int(value)


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [f"{msg}" for errors in exc.message_dict.values() for msg in errors]
        return [str(m) for m in exc.messages]
    return [str(exc) or str(_("You may not do this."))]


def _next_url(request: HttpRequest, submission: FiguresSubmission) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("admin:figures_figuresrequest_change", args=[submission.request_id])


def _link_state(submission: FiguresSubmission, now) -> str:
    if submission.link_revoked:
        return format_html('<span class="figures-link-dead">{}</span>', _("revoked"))
    if submission.link_expires_at <= now:
        return format_html('<span class="figures-link-dead">{}</span>', _("expired"))
    return format_html(
        "{}",
        _("valid until %(date)s")
        % {"date": timezone.localtime(submission.link_expires_at).date().isoformat()},
    )
