"""A firm's dossier: everything staff read about one firm on one screen, in a fixed number of
queries however many records it has (each kind of record is one query; the ladder panel its own
fixed number)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portfolio.choices import DeadlineStatus
from portfolio.models import (
    Certification,
    Deadline,
    FinancingEvent,
    Firm,
    Milestone,
    Residency,
    ServiceRecord,
)
from portfolio.models.certifications import in_current_language
from portfolio.selectors.scope import scope_to_incubators

RECENT_SERVICES = 10
NEXT_DEADLINES = 10

TIMELINE_KINDS = {
    "milestone": _("Milestone"),
    "certification": _("Certificate"),
    "financing": _("Financing"),
}


@dataclass
class TimelineEntry:
    kind: str
    on: datetime.date | None
    precision: str
    title: str
    detail: str = ""
    admin_url: tuple[str, int] | None = None  # (url name, pk) of the record's change page

    @property
    def kind_label(self) -> str:
        return str(TIMELINE_KINDS[self.kind])


@dataclass
class Dossier:
    firm: Firm
    aliases: list[str]
    contacts: list
    residencies: list[Residency]
    timeline: list[TimelineEntry]
    deadlines: list[Deadline]
    services: list[ServiceRecord]
    certifications: list[Certification] = field(default_factory=list)


def _timeline(
    milestones: list[Milestone], certifications: list[Certification], financing: list[FinancingEvent]
) -> list[TimelineEntry]:
    entries = [
        TimelineEntry("milestone", m.occurred_on, m.date_precision, in_current_language(m.title, m.title_en))
        for m in milestones
    ]
    for cert in certifications:
        detail = cert.get_status_display()
        if cert.expires_on:
            detail = _("%(status)s, expires %(on)s") % {"status": detail, "on": cert.expires_on.isoformat()}
        entries.append(
            TimelineEntry(
                "certification",
                cert.issued_on,
                cert.issued_precision,
                cert.kind.display_name,
                str(detail),
                ("admin:portfolio_certification_change", cert.pk),
            )
        )
    for event in financing:
        amount = "" if event.amount is None else f"{event.amount:,.0f} {event.currency}"
        title = f"{event.get_kind_display()} · {event.get_instrument_display()}"
        detail = " · ".join(x for x in (amount, event.programme.name if event.programme else "") if x)
        entries.append(
            TimelineEntry(
                "financing",
                event.occurred_on,
                event.date_precision,
                title,
                detail,
                ("admin:portfolio_financingevent_change", event.pk),
            )
        )
    # Newest first; records without a date at the end.
    dated = sorted((e for e in entries if e.on), key=lambda e: e.on, reverse=True)
    return dated + [e for e in entries if not e.on]


def firm_dossier(firm: Firm, user: User, on: datetime.date) -> Dossier:
    """The firm's dossier as ``user`` may see it (stays and services of their incubators only)."""
    certifications = list(Certification.objects.filter(firm=firm).select_related("kind"))
    residencies = list(
        scope_to_incubators(Residency.objects.filter(firm=firm), user)
        .select_related("incubator", "liaison")
        .order_by("-entered_on")
    )
    services = list(
        scope_to_incubators(ServiceRecord.objects.filter(firms=firm), user)
        .select_related("mentor")
        .order_by("-occurred_on", "-pk")[:RECENT_SERVICES]
    )
    deadlines = list(
        Deadline.objects.filter(firm=firm, status=DeadlineStatus.OPEN)
        .select_related("obligation", "certification__kind")
        .order_by("due_on", "pk")[:NEXT_DEADLINES]
    )
    timeline = _timeline(
        list(Milestone.objects.filter(firm=firm)),
        certifications,
        list(FinancingEvent.objects.filter(firm=firm).select_related("programme")),
    )
    return Dossier(
        firm=firm,
        aliases=list(firm.aliases.values_list("name", flat=True)),
        contacts=list(firm.contacts.all()),
        residencies=residencies,
        timeline=timeline,
        deadlines=deadlines,
        services=services,
        certifications=certifications,
    )
