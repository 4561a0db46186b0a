"""What a staff member may see: the incubators they belong to and everything under them.

Every admin page, export, report, reminder list and staff API call narrows its queryset
through here, so the rule lives in one place. Superusers see everything. Two helpers apply it:
``scope_to_incubators`` to records that belong to an incubator (a residency, a membership, a
white-list entry, the incubator itself), ``scope_to_user`` to records that belong to a firm.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import IncubatorMembership, User
from portfolio.models import Firm, Incubator, Residency


def user_sees_everything(user: User) -> bool:
    return bool(user.is_active and user.is_superuser)


def memberships_of(user: User) -> list[tuple[int, str]]:
    """(incubator id, role) of each of a staff member's memberships, read once per request (cached
    on the user object), so every scope and role check of a page shares one query."""
    cached = getattr(user, "_memberships_cache", None)
    if cached is None:
        cached = list(IncubatorMembership.objects.filter(user_id=user.pk).values_list("incubator_id", "role"))
        user._memberships_cache = cached
    return cached


def incubator_ids_for_user(user: User) -> list[int]:
    """The incubators a staff member belongs to."""
    return list(dict.fromkeys(incubator_id for incubator_id, _ in memberships_of(user)))


def scope_to_incubators(queryset: QuerySet, user: User, incubator_path: str = "incubator") -> QuerySet:
    """Narrow records that belong to an incubator (``incubator_path`` leads to it; "" for the
    incubators themselves) to the user's incubators."""
    if user_sees_everything(user):
        return queryset
    lookup = f"{incubator_path}__in" if incubator_path else "pk__in"
    return queryset.filter(**{lookup: incubator_ids_for_user(user)})


def incubators_for_user(user: User) -> QuerySet[Incubator]:
    return scope_to_incubators(Incubator.objects.all(), user, "")


def firms_for_user(user: User) -> QuerySet[Firm]:
    """Firms with a residency (open or past) in one of the user's incubators."""
    if user_sees_everything(user):
        return Firm.objects.all()
    residencies = scope_to_incubators(Residency.objects.filter(firm=OuterRef("pk")), user)
    return Firm.objects.filter(Exists(residencies))


def scope_to_user(queryset: QuerySet, user: User, firm_path: str = "firm") -> QuerySet:
    """Narrow any firm-owned queryset (``firm_path`` leads to the firm) to the user's firms."""
    if user_sees_everything(user):
        return queryset
    lookup = "pk__in" if not firm_path else f"{firm_path}__in"
    return queryset.filter(**{lookup: firms_for_user(user).values("pk")})
