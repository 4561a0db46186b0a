"""Staff roles as Django groups: what a manager, a liaison or a counsellor may do in the admin.

Which firms a staff member sees is decided by their incubator memberships (selectors.scope);
what they may do with them is decided by these groups' model permissions. A membership's role
puts the user in the matching group (``staff_roles_sync_user``).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import StaffRole, User

ALL = ("view", "add", "change", "delete")
EDIT = ("view", "add", "change")
VIEW = ("view",)

# Firm records every role works with daily.
_FIRM_RECORDS = (
    "firm",
    "firmalias",
    "contact",
    "residency",
    "certification",
    "financingevent",
    "financingparticipant",
    "yearlyfigures",
    "distinction",
    "complianceincident",
    "innovationselfassessment",
    "milestone",
    "servicerecord",
    "consent",
    "bankrecommendation",
)
# Reminder emails about their firms and their own weekly digests: every role sees them (scoped)
# and may re-send a failed one.
_OUTBOX = {"reminderdelivery": ("view",), "digestdelivery": ("view",)}
# Shared reference data: edited by superusers only (it affects every incubator).
_REFERENCE = ("certificationkind", "obligation", "obligationwindow", "programme")

ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    StaffRole.MANAGER: {
        **_OUTBOX,
        **dict.fromkeys(_FIRM_RECORDS, ALL),
        "deadline": ("view", "change"),
        "mentor": ALL,
        "incubator": ("view", "change"),
        "incubatormembership": VIEW,
        "organisation": EDIT,
        **dict.fromkeys(_REFERENCE, VIEW),
    },
    StaffRole.LIAISON: {
        **_OUTBOX,
        **dict.fromkeys(_FIRM_RECORDS, EDIT),
        "firmalias": ALL,
        "contact": ALL,
        "milestone": ALL,
        "financingparticipant": ALL,
        "deadline": ("view", "change"),
        "mentor": VIEW,
        "incubator": VIEW,
        "incubatormembership": VIEW,
        "organisation": EDIT,
        **dict.fromkeys(_REFERENCE, VIEW),
    },
    StaffRole.COUNSELLOR: {
        **_OUTBOX,
        **dict.fromkeys(_FIRM_RECORDS, VIEW),
        "certification": EDIT,
        "yearlyfigures": EDIT,
        # Counsellors coach firms through the ladder: they record what it reads.
        "distinction": EDIT,
        "innovationselfassessment": EDIT,
        "milestone": EDIT,
        "servicerecord": ALL,
        "deadline": ("view", "change"),
        "mentor": EDIT,
        "incubator": VIEW,
        "incubatormembership": VIEW,
        "organisation": VIEW,
        **dict.fromkeys(_REFERENCE, VIEW),
    },
}

ROLE_GROUP_NAMES: dict[str, str] = {
    StaffRole.MANAGER: "Incubator manager",
    StaffRole.LIAISON: "Liaison",
    StaffRole.COUNSELLOR: "Counsellor",
}

_ROLE_APPS = ("accounts", "portfolio", "partners")


def _app_of_model() -> dict[str, str]:
    return {
        model._meta.model_name: label
        for label in _ROLE_APPS
        for model in apps.get_app_config(label).get_models()
    }


def _permissions(spec: dict[str, tuple[str, ...]]) -> list[Permission]:
    app_of = _app_of_model()
    wanted = [(app_of[model], f"{action}_{model}") for model, actions in spec.items() for action in actions]
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(codename__in=[c for _, c in wanted]).select_related("content_type")
    }
    missing = [w for w in wanted if w not in found]
    if missing:
        raise LookupError(f"Permissions missing (run migrate first): {missing}")
    return [found[w] for w in wanted]


@transaction.atomic
def staff_roles_setup() -> dict[str, Group]:
    """Create or update the three role groups with exactly their permissions."""
    groups = {}
    for role, name in ROLE_GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(ROLE_PERMISSIONS[role]))
        groups[role] = group
    return groups


@transaction.atomic
def staff_roles_sync_user(*, user: User) -> None:
    """Put the user in the groups of the roles their memberships give, and only those.

    A user with any membership becomes staff (may log into the admin); other groups the user
    belongs to are left alone.
    """
    roles = set(user.memberships.values_list("role", flat=True))
    role_groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_GROUP_NAMES.values())}
    for role, name in ROLE_GROUP_NAMES.items():
        group = role_groups.get(name)
        if group is None:
            continue
        if role in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    if roles and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
