"""What the engine knows of a firm: plain values read from the stored records (scoring/facts.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FirmRecord:
    """One firm's records for scoring one year.

    ``figures`` maps a fiscal year to its figures (field name -> value, None when not reported);
    a year without a row is absent. The other lists hold dicts with the keys named beside them.
    """

    firm_id: int
    founded_on: datetime.date | None
    figures: dict[int, dict[str, Any]] = field(default_factory=dict)
    # kind, instrument, amount, currency, occurred_on, loan_status
    financing: list[dict[str, Any]] = field(default_factory=list)
    # kind, status, issued_on, expires_on
    certifications: list[dict[str, Any]] = field(default_factory=list)
    # kind, level, role, year
    distinctions: list[dict[str, Any]] = field(default_factory=list)
    # kind, occurred_on
    incidents: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Missing:
    """A piece of stored data an indicator or the stage needs and does not have.

    ``source`` is "figures" (a yearly-figures field of ``year``) or "firm" (a field of the firm);
    ``problem`` is "not_reported", "zero" (a divisor or growth base of zero) or "not_positive"
    (net assets of zero or less).
    """

    source: str
    field: str
    year: int | None = None
    problem: str = "not_reported"

    def as_json(self) -> dict[str, Any]:
        return {"source": self.source, "field": self.field, "year": self.year, "problem": self.problem}


# Certificates count as in force on a day when granted (or since expired) and dated around it.
IN_FORCE_STATUSES = ("granted", "expired")


def certification_in_force(row: dict[str, Any], day: datetime.date) -> bool:
    if row["status"] not in IN_FORCE_STATUSES or row["issued_on"] is None or row["issued_on"] > day:
        return False
    return row["expires_on"] is None or row["expires_on"] >= day
