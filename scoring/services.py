"""Writes of the innovation score: recomputing cohorts, queueing recomputes, switching packs.

A firm's percentiles depend on every firm of its cohort (same score year, same region), so the
unit of work is the cohort: a change to one firm recomputes its cohort (and the one it left),
the nightly pass recomputes all of them. Each cohort is read in a few queries and written in
one upsert per thousand firms, in its own transaction; the nightly pass streams the firms in
cohort order, so memory holds one cohort at a time, never the portfolio. Recomputing is
deterministic: running it twice writes the same scores (only ``computed_at`` moves).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from portfolio.models import Firm
from scoring import facts
from scoring.engine.inputs import FirmRecord
from scoring.engine.pack import Pack, PackError, parse_pack, raw_shipped_pack
from scoring.engine.score import FirmResult, no_figures_result, score_cohort
from scoring.models import FirmScore, ScorePack
from scoring.selectors import pack_active

WRITE_BATCH = 1000
UPDATED_FIELDS = (
    "pack_version",
    "year",
    "stage",
    "status",
    "total",
    "completeness",
    "cohort_key",
    "cohort_size",
    "reasons",
    "breakdown",
    "computed_at",
)


@dataclass
class RecomputeResult:
    cohorts: int = 0
    firms: int = 0
    scored: int = 0
    keys: list[str] = field(default_factory=list)

    def add(self, results: list[FirmResult], key: str = "") -> None:
        self.firms += len(results)
        self.scored += sum(r.total is not None for r in results)
        if key:
            self.cohorts += 1
            self.keys.append(key)

    def as_dict(self) -> dict[str, int]:
        return {"cohorts": self.cohorts, "firms": self.firms, "scored": self.scored}


def _store(pack: Pack, results: list[FirmResult], now: datetime.datetime) -> None:
    rows = [
        FirmScore(
            firm_id=r.firm_id,
            pack_version=pack.version,
            year=r.year,
            stage=r.stage or "",
            status=r.status,
            total=r.total,
            completeness=r.completeness,
            cohort_key=r.cohort.key,
            cohort_size=r.cohort_size,
            reasons=list(r.reasons),
            breakdown=r.breakdown(pack),
            computed_at=now,
        )
        for r in sorted(results, key=lambda r: r.firm_id)  # one lock order for concurrent writers
    ]
    FirmScore.objects.bulk_create(
        rows,
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["firm"],
        update_fields=UPDATED_FIELDS,
    )


def _score_rows(
    pack: Pack, rows: list[dict[str, Any]], now: datetime.datetime
) -> tuple[str, list[FirmResult]]:
    """Score firms of one cohort (or firms that belong to none) and store the results."""
    cohort = facts.cohort_of(pack, rows[0])
    if cohort.year is None:
        results = [
            no_figures_result(FirmRecord(firm_id=row["pk"], founded_on=row["founded_on"])) for row in rows
        ]
    else:
        results = score_cohort(pack, cohort, facts.firm_records(pack, cohort.year, rows))
    with transaction.atomic():
        _store(pack, results, now)
    return cohort.key, results


def _cohort_groups(rows: Iterable[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """Consecutive rows of one cohort; firms that belong to no cohort come in chunks."""
    for (year, region), group in itertools.groupby(rows, key=lambda r: (r["score_year"], r["region"] or "")):
        if year is not None and region:
            yield list(group)
            continue
        while chunk := list(itertools.islice(group, WRITE_BATCH)):
            yield chunk


def scores_recompute_all(*, on: datetime.date | None = None, pack: Pack | None = None) -> RecomputeResult:
    """Recompute every firm's score, cohort by cohort (the nightly pass)."""
    on = on or timezone.localdate()
    pack = pack or pack_active()
    now = timezone.now()
    result = RecomputeResult()
    rows = facts.firms_with_cohort(pack, on).order_by("score_year", "region", "pk").iterator(chunk_size=2000)
    for group in _cohort_groups(rows):
        key, results = _score_rows(pack, group, now)
        result.add(results, key)
    return result


