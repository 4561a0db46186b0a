from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from partners.models import ApiKey


def is_staff_session(request: Request) -> bool:
    user = request.user
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class IsPartnerOrStaff(permissions.BasePermission):
    """A partner's API key, or a staff member logged in to the admin (session)."""

    message = _("Only partner API keys and incubator staff may use this API.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ApiKey) or is_staff_session(request)


class IsPartnerForWrites(permissions.BasePermission):
    """Loans are recorded by the lending bank; staff record financing in the admin."""

    message = _("Loan applications and decisions are recorded by the lending bank with its API key.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in permissions.SAFE_METHODS or isinstance(request.auth, ApiKey)
