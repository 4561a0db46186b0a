"""The founder's page, reached by a signed link with no account (figures/links.py).

One page per submission: the request's fields, pre-filled with the draft, else with last year's
figures and the firm's stored facts; save a draft, or submit (errors named per field, nothing
saved; warnings to confirm). Once submitted or accepted it shows what was sent, read-only.

Every link that must not open anything answers the same 404 page, byte for byte, so a link never
tells whether another firm or submission exists. Every answer is private: not cached, not
indexed, and its address (the secret) is never sent on as a referrer.

``Referrer-Policy: same-origin`` keeps the address off every other site while letting the
page's own form posts carry their origin, so Django's usual CSRF check applies unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from figures import ratelimit
from figures.fields import FIELDS, PERSON_FIELDS, Kind, Storage, grouped, person_values, stored_values
from figures.forms import FiguresForm, SubmitterForm, grouped_number
from figures.links import submission_from_token
from figures.models import FiguresSubmission, SubmissionStatus
from figures.services.founder import (
    LOCKED_STATUSES,
    SubmissionLocked,
    figures_form_for,
    submission_save_draft,
    submission_submit,
    typed_values,
)
from portfolio.models import YearlyFigures

# Longer than any token submission_token makes; a longer one is refused unread.
MAX_TOKEN_LENGTH = 300
EDITABLE = (SubmissionStatus.NOT_STARTED, SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def private(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The link is a secret: never cached, never indexed, never sent on as a referrer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except RequestDataTooBig:
            response = render(request, "figures/founder/bad_request.html", status=413)
        except (BadRequest, SuspiciousOperation, MultiPartParserError):  # too many fields, a broken body
            response = render(request, "figures/founder/bad_request.html", status=400)
        add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, ...
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def not_found(request: HttpRequest) -> HttpResponse:
    """The one answer to every link that must not open: nothing in it depends on the link."""
    return render(request, "figures/founder/not_found.html", status=404)


def too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request, "figures/founder/too_many.html", {"minutes": max(1, -(-wait // 60))}, status=429
    )
    response["Retry-After"] = str(wait)
    return response


@private
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def founder_page(request: HttpRequest, token: str) -> HttpResponse:
    wait = ratelimit.address_blocked(request)
    if wait:
        return too_many(request, wait)
    submission = submission_from_token(token) if len(token) <= MAX_TOKEN_LENGTH else None
    if submission is None:
        ratelimit.link_failed(request)
        return not_found(request)
    wait = ratelimit.link_blocked(token)
    if wait:
        return too_many(request, wait)
    _activate_language(request, submission)
    if request.method == "POST":
        return _post(request, submission)
    if submission.status in LOCKED_STATUSES:
        return _receipt(request, submission, just_submitted=request.GET.get("done") == "1")
    return _page(request, submission, form=None, saved=request.GET.get("saved") == "1")


def _activate_language(request: HttpRequest, submission: FiguresSubmission) -> None:
    """The language chosen on the page (the language cookie), else the firm's first contact's."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return
    language = (
        submission.firm.contacts.filter(receives_reminders=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("preferred_language", flat=True)
        .first()
    )
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def _post(request: HttpRequest, submission: FiguresSubmission) -> HttpResponse:
    action = request.POST.get("action", "")
    if action == "language":
        return _switch_language(request)
    if submission.status in LOCKED_STATUSES:
        return _receipt(request, submission, already=True)
    try:
        if action == "draft":
            submission_save_draft(submission=submission, values=request.POST)
            return HttpResponseRedirect(f"{request.path}?saved=1", status=303)
        if action != "submit":
            return _page(request, submission, form=None, status=400)
        submitter = SubmitterForm(request.POST)
        if not submitter.is_valid():
            form = figures_form_for(submission, data=typed_values(list(FIELDS), request.POST))
            form.is_valid()
            return _page(request, submission, form=form, submitter=submitter)
        form = submission_submit(
            submission=submission,
            values=request.POST,
            submitted_by=submitter.submitted_by(),
            confirm_warnings=request.POST.get("confirm_warnings", ""),
        )
    except SubmissionLocked:
        submission.refresh_from_db()
        return _receipt(request, submission, already=True)
    if form.saved:
        return HttpResponseRedirect(f"{request.path}?done=1", status=303)
    return _page(request, submission, form=form, submitter=submitter)


def _switch_language(request: HttpRequest) -> HttpResponse:
    """Remember the language chosen (Django's language cookie, as /i18n/setlang/ sets it)."""
    response = HttpResponseRedirect(request.path, status=303)
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def _page(
    request: HttpRequest,
    submission: FiguresSubmission,
    *,
    form: FiguresForm | None,
    submitter: SubmitterForm | None = None,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = figures_form_for(submission)
        form.initial = _initial(submission, form.previous)
    if submitter is None:
        submitter = SubmitterForm(initial=_submitter_initial(submission, form))
    has_errors = form.is_bound and bool(form.errors)
    previous = _previous_texts(form)
    sections = form.sections()
    for _group, items in sections:
        for item in items:
            spec, text = item["spec"], previous.get(item["spec"].name, "")
            # A firm's stored fact is worth showing only where the field now says otherwise.
            if spec.storage is Storage.FIRM and _display(spec.name, item["field"].value() or "") == text:
                text = ""
            item["previous"] = text
    error_links = [
        (f"field-{name}", form.fields[name].label) for name in form.field_names if name in form.errors
    ]
    error_links += [(f"field-{name}", submitter.fields[name].label) for name in submitter.errors]
    context = {
        **_header(submission),
        "form": form,
        "sections": sections,
        "submitter": submitter,
        "saved": saved,
        "prefilled": not form.is_bound and not submission.values and form.previous is not None,
        "error_links": error_links,
        "has_errors": has_errors or bool(submitter.errors),
        "needs_confirmation": form.is_bound and not has_errors and bool(form.warnings),
        "warnings_key": form.warnings_key() if form.is_bound else "",
        "returned": submission.status in EDITABLE and bool(submission.review_comment),
    }
    return render(request, "figures/founder/page.html", context, status=status)


def _receipt(
    request: HttpRequest,
    submission: FiguresSubmission,
    *,
    already: bool = False,
    just_submitted: bool = False,
) -> HttpResponse:
    values = submission.values if isinstance(submission.values, dict) else {}
    sections = [
        (group, [(spec, _display(spec.name, values.get(spec.name, ""))) for spec in fields])
        for group, fields in grouped(name for name in values if name in FIELDS)
    ]
    context = {
        **_header(submission),
        "sections": sections,
        "already": already,
        "just_submitted": just_submitted,
        "accepted": submission.status == SubmissionStatus.ACCEPTED,
    }
    return render(request, "figures/founder/receipt.html", context, status=409 if already else 200)


def _header(submission: FiguresSubmission) -> dict[str, Any]:
    return {"submission": submission, "figures_request": submission.request, "firm": submission.firm}


def _initial(submission: FiguresSubmission, previous: YearlyFigures | None) -> dict[str, str]:
    """The draft if there is one; else last year's figures, the firm's stored facts and the
    people named in the firm's latest earlier answer."""
    if submission.values and isinstance(submission.values, dict):
        return dict(submission.values)
    initial = stored_values(list(FIELDS), figures=previous, firm=submission.firm)
    earlier = (
        FiguresSubmission.objects.filter(
            firm_id=submission.firm_id, request__year__lt=submission.request.year
        )
        .exclude(values={})
        .order_by("-request__year")
        .values_list("values", flat=True)
        .first()
    )
    return initial | person_values(earlier)


def _submitter_initial(submission: FiguresSubmission, form: FiguresForm) -> dict[str, str]:
    name = form.initial.get("form_filler") or ""
    return {"submitter_name": name} if isinstance(name, str) else {}


def _previous_texts(form: FiguresForm) -> dict[str, str]:
    """Beside each field: last year's figure, or the firm's stored fact, as the page shows it."""
    stored = stored_values(form.field_names, figures=form.previous, firm=form.firm)
    return {name: _display(name, text) for name, text in stored.items() if name not in PERSON_FIELDS}


def _display(name: str, text: Any) -> str:
    spec = FIELDS[name]
    text = text if isinstance(text, str) else str(text)
    if spec.kind in (Kind.AMOUNT, Kind.COUNT):
        return grouped_number(text)
    if spec.kind is Kind.YES_NO:
        return {"yes": str(translation.gettext("Yes")), "no": str(translation.gettext("No"))}.get(text, text)
    if spec.kind is Kind.CHOICE:
        return str(dict(spec.choices).get(text, text))
    return text
