"""The answers' admin: the list (filtered by request and status), the review page, the link actions."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from figures import selectors
from figures.admin.requests.common import is_member, link_state, messages_of, next_url, not_found, pk_of
from figures.admin.requests.forms import ReturnForm
from figures.models import FiguresSubmission, SubmissionStatus
from figures.selectors import (
    figures_requests_for_user,
    figures_user_may_review,
)
from figures.services.requests import (
    submission_link_reissue,
    submission_link_revoke,
)
from figures.services.review import submission_accept, submission_return
from portfolio.admin.base import ScopedAdmin
from portfolio.selectors.scope import scope_to_incubators


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
        return is_member(request.user)

    def has_view_permission(self, request, obj=None):
        return is_member(request.user)

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
        return link_state(obj, timezone.now())

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
                refused.append(f"{submission.firm}: {'; '.join(messages_of(exc))}")
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
            .filter(pk=pk_of(object_id))
            .first()
        )
        if submission is None:
            raise not_found(self.opts)
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
            for line in messages_of(exc):
                self.message_user(request, line, messages.ERROR)
        else:
            done = (
                _("A new link was sent to %(firm)s.")
                if action == "reissue"
                else _("The link of %(firm)s was revoked.")
            )
            self.message_user(request, done % {"firm": submission.firm}, messages.SUCCESS)
        return HttpResponseRedirect(next_url(request, submission))

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
                    return HttpResponseRedirect(next_url(request, submission))
                if action == "return" and return_form.is_valid():
                    submission_return(
                        submission=submission, user=request.user, comment=return_form.cleaned_data["comment"]
                    )
                    self.message_user(
                        request,
                        _("Sent back to %(firm)s with your comment.") % {"firm": submission.firm},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(next_url(request, submission))
            except ValidationError as exc:
                refusal = messages_of(exc)
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
