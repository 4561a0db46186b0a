"""The demo scenario's innovation scores: computed once the demo's records are in, and the lines
load_demo_scenario prints (how many firms got a score; a curl line for one firm's breakdown)."""

from __future__ import annotations

import shlex

from portfolio.models import Firm
from scoring.models import FirmScore
from scoring.services import scores_recompute_all

# A firm the demo bank may see (consent in force) that gets a score from the demo figures (the
# article firms without a founding date get none: their stage cannot be decided).
EXAMPLE_FIRM_KEY = "firm-huachen"


def demo_scores() -> str:
    """Every cohort, now (the demo writes its figures in one transaction, before any worker runs)."""
    result = scores_recompute_all()
    return (
        f"Innovation scores: {result.firms} firms in {result.cohorts} cohorts, {result.scored} with a score"
    )


def demo_score_lines(site: str, raw_key: str) -> list[str]:
    firm = Firm.objects.filter(key=EXAMPLE_FIRM_KEY).first()
    if firm is None:
        return []
    score = FirmScore.objects.filter(firm=firm).first()
    total = score.total if score is not None and score.total is not None else "no score"
    url = f"{site}/api/v1/firms/{firm.pk}/innovation-score/"
    return [
        f"Innovation score of {firm.name_en or firm.name} ({total}), indicator by indicator:",
        f"  curl -s -H {shlex.quote('Authorization: Api-Key ' + raw_key)} {shlex.quote(url)}",
    ]
