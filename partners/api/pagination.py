"""Cursor pagination: stable under inserts, no counts, and a capped page size."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class FirmCursorPagination(CursorPagination):
    """Pages of ``page_size`` (default API_PAGE_SIZE, at most API_MAX_PAGE_SIZE) ordered by id."""

    ordering = "id"
    page_size_query_param = "page_size"
    page_size_query_description = _("Results per page (at most 200; default 50).")
    cursor_query_description = _("Opaque cursor from the 'next' or 'previous' link of a page.")

    def get_page_size(self, request):
        self.page_size = settings.API_PAGE_SIZE
        self.max_page_size = settings.API_MAX_PAGE_SIZE
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        field = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        try:
            return field.run_validation(raw)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({self.page_size_query_param: exc.detail}) from exc

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise self._invalid() from exc
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise self._invalid()
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        # A forged cursor can carry a position that is not a valid value for the ordering field.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError) as exc:
            raise self._invalid() from exc

    def _invalid(self) -> serializers.ValidationError:
        return serializers.ValidationError({self.cursor_query_param: [_("Invalid cursor.")]})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                # The same bounds get_page_size enforces.
                parameter["schema"] |= {"minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE}
        return parameters

    def get_paginated_response_schema(self, schema: dict) -> dict:
        response = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            response["properties"][link].pop("example", None)
        return response
