"""Who is mailed about a firm's figures: its contacts, else the staff responsible for it there.

Staff responsible for a firm in an incubator: the liaison of its open residency there (active,
with an address, not opted out of reminders in that incubator); where there is none, the
incubator's managers who receive reminders. Staff of another incubator the firm also sits in are
never mailed about this incubator's request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from accounts.models import IncubatorMembership, StaffRole
from portfolio.models import Contact, Residency


@dataclass(frozen=True)
class Person:
    email: str
    language: str
    contact_id: int | None = None
    user_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None


def _unique(people: Iterable[Person]) -> list[Person]:
    seen: set[str] = set()
    out = []
    for person in people:
        if person.email not in seen:
            seen.add(person.email)
            out.append(person)
    return out


def contacts_by_firm(firm_ids: Iterable[int]) -> dict[int, list[Person]]:
    """The firms' contacts with an address who receive reminders (one query)."""
    found: dict[int, list[Person]] = defaultdict(list)
    for contact_id, firm_id, email, language in (
        Contact.objects.filter(firm_id__in=set(firm_ids), receives_reminders=True)
        .exclude(email="")
        .order_by("id")
        .values_list("id", "firm_id", "email", "preferred_language")
    ):
        found[firm_id].append(Person(email.strip().lower(), language, contact_id=contact_id))
    return {firm_id: _unique(people) for firm_id, people in found.items()}


def staff_by_firm(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[Person]]:
    """(firm, incubator) -> the staff responsible for the firm there (two queries)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    firm_ids = {firm_id for firm_id, _ in pairs}
    incubator_ids = {incubator_id for _, incubator_id in pairs}
    liaisons: dict[tuple[int, int], list[tuple[int, str, str]]] = defaultdict(list)
    for firm_id, incubator_id, user_id, email, language in Residency.objects.filter(
        firm_id__in=firm_ids,
        incubator_id__in=incubator_ids,
        exited_on__isnull=True,
        liaison__isnull=False,
        liaison__is_active=True,
    ).values_list("firm_id", "incubator_id", "liaison_id", "liaison__email", "liaison__preferred_language"):
        if email:
            liaisons[(firm_id, incubator_id)].append((user_id, email, language))
    opted_out: set[tuple[int, int]] = set()
    managers: dict[int, list[Person]] = defaultdict(list)
    for incubator_id, user_id, receives, email, language in (
        IncubatorMembership.objects.filter(incubator_id__in=incubator_ids)
        .filter(Q(receives_reminders=False) | Q(role=StaffRole.MANAGER, user__is_active=True))
        .order_by("id")
        .values_list(
            "incubator_id", "user_id", "receives_reminders", "user__email", "user__preferred_language"
        )
    ):
        if not receives:
            opted_out.add((incubator_id, user_id))
        elif email:
            managers[incubator_id].append(Person(email.strip().lower(), language, user_id=user_id))
    found = {}
    for firm_id, incubator_id in pairs:
        people = [
            Person(email.strip().lower(), language, user_id=user_id)
            for user_id, email, language in liaisons[(firm_id, incubator_id)]
            if (incubator_id, user_id) not in opted_out
        ]
        found[(firm_id, incubator_id)] = _unique(people or managers[incubator_id])
    return found


def managers_by_incubator() -> dict[int, list[Person]]:
    """Every incubator's active managers with an address who receive reminders (one query)."""
    found: dict[int, list[Person]] = defaultdict(list)
    for incubator_id, user_id, email, language in (
        IncubatorMembership.objects.filter(
            role=StaffRole.MANAGER, receives_reminders=True, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("incubator_id", "id")
        .values_list("incubator_id", "user_id", "user__email", "user__preferred_language")
    ):
        found[incubator_id].append(Person(email.strip().lower(), language, user_id=user_id))
    return {incubator_id: _unique(people) for incubator_id, people in found.items()}
