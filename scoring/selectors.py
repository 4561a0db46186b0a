"""Reading score packs and scores."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from scoring.engine.describe import describe
from scoring.engine.pack import Pack, PackError, load_shipped_pack
from scoring.models import FirmScore, ScorePack


def pack_active() -> Pack:
    """The active pack, parsed (one query); the shipped pack while no row is active."""
    row = ScorePack.objects.filter(active=True).first()
    return load_shipped_pack() if row is None else row.parsed()


# Parsed packs by (version, updated_at): a row is parsed once per process and per change.
_PARSED: dict[tuple[str, datetime.datetime], Pack | None] = {}


def pack_by_version(version: str) -> Pack | None:
    """The pack a score recorded (one query, parsed once per process and change of the row);
    the shipped pack for its own version when no row holds it; None when it is gone."""
    row = ScorePack.objects.filter(version=version).first()
    if row is None:
        shipped = load_shipped_pack()
        return shipped if shipped.version == version else None
    key = (row.version, row.updated_at)
    if key not in _PARSED:
        if len(_PARSED) > 32:
            _PARSED.clear()
        try:
            _PARSED[key] = row.parsed()
        except PackError:
            _PARSED[key] = None
    return _PARSED[key]


def score_described(score: FirmScore) -> dict[str, Any]:
    """The stored breakdown with the words of the pack it used (see scoring.engine.describe)."""
    return describe(score.breakdown, pack_by_version(score.pack_version))


def firm_score(firm_id: int) -> FirmScore | None:
    return FirmScore.objects.filter(firm_id=firm_id).first()


# What the partner API's firm list shows of a firm's score (with the firm's id).
SUMMARY_FIELDS = (
    "firm_id",
    "status",
    "total",
    "stage",
    "pack_version",
    "completeness",
    "year",
    "computed_at",
)


def score_summaries(firm_ids: list[int]) -> QuerySet:
    """The list's summary of each firm's score (one query), as rows keyed by ``firm_id``."""
    return FirmScore.objects.filter(firm_id__in=firm_ids).values(*SUMMARY_FIELDS)
