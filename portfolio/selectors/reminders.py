"""Reads for the reminders: who is mailed about a firm, what is due, what a digest lists."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import IncubatorMembership, StaffRole
from portfolio.choices import DatePrecision, DeadlineStatus
from portfolio.models import (
    CertificationKind,
    Contact,
    Deadline,
    DeliveryStatus,
    DigestDelivery,
    RecipientKind,
    ReminderDelivery,
    Residency,
)
from portfolio.selectors.deadlines import open_deadlines_due_by


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    kind: str
    contact_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class FirmRecipients:
    contacts: tuple[Recipient, ...]
    staff: tuple[Recipient, ...]


@dataclass(frozen=True)
class DeadlineRow:
    id: int
    due_on: datetime.date
    firm_id: int
    kind_id: int


def reminder_days_by_kind(default: list[int]) -> dict[int, list[int]]:
    """Each certification kind's reminder days, ascending (the kind table is small)."""
    return {
        kind_id: sorted(set(days or default))
        for kind_id, days in CertificationKind.objects.values_list("id", "reminder_days")
    }


def open_deadlines_between(
    *, first: datetime.date, last: datetime.date, batch_size: int
) -> Iterator[list[DeadlineRow]]:
    """Open deadlines due in [first, last], in batches, by keyset on (due_on, id).

    Each batch is one range scan of the (status, due_on) index, so the cost follows the
    deadlines in the window, never the size of the table. Deadlines worked out from imprecise
    dates are left out: nobody is mailed a day nobody stated (the digest asks staff to
    complete the date instead).
    """
    base = Deadline.objects.filter(
        status=DeadlineStatus.OPEN, due_on__gte=first, due_on__lte=last, due_precision=DatePrecision.DAY
    )
    after: tuple[datetime.date, int] | None = None
    while True:
        qs = base
        if after is not None:
            qs = qs.filter(Q(due_on__gt=after[0]) | Q(due_on=after[0], id__gt=after[1]))
        rows = [
            DeadlineRow(*row)
            for row in qs.order_by("due_on", "id").values_list(
                "id", "due_on", "firm_id", "certification__kind_id"
            )[:batch_size]
        ]
        if not rows:
            return
        yield rows
        after = (rows[-1].due_on, rows[-1].id)


def recorded_reminders(deadline_ids: Iterable[int]) -> dict[tuple[int, str], list[tuple[int, int, str]]]:
    """(deadline, address) -> [(threshold, delivery id, status)] already recorded."""
    recorded: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    for deadline_id, email, threshold, pk, status in ReminderDelivery.objects.filter(
        deadline_id__in=list(deadline_ids)
    ).values_list("deadline_id", "email", "threshold", "id", "status"):
        recorded[(deadline_id, email)].append((threshold, pk, status))
    return recorded


def recipients_for_firms(firm_ids: Iterable[int]) -> dict[int, FirmRecipients]:
    """The people mailed about each firm: its contacts, and the staff responsible for it.

    Staff responsible for a firm: for each of its open residencies, the liaison (unless they
    opted out of reminders in that incubator); where there is no such liaison, the incubator's
    managers who receive reminders. Three queries whatever the number of firms.
    """
    firm_ids = list(set(firm_ids))
    contacts: dict[int, list[Recipient]] = defaultdict(list)
    for contact_id, firm_id, email, language in (
        Contact.objects.filter(firm_id__in=firm_ids, receives_reminders=True)
        .exclude(email="")
        .order_by("id")
        .values_list("id", "firm_id", "email", "preferred_language")
    ):
        contacts[firm_id].append(
            Recipient(email.strip().lower(), language, RecipientKind.CONTACT, contact_id=contact_id)
        )
    residencies = list(
        Residency.objects.filter(firm_id__in=firm_ids, exited_on__isnull=True).values_list(
            "firm_id",
            "incubator_id",
            "liaison_id",
            "liaison__email",
            "liaison__preferred_language",
            "liaison__is_active",
        )
    )
    members = _members_by_incubator({r[1] for r in residencies})
    staff: dict[int, list[Recipient]] = defaultdict(list)
    for firm_id, incubator_id, liaison_id, email, language, active in residencies:
        opted_out = {m.user_id for m in members[incubator_id] if not m.receives}
        if liaison_id and active and email and liaison_id not in opted_out:
            staff[firm_id].append(
                Recipient(email.strip().lower(), language, RecipientKind.STAFF, user_id=liaison_id)
            )
        else:
            staff[firm_id].extend(m.recipient for m in members[incubator_id] if m.manager and m.receives)
    return {
        firm_id: FirmRecipients(tuple(_unique(contacts[firm_id])), tuple(_unique(staff[firm_id])))
        for firm_id in firm_ids
    }


