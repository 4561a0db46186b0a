"""The hourly passes: reminders before a request's due date, the liaison's note after it, and the
managers' reminder that the Torch return's filing window closes soon.

Each records what fell due (unique constraints make a second pass add nothing), then hands every
waiting email to the workers on commit (or sends it here, ``enqueue=False``). A pass reads a
constant number of queries whatever the number of firms. Days come from rule data:
figures/rules/requests.yaml (the incubator's own choice) and figures/rules/torch.yaml.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from figures.emails.recipients import Person, managers_by_incubator, staff_by_firm
from figures.emails.record import founders_else_staff
from figures.emails.rendering import WAITING
from figures.emails.rules import load_rules
from figures.models import FiguresEmail, FiguresEmailKind, FiguresRequest, FiguresSubmission, TorchFilingEmail
from figures.torch import filing_window
from figures.torch import load_rules as load_torch_rules
from portfolio.models import DeliveryStatus
from portfolio.services.reminders import (
    SendOutcome,
    due_threshold,
    outbound_hand_over,
    outbound_send,
    outbound_take_waiting,
)


@dataclass
class FiguresPassResult:
    today: datetime.date
    planned: list = field(default_factory=list)  # the unsaved rows offered to the database
    superseded: int = 0
    unreachable: list[int] = field(default_factory=list)  # submissions nobody can be mailed about
    handed_over: list[int] = field(default_factory=list)
    outcomes: list[SendOutcome] = field(default_factory=list)


def reminder_occasion(days: int) -> str:
    return f"{days}-days-before"


def note_occasion(days: int) -> str:
    return f"{days}-days-after"


def _days(occasion: str) -> int:
    return int(occasion.split("-", 1)[0])


def _reminders(today: datetime.date, now: datetime.datetime, result: FiguresPassResult) -> list[int]:
    """Reminders of submissions still waiting, at the most urgent threshold crossed; returns the
    ids of older reminders still pending that the new ones supersede."""
    days = load_rules().reminder_days_before_due
    submissions = list(
        FiguresSubmission.objects.select_related("request")
        .filter(
            request__closed=False,
            request__due_on__gte=today,
            request__due_on__lte=today + datetime.timedelta(days=max(days)),
            status__in=WAITING,
            link_revoked=False,
            link_expires_at__gt=now,
        )
        .order_by("pk")
    )
    due = {}
    for s in submissions:
        threshold = due_threshold(days, (s.request.due_on - today).days)
        if threshold is not None:
            due[s.pk] = (s, threshold)
    recorded: dict[tuple[int, str], list[tuple[int, int, str]]] = defaultdict(list)
    for submission_id, email, occasion, pk, status in FiguresEmail.objects.filter(
        submission_id__in=list(due), kind=FiguresEmailKind.REMINDER
    ).values_list("submission_id", "email", "occasion", "pk", "status"):
        recorded[(submission_id, email)].append((_days(occasion), pk, status))
    # A submission with this threshold (or a more urgent one) recorded to anyone is settled.
    settled = {sid for (sid, _), earlier in recorded.items() if min(t for t, _, _ in earlier) <= due[sid][1]}
    pending = [s for sid, (s, _) in due.items() if sid not in settled]
    people = founders_else_staff(pending) if pending else {}
    superseded = []
    for s in pending:
        threshold = due[s.pk][1]
        if not people[s.pk]:
            result.unreachable.append(s.pk)
        for person in people[s.pk]:
            earlier = recorded.get((s.pk, person.email), [])
            superseded += [pk for t, pk, status in earlier if status == DeliveryStatus.PENDING]
            result.planned.append(
                _row(s.request_id, FiguresEmailKind.REMINDER, reminder_occasion(threshold), person, now, s.pk)
            )
    return superseded


def _row(request_id, kind, occasion, person: Person, now, submission_id=None) -> FiguresEmail:
    return FiguresEmail(
        submission_id=submission_id,
        request_id=request_id,
        kind=kind,
        occasion=occasion,
        contact_id=person.contact_id,
        user_id=person.user_id,
        email=person.email,
        language=person.language,
        next_attempt_at=now,
    )


def _liaison_notes(today: datetime.date, now: datetime.datetime, result: FiguresPassResult) -> None:
    """After the due date, one note per responsible staff member and request listing their firms
    still missing, once per threshold (days after the due date)."""
    days = load_rules().liaison_note_days_after_due
    requests = {}
    for pk, due_on in FiguresRequest.objects.filter(closed=False, due_on__lt=today).values_list(
        "pk", "due_on"
    ):
        crossed = [t for t in days if t <= (today - due_on).days]
        if crossed:
            requests[pk] = note_occasion(max(crossed))
    settled = set(
        FiguresEmail.objects.filter(
            request_id__in=list(requests), kind=FiguresEmailKind.LIAISON_MISSING, submission__isnull=True
        ).values_list("request_id", "occasion")
    )
    requests = {pk: occasion for pk, occasion in requests.items() if (pk, occasion) not in settled}
    if not requests:
        return
    missing = list(
        FiguresSubmission.objects.filter(request_id__in=list(requests), status__in=WAITING)
        .order_by("pk")
        .values_list("pk", "request_id", "firm_id", "request__incubator_id")
    )
    staff = staff_by_firm((firm_id, incubator_id) for _, _, firm_id, incubator_id in missing)
    notes: dict[tuple[int, str], Person] = {}
    for submission_id, request_id, firm_id, incubator_id in missing:
        people = staff.get((firm_id, incubator_id), [])
        if not people:
            result.unreachable.append(submission_id)
        for person in people:
            notes.setdefault((request_id, person.email), person)
    for (request_id, _), person in notes.items():
        result.planned.append(
            _row(request_id, FiguresEmailKind.LIAISON_MISSING, requests[request_id], person, now)
        )


def figures_reminder_pass(*, today: datetime.date | None = None, enqueue: bool = True) -> FiguresPassResult:
    """Record the figures reminders and liaison notes due on ``today``, then hand every waiting
    figures email to the workers (or send it here). Safe to run at any time, and twice.

    Before the due date: each firm that has not submitted (not started, draft, sent back) is
    reminded at the most urgent day of requests.yaml crossed; a reminder of an older day still
    waiting is cancelled as superseded, and one recorded before the firm submitted is cancelled
    when a sender claims it. After the due date: the liaison's note of their firms still missing.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    result = FiguresPassResult(today=today)
    with transaction.atomic():
        superseded = _reminders(today, now, result)
        _liaison_notes(today, now, result)
        if superseded:
            result.superseded = FiguresEmail.objects.filter(
                pk__in=superseded, status=DeliveryStatus.PENDING
            ).update(
                status=DeliveryStatus.CANCELLED,
                last_error="superseded by a more urgent reminder",
                updated_at=now,
            )
        # A concurrent pass may have recorded the same rows: the constraints keep one.
        FiguresEmail.objects.bulk_create(result.planned, ignore_conflicts=True)
        if enqueue:
            result.handed_over = outbound_hand_over(FiguresEmail)
    if not enqueue:
        result.outcomes = outbound_send(FiguresEmail, outbound_take_waiting(FiguresEmail))
    return result


