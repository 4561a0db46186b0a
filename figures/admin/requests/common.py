"""What the request and answer admins share: who is a member, 404s, links, the progress context."""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from figures.models import FiguresRequest, FiguresSubmission
from figures.selectors import progress_of
from portfolio.selectors.scope import incubator_ids_for_user, user_sees_everything


def is_member(user) -> bool:
    return (
        user.is_active
        and user.is_staff
        and (user_sees_everything(user) or bool(incubator_ids_for_user(user)))
    )


def not_found(opts) -> Http404:
    return Http404(_("No %(name)s with this ID in your incubators.") % {"name": opts.verbose_name})


def submission_list_url(request_pk: int, state: str = "") -> str:
    url = reverse("admin:figures_figuressubmission_changelist") + f"?request={request_pk}"
    return f"{url}&state={state}" if state else url


def progress_context(figures_request: FiguresRequest) -> dict:
    progress = progress_of(figures_request)
    counts = [
        {"key": "missing", "label": _("Missing"), "count": progress.missing},
        *[
            {"key": s["status"], "label": s["label"], "count": s["count"]}
            for s in reversed(progress.segments)
        ],
    ]
    for count in counts:
        count["url"] = submission_list_url(figures_request.pk, count["key"])
    return {"progress": progress, "counts": counts, "all_url": submission_list_url(figures_request.pk)}


def pk_of(object_id) -> int:
    value = unquote(str(object_id))
    if not value.isdigit():
        raise Http404
    return int(value)


def messages_of(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [f"{msg}" for errors in exc.message_dict.values() for msg in errors]
        return [str(m) for m in exc.messages]
    return [str(exc) or str(_("You may not do this."))]


def next_url(request: HttpRequest, submission: FiguresSubmission) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("admin:figures_figuresrequest_change", args=[submission.request_id])


def link_state(submission: FiguresSubmission, now) -> str:
    if submission.link_revoked:
        return format_html('<span class="figures-link-dead">{}</span>', _("revoked"))
    if submission.link_expires_at <= now:
        return format_html('<span class="figures-link-dead">{}</span>', _("expired"))
    return format_html(
        "{}",
        _("valid until %(date)s")
        % {"date": timezone.localtime(submission.link_expires_at).date().isoformat()},
    )
