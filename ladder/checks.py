"""Rule checks that forms run while staff type: a warning staff can override with a reason."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from ladder.engine.incubation import evaluate_entry
from ladder.engine.inputs import EntryInputs
from ladder.engine.rules import NoRulesInForce
from ladder.selectors import ruleset_in_force


def entry_age_problem(founded_on: datetime.date | None, entered_on: datetime.date | None) -> str | None:
    """Why admitting a firm founded on ``founded_on`` on ``entered_on`` breaks the entry-age rule
    in force that day (国科发区〔2018〕300号: at most 24 months old), or None when it does not or
    cannot be told."""
    if founded_on is None or entered_on is None:
        return None
    try:
        ruleset = ruleset_in_force("incubation_entry", entered_on)
    except NoRulesInForce:
        return None
    criterion = evaluate_entry(EntryInputs(founded_on, entered_on), entered_on, ruleset).criteria["entry_age"]
    if criterion.met is not False:
        return None
    return _(
        "The firm was %(months)d months old when it entered on %(entered)s; incubatees may be at most "
        "%(limit)s months old on entry (%(source)s). To admit it anyway, give the reason here."
    ) % {
        "months": criterion.value,
        "entered": entered_on.isoformat(),
        "limit": criterion.threshold,
        "source": ruleset.source,
    }
