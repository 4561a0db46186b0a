"""The requests' admin: opening one (its own add page), its progress page (the change page), the
list with each request's progress bar."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from figures import selectors
from figures.admin.requests.common import (
    is_member,
    link_state,
    not_found,
    pk_of,
    progress_context,
    submission_list_url,
)
from figures.admin.requests.forms import RequestChangeForm, RequestOpenForm, errors_for_form
from figures.fields import FIELDS, fields_for
from figures.models import FiguresRequest
from figures.selectors import (
    figures_requests_for_user,
    figures_requests_with_progress,
    figures_user_may_review,
    progress_of,
)
from figures.services.requests import (
    figures_request_add_firms,
    figures_request_open,
    figures_request_update,
)
from portfolio.selectors.scope import user_sees_everything


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
        return is_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_member(request.user)

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
        raise not_found(opts)

    def delete_view(self, request, object_id, extra_context=None):
        # Out of scope answers 404 before "you may not delete" could say that it exists.
        if not self.get_queryset(request).filter(pk=pk_of(object_id)).exists():
            raise not_found(self.opts)
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description=_("progress"))
    def progress_bar(self, obj: FiguresRequest) -> str:
        return render_to_string("admin/figures/progress_bar.html", {**progress_context(obj), "compact": True})

    @admin.display(description=_("missing"))
    def missing(self, obj: FiguresRequest) -> str:
        count = progress_of(obj).missing
        return format_html('<a href="{}">{}</a>', submission_list_url(obj.pk, "missing"), count)

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
                form.add_error(None, errors_for_form(exc))
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
            context.update(progress_context(obj))
            now = timezone.now()
            context["submission_rows"] = [
                {"submission": s, "link": link_state(s, now)}
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