def torch_filing_reminder_pass(
    *, today: datetime.date | None = None, enqueue: bool = True
) -> FiguresPassResult:
    """Remind each incubator's managers (who receive reminders) that the Torch return's filing
    window closes soon, at the days of torch.yaml's ``manager_reminder_days`` before it closes
    (the most urgent crossed); once per incubator, report year, threshold and address. A window
    without a published notice is the expected one, and the email calls it expected.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    days = load_torch_rules().manager_reminder_days
    result = FiguresPassResult(today=today)
    # The return on year Y is filed early in Y + 1: the windows that can be near are these two.
    windows = {}
    for report_year in (today.year - 1, today.year):
        window = filing_window(report_year)
        threshold = due_threshold(days, (window.closes_on - today).days)
        if threshold is not None:
            windows[report_year] = (window, threshold)
    with transaction.atomic():
        if windows:
            recorded: dict[tuple[int, int, str], list[tuple[int, int, str]]] = defaultdict(list)
            for incubator_id, year, email, threshold, pk, status in TorchFilingEmail.objects.filter(
                report_year__in=list(windows)
            ).values_list("incubator_id", "report_year", "email", "threshold", "pk", "status"):
                recorded[(incubator_id, year, email)].append((threshold, pk, status))
            superseded = []
            for incubator_id, managers in managers_by_incubator().items():
                for year, (window, threshold) in windows.items():
                    for person in managers:
                        earlier = recorded.get((incubator_id, year, person.email), [])
                        if any(t <= threshold for t, _, _ in earlier):
                            continue
                        superseded += [pk for t, pk, status in earlier if status == DeliveryStatus.PENDING]
                        result.planned.append(
                            TorchFilingEmail(
                                incubator_id=incubator_id,
                                report_year=year,
                                threshold=threshold,
                                opens_on=window.opens_on,
                                closes_on=window.closes_on,
                                published=window.published,
                                source=window.source[:300],
                                for_date=today,
                                user_id=person.user_id,
                                email=person.email,
                                language=person.language,
                                next_attempt_at=now,
                            )
                        )
            if superseded:
                result.superseded = TorchFilingEmail.objects.filter(
                    pk__in=superseded, status=DeliveryStatus.PENDING
                ).update(status=DeliveryStatus.CANCELLED, last_error="superseded by a more urgent reminder")
            TorchFilingEmail.objects.bulk_create(result.planned, ignore_conflicts=True)
        if enqueue:
            result.handed_over = outbound_hand_over(TorchFilingEmail)
    if not enqueue:
        result.outcomes = outbound_send(TorchFilingEmail, outbound_take_waiting(TorchFilingEmail))
    return result
