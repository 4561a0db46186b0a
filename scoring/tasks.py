"""Celery tasks of the innovation score. Each takes ids (or nothing) and is safe to run twice:
a recompute reads the cohort as it is and writes the same scores again."""

from __future__ import annotations

from celery import shared_task

from scoring.services import firm_scores_recompute, scores_recompute_all


@shared_task(name="scoring.tasks.recompute_all")
def recompute_all() -> dict[str, int]:
    """Beat, nightly (and after a pack switch): every cohort, with the active pack."""
    return scores_recompute_all().as_dict()


@shared_task(name="scoring.tasks.recompute_firms")
def recompute_firms(firm_ids: list[int]) -> dict[str, int]:
    """After a firm's figures, certifications, financing or residency changed: its cohorts."""
    return firm_scores_recompute(firm_ids=firm_ids).as_dict()
