"""Writes behind the admin's firm and certification imports (and the admin's firm add form).

A firm a staff member adds or imports must land in one of their incubators: it gets an open
residency there in the same transaction, so it never drops out of the staff member's scope.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from tablib import Dataset

from accounts.models import User
from portfolio.models import Firm, Incubator, Residency


@transaction.atomic
def residency_ensure_open(
    *,
    firm: Firm,
    incubator: Incubator,
    entered_on: datetime.date | None = None,
    entry_age_reason: str = "",
) -> tuple[Residency, bool]:
    """The firm's open residency in ``incubator``, created (with the incubator's limit) if missing."""
    existing = Residency.objects.filter(firm=firm, incubator=incubator, exited_on__isnull=True).first()
    if existing is not None:
        return existing, False
    residency = Residency(
        firm=firm,
        incubator=incubator,
        entered_on=entered_on or timezone.localdate(),
        limit_months=incubator.default_limit_months,
        entry_age_reason=entry_age_reason,
    )
    residency.full_clean()
    residency.save()
    return residency, True


@transaction.atomic
def firm_admit(
    *,
    firm: Firm,
    incubator: Incubator | None,
    entered_on: datetime.date | None = None,
    entry_age_reason: str = "",
) -> Firm:
    """Save a new (or changed) firm and, given an incubator, open its residency there."""
    firm.save()
    if incubator is not None:
        residency_ensure_open(
            firm=firm, incubator=incubator, entered_on=entered_on, entry_age_reason=entry_age_reason
        )
    return firm


def import_dataset(*, resource, dataset: Dataset, user: User, dry_run: bool, file_name: str = ""):
    """Run a django-import-export resource all-or-nothing: any invalid row rolls everything back.

    Returns the import result; ``result.has_errors() or result.has_validation_errors()`` tells
    whether anything was saved (nothing was, when either is true).
    """
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
        file_name=file_name,
    )
