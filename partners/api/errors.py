"""One error shape: ``{"detail": ...}``, or field -> messages for a 400 (a body that cannot be
parsed included: its message is under ``non_field_errors``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

NOT_FOUND = _("Not found.")


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, Http404 | exceptions.NotFound):
        # Identical for a firm that does not exist and one the caller may not see.
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [exc.detail]})
    return drf_exception_handler(exc, context)


@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """JSON 404 for any path under /api/ that no endpoint serves, whatever the method."""
    return JsonResponse({"detail": str(NOT_FOUND)}, status=404)