@dataclass(frozen=True)
class _Member:
    user_id: int
    manager: bool
    receives: bool
    recipient: Recipient


def _members_by_incubator(incubator_ids: set[int]) -> dict[int, list[_Member]]:
    members: dict[int, list[_Member]] = defaultdict(list)
    for incubator_id, user_id, role, receives, email, language in (
        IncubatorMembership.objects.filter(incubator_id__in=incubator_ids, user__is_active=True)
        .order_by("id")
        .values_list(
            "incubator_id", "user_id", "role", "receives_reminders", "user__email", "user__preferred_language"
        )
    ):
        recipient = Recipient(email.strip().lower(), language, RecipientKind.STAFF, user_id=user_id)
        members[incubator_id].append(_Member(user_id, role == StaffRole.MANAGER, receives, recipient))
    return members


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: set[str] = set()
    out = []
    for recipient in recipients:
        if recipient.email not in seen:
            seen.add(recipient.email)
            out.append(recipient)
    return out


def reminder_deliveries_with_content(deliveries: QuerySet[ReminderDelivery]) -> QuerySet[ReminderDelivery]:
    """Deliveries with everything their emails show (rendering.reminder_context) and what the
    claim checks (kinds.reminder_refusals), in the same query.

    Of the related rows only those columns: about a third of the 104 columns of the joined
    tables, which halves the CPU of reading a batch of 50 (bench/README.md). A column left out
    would cost a query per email when read; the sending tests pin the queries.
    """
    return deliveries.select_related(
        "deadline__firm", "deadline__obligation", "deadline__certification__kind"
    ).only(*_DELIVERY_COLUMNS, *_SHOWN_COLUMNS)


_DELIVERY_COLUMNS = tuple(field.name for field in ReminderDelivery._meta.concrete_fields)
_SHOWN_COLUMNS = (
    "deadline__status",
    "deadline__due_on",
    "deadline__firm__name",
    "deadline__firm__name_en",
    "deadline__obligation__name",
    "deadline__obligation__name_en",
    "deadline__obligation__instructions",
    "deadline__obligation__instructions_en",
    "deadline__certification__number",
    "deadline__certification__kind__name",
    "deadline__certification__kind__name_en",
)


# --- The weekly digest ---


def digest_recipients() -> QuerySet[IncubatorMembership]:
    """Active staff who receive reminders, one membership row per (user, incubator)."""
    return (
        IncubatorMembership.objects.filter(receives_reminders=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id", "incubator_id")
    )


def firm_ids_for_digest(user_id: int) -> list[int]:
    """A manager's digest covers every firm of their incubators; anyone else's, their own firms."""
    managed = IncubatorMembership.objects.filter(
        user_id=user_id, role=StaffRole.MANAGER, receives_reminders=True
    ).values("incubator_id")
    return list(
        Residency.objects.filter(exited_on__isnull=True)
        .filter(Q(liaison_id=user_id) | Q(incubator_id__in=managed))
        .values_list("firm_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class DigestContent:
    overdue: list[Deadline]
    upcoming: list[Deadline]
    failed: list[ReminderDelivery]
    approximate: list[Deadline] = ()  # from imprecise dates: staff are asked to complete them

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.upcoming or self.failed or self.approximate)


def digest_content(*, user_id: int, today: datetime.date, weeks: int) -> DigestContent:
    """Open deadlines of the user's firms up to ``weeks`` ahead (overdue first) and failed reminders."""
    firm_ids = firm_ids_for_digest(user_id)
    deadlines = list(
        open_deadlines_due_by(
            Deadline.objects.filter(firm_id__in=firm_ids), until=today + datetime.timedelta(weeks=weeks)
        )
        .select_related("firm", "obligation", "certification__kind")
        .order_by("due_on", "firm__name", "id")
    )
    failed = list(
        ReminderDelivery.objects.filter(deadline__firm_id__in=firm_ids, status=DeliveryStatus.FAILED)
        .select_related("deadline__firm", "deadline__obligation")
        .order_by("-updated_at")[:100]
    )
    exact = [d for d in deadlines if d.due_precision == DatePrecision.DAY]
    return DigestContent(
        overdue=[d for d in exact if d.due_on < today],
        upcoming=[d for d in exact if d.due_on >= today],
        failed=failed,
        approximate=[d for d in deadlines if d.due_precision != DatePrecision.DAY],
    )


def digests_with_content(digests: QuerySet[DigestDelivery]) -> QuerySet[DigestDelivery]:
    return digests.select_related("user")
