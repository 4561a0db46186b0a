"""Loans a partner bank records through the API: the application, then its decisions.

Each write changes the firm's ``FinancingEvent`` (what staff see as financing), the bank's
``LoanApplication`` and its dated ``LoanDecision`` list together, in one transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from partners.models import ApiKey, LoanApplication, LoanDecision
from portfolio.choices import FinancingKind, InstitutionRole, Instrument, LoanStatus, RecordOrigin
from portfolio.models import FinancingEvent, FinancingParticipant, Firm, Programme

LOAN_INSTRUMENTS = (
    Instrument.CREDIT,
    Instrument.REHAB_LOAN,
    Instrument.SCIENCE_CREDIT,
    Instrument.IP_PLEDGE,
    Instrument.GUARANTEED_LOAN,
    Instrument.BRIDGE,
    Instrument.ACHIEVEMENT_LOAN,
    Instrument.OTHER,
)

# Which decision may follow which. Rejected, repaid and compensated loans are closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    LoanStatus.APPLIED: frozenset({LoanStatus.APPROVED, LoanStatus.REJECTED}),
    LoanStatus.APPROVED: frozenset({LoanStatus.DISBURSED, LoanStatus.REJECTED}),
    LoanStatus.DISBURSED: frozenset({LoanStatus.REPAID, LoanStatus.DEFAULTED}),
    LoanStatus.DEFAULTED: frozenset({LoanStatus.REPAID, LoanStatus.COMPENSATED}),
    LoanStatus.REJECTED: frozenset(),
    LoanStatus.REPAID: frozenset(),
    LoanStatus.COMPENSATED: frozenset(),
}
DECISION_STATUSES = tuple(s for s in LoanStatus if s != LoanStatus.APPLIED)
REFERENCE_CONSTRAINT = "partners_loan_unique_reference_per_bank"
DUPLICATE_REFERENCE = _("You already recorded a loan with this reference.")


def _reference_taken(bank: Organisation, reference: str) -> bool:
    return bool(reference) and LoanApplication.objects.filter(bank=bank, reference=reference).exists()


def _violates_reference_constraint(exc: IntegrityError) -> bool:
    """Whether it is the unique (bank, reference) index: by name on PostgreSQL, by columns on SQLite."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:
        return diag.constraint_name == REFERENCE_CONSTRAINT
    message = str(exc)
    return REFERENCE_CONSTRAINT in message or (
        "UNIQUE" in message and "partners_loanapplication.reference" in message
    )


def _check_date(field: str, value: datetime.date, *, not_before: datetime.date | None = None) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {field: _("The date cannot be before the previous step (%(date)s).") % {"date": not_before}}
        )


@transaction.atomic
def loan_apply(
    *,
    bank: Organisation,
    firm: Firm,
    instrument: str,
    applied_on: datetime.date,
    requested_amount: Decimal | None = None,
    term_months: int | None = None,
    reference: str = "",
    programme: Programme | None = None,
    note: str = "",
    api_key: ApiKey | None = None,
) -> LoanApplication:
    if instrument not in LOAN_INSTRUMENTS:
        raise ValidationError({"instrument": _("This is not a loan instrument.")})
    _check_date("applied_on", applied_on)
    # The check gives the usual answer; two requests sending one reference at once both pass it,
    # and the loser meets the unique index below and gets the same answer, leaving nothing behind.
    if _reference_taken(bank, reference):
        raise ValidationError({"reference": DUPLICATE_REFERENCE})
    event = FinancingEvent(
        firm=firm,
        kind=FinancingKind.LOAN,
        instrument=instrument,
        programme=programme,
        amount=requested_amount,
        occurred_on=applied_on,
        term_months=term_months,
        loan_status=LoanStatus.APPLIED,
        decision_note=note,
        origin=RecordOrigin.PARTNER_API,
        recorded_by=bank,
        source=str(_("Partner API")),
    )
    event.save()
    FinancingParticipant.objects.create(event=event, organisation=bank, role=InstitutionRole.LENDER)
    try:
        with transaction.atomic():
            application = LoanApplication.objects.create(
                event=event,
                bank=bank,
                reference=reference,
                applied_on=applied_on,
                requested_amount=requested_amount,
            )
    except IntegrityError as exc:
        if not _violates_reference_constraint(exc):
            raise
        # Raised out of this function's transaction, which rolls back the event and participant.
        raise ValidationError({"reference": DUPLICATE_REFERENCE}) from None
    LoanDecision.objects.create(
        application=application,
        status=LoanStatus.APPLIED,
        decided_on=applied_on,
        amount=requested_amount,
        term_months=term_months,
        note=note,
        api_key=api_key,
    )
    return application


def _check_decision(
    event: FinancingEvent, *, status: str, amount: Decimal | None, term_months: int | None, note: str
) -> None:
    current = event.loan_status
    if status not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            {
                "status": _("A loan that is %(current)s cannot become %(new)s.")
                % {"current": LoanStatus(current).label, "new": LoanStatus(status).label}
            }
        )
    errors = {}
    if status == LoanStatus.APPROVED:
        if amount is None:
            errors["amount"] = _("An approval needs the approved amount.")
        if term_months is None:
            errors["term_months"] = _("An approval needs the term in months.")
    if status == LoanStatus.REJECTED and not note.strip():
        errors["note"] = _("Give the reason for the rejection.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def loan_decide(
    *,
    application: LoanApplication,
    status: str,
    decided_on: datetime.date,
    amount: Decimal | None = None,
    term_months: int | None = None,
    note: str = "",
    api_key: ApiKey | None = None,
) -> LoanApplication:
    """Record the next decision; the row lock serialises two decisions sent at once."""
    event = FinancingEvent.objects.select_for_update().get(pk=application.event_id)
    _check_decision(event, status=status, amount=amount, term_months=term_months, note=note)
    last = application.decisions.order_by("-decided_on").values_list("decided_on", flat=True).first()
    _check_date("decided_on", decided_on, not_before=last or application.applied_on)

    event.loan_status = status
    if amount is not None:
        event.amount = amount
    if term_months is not None:
        event.term_months = term_months
    if note:
        event.decision_note = note
    if status == LoanStatus.DISBURSED:
        # The financing history dates a loan by when the money reached the firm.
        event.occurred_on = decided_on
    event.save()
    LoanDecision.objects.create(
        application=application,
        status=status,
        decided_on=decided_on,
        amount=amount,
        term_months=term_months,
        note=note,
        api_key=api_key,
    )
    application.save(update_fields=["updated_at"])
    application.event = event
    return application