def firm_scores_recompute(*, firm_ids: Iterable[int], on: datetime.date | None = None) -> RecomputeResult:
    """Recompute the cohorts of ``firm_ids``: the one each is in now and the one it was scored in
    (a firm that moved or reported a new year leaves its old cohort's percentiles behind)."""
    on = on or timezone.localdate()
    pack = pack_active()
    now = timezone.now()
    result = RecomputeResult()
    firm_ids = sorted(set(firm_ids))
    cohorts: set[tuple[int, str]] = set()
    alone: list[dict[str, Any]] = []
    for row in facts.firms_with_cohort(pack, on, Firm.objects.filter(pk__in=firm_ids)):
        cohort = facts.cohort_of(pack, row)
        if cohort.key:
            cohorts.add((cohort.year, cohort.value))
        else:
            alone.append(row)
    for key in FirmScore.objects.filter(firm_id__in=firm_ids).values_list("cohort_key", flat=True):
        parsed = facts.parse_cohort_key(key)
        if parsed is not None and parsed[1] == pack.cohort_by:
            cohorts.add((parsed[0], parsed[2]))
    for year, value in sorted(cohorts):
        members = list(facts.cohort_members(pack, on, year, value))
        if members:
            key, results = _score_rows(pack, members, now)
            result.add(results, key)
    for row in alone:
        _key, results = _score_rows(pack, [row], now)
        result.add(results)
    return result


# --- queueing --------------------------------------------------------------------------------


def firm_scores_queue(*, firm_id: int) -> None:
    """Recompute the firm's cohort once the current transaction commits (at once outside one).

    Many changes in one transaction (an admin page saving three years of figures, an import)
    queue one task: the ids gather on the connection and the first commit callback takes them
    all; the others find nothing left. Ids of a transaction rolled back stay for the next
    callback, which at worst recomputes a cohort that did not change.
    """
    pending = _pending()
    pending.add(firm_id)
    # robust: a broker that cannot take the task must not fail the write that was just committed
    # (the error is logged, and the nightly pass recomputes the cohort anyway).
    transaction.on_commit(_send_pending, robust=True)


def _pending() -> set[int]:
    """The firm ids waiting for a commit, on this thread's database connection."""
    wrapper = transaction.get_connection()
    if not hasattr(wrapper, "scoring_pending_firms"):
        wrapper.scoring_pending_firms = set()
    return wrapper.scoring_pending_firms


def _send_pending() -> None:
    pending = _pending()
    if not pending:
        return
    firm_ids = sorted(pending)
    pending.clear()
    from scoring.tasks import recompute_firms  # the tasks module imports this one

    recompute_firms.delay(firm_ids)


def scores_queue_all() -> None:
    from scoring.tasks import recompute_all

    transaction.on_commit(lambda: recompute_all.delay(), robust=True)


# --- packs -----------------------------------------------------------------------------------


@transaction.atomic
def score_pack_activate(*, pack: ScorePack) -> ScorePack:
    """Make ``pack`` the one every firm is scored with, and queue the recompute of every cohort."""
    pack.full_clean(exclude=["active"])  # an invalid pack never becomes active
    ScorePack.objects.filter(active=True).exclude(pk=pack.pk).update(active=False)
    pack.active = True
    pack.save()
    scores_queue_all()
    return pack


def _row_values(raw: dict) -> dict[str, Any]:
    return {
        "label": raw["label"],
        "title": raw["title"]["zh"],
        "title_en": raw["title"]["en"],
        "source": raw["source"],
        "notes": raw.get("notes", ""),
        "unverified": raw.get("unverified", []),
        "data": raw["data"],
    }


@transaction.atomic
def score_pack_load(*, raw: dict, activate: bool = False) -> tuple[ScorePack, bool]:
    """Create or update the pack ``raw`` (a pack file's mapping) after validating it; (row, created).

    Returns the row; with ``activate`` it becomes the active pack. An active pack that changed
    queues a recompute too.
    """
    pack = parse_pack(raw)  # PackError before anything is written
    row = ScorePack.objects.filter(version=pack.version).first()
    created = row is None
    row = row or ScorePack(version=pack.version)
    for name, value in _row_values(raw).items():
        setattr(row, name, value)
    row.full_clean(exclude=["active"])
    row.save()
    if activate and not row.active:
        score_pack_activate(pack=row)
    elif row.active:
        scores_queue_all()
    return row, created


def score_pack_shipped_diff() -> list[str]:
    """The fields in which the shipped pack differs from its row ([] when equal, ["missing"])."""
    raw = raw_shipped_pack()
    parse_pack(raw)
    row = ScorePack.objects.filter(version=raw["version"]).first()
    if row is None:
        return ["missing"]
    wanted = _row_values(raw)
    return [name for name, value in wanted.items() if getattr(row, name) != value]


__all__ = [
    "PackError",
    "RecomputeResult",
    "firm_scores_queue",
    "firm_scores_recompute",
    "score_pack_activate",
    "score_pack_load",
    "score_pack_shipped_diff",
    "scores_queue_all",
    "scores_recompute_all",
]
