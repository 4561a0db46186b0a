"""Reading score packs and scores."""

from __future__ import annotations

from django.db.models import QuerySet

from scoring.engine.pack import Pack, load_shipped_pack
from scoring.models import FirmScore, ScorePack


def pack_active() -> Pack:
    """The active pack, parsed (one query); the shipped pack while no row is active."""
    row = ScorePack.objects.filter(active=True).first()
    return load_shipped_pack() if row is None else row.parsed()


def firm_score(firm_id: int) -> FirmScore | None:
    return FirmScore.objects.filter(firm_id=firm_id).first()


def score_summaries(firm_ids: list[int]) -> QuerySet:
    """The list's summary of each firm's score (one query), as rows keyed by ``firm_id``."""
    return FirmScore.objects.filter(firm_id__in=firm_ids).values(
        "firm_id", "status", "total", "stage", "pack_version", "completeness", "year", "computed_at"
    )
