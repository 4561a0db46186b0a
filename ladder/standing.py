"""Where each firm stands on the ladder on a date: one read, every rule evaluated in memory.

``standings(residencies, on)`` is what the firm's ladder panel, the "who can apply" page, its
export and the partner API share: the facts in a fixed number of queries (ladder/facts.py), the
rule sets in force once, then pure evaluations. A rung's status is one of

- ``eligible``: every criterion met (or, for TSME, a direct pass with the gates met);
- ``within_reach``: not yet, but nothing unknown and at most ``max_failing`` criteria short, each
  with a measurable gap no larger than ``max_points`` points, ``max_staff`` tech staff or
  ``max_cny`` yuan (a cap exceeded is never within reach): our own heuristic for "worth a call
  this year", kept in settings (``LADDER_WITHIN_REACH``), not an official rule;
- ``missing_data``: nothing fails outright, but inputs are missing;
- ``not_eligible``: something fails that a year's work does not close.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, OuterRef, QuerySet, Subquery

from ladder import adapters
from ladder.engine.evaluate import EVALUATORS
from ladder.engine.result import Criterion, Evaluation
from ladder.engine.rules import NoRulesInForce, RuleSet, rules_in_force
from ladder.facts import FirmFacts, firm_facts
from ladder.selectors import rulesets_active
from portfolio.models import ObligationWindow, Residency

ELIGIBLE, WITHIN_REACH = "eligible", "within_reach"
MISSING_DATA, NOT_ELIGIBLE = "missing_data", "not_eligible"
STATUSES = (ELIGIBLE, WITHIN_REACH, MISSING_DATA, NOT_ELIGIBLE)
RUNGS = ("tsme", "hnte")
# The certification kind whose yearly filing window is the application window of each rung.
WINDOW_KINDS = {"tsme": "tsme", "hnte": "hnte"}
LISTING_RANK = 3


@dataclass(frozen=True)
class Window:
    """This year's application window of a rung, from the certification kind's filing windows."""

    year: int
    opens_on: datetime.date | None
    due_on: datetime.date
    source: str

    def state(self, on: datetime.date) -> str:
        if self.opens_on is not None and on < self.opens_on:
            return "upcoming"
        return "closed" if on > self.due_on else "open"


@dataclass
class FirmStanding:
    facts: FirmFacts
    on: datetime.date
    current_rank: int  # 0 none, 1 TSME, 2 HNTE, 3 listing
    evaluations: dict[str, Evaluation] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # rule -> why it could not be evaluated

    @property
    def next_rung(self) -> str:
        """The rung to work on: TSME for a firm holding nothing, HNTE once it holds a TSME
        registration, listing once it is certified HNTE."""
        return {0: "tsme", 1: "hnte"}.get(self.current_rank, "listing")

    @property
    def graduation_candidate(self) -> bool:
        return self.facts.residency["exited_on"] is None and self.statuses.get("graduation") == ELIGIBLE

    @property
    def over_limit(self) -> bool:
        clock = self.evaluations.get("incubation_clock")
        return bool(clock and self.facts.residency["exited_on"] is None and clock.extra["over_limit"])


def _shortfalls(evaluation: Evaluation) -> list[Criterion]:
    failing = [evaluation.criteria[name] for name in evaluation.failing]
    if evaluation.rule != "tsme":
        return failing
    # The TSME score's parts are not conditions of their own: only the total and the gates
    # decide. But a total that fails only because the tech-staff score is 0 is closed by
    # hiring, so the tech-staff part stands for it.
    shortfalls = [c for c in failing if c.name not in ("tech_staff", "rd", "ip", "direct_pass", "score")]
    score = evaluation.criteria.get("score")
    if score is not None and score.met is False:
        staff = evaluation.criteria.get("tech_staff")
        zero_staff = score.gap is None and staff is not None and staff.met is False
        shortfalls.append(staff if zero_staff else score)
    return shortfalls


def _small(criterion: Criterion, terms: dict) -> bool:
    limits = {"points": terms["max_points"], "staff": terms["max_staff"], "cny": terms["max_cny"]}
    limit = limits.get(criterion.gap_unit)
    return limit is None or criterion.gap <= limit


def classify(evaluation: Evaluation) -> str:
    if evaluation.eligible:
        return ELIGIBLE
    terms = settings.LADDER_WITHIN_REACH
    failing = _shortfalls(evaluation)
    closable = [c for c in failing if c.gap is not None and c.gap_unit != "days" and not c.exceeds_cap]
    if len(closable) < len(failing):
        return NOT_ELIGIBLE
    if evaluation.unknown:
        return MISSING_DATA
    small = all(_small(c, terms) for c in failing)
    return WITHIN_REACH if len(failing) <= terms["max_failing"] and small else NOT_ELIGIBLE


def current_rank(facts: FirmFacts, on: datetime.date) -> int:
    ranks = [c["kind__ladder_rank"] for c in facts.certificates if adapters.valid_on(c, on)]
    if facts.firm["market_status"] in ("listed", "quoted", "merged_acquired"):
        ranks.append(LISTING_RANK)
    return max(ranks, default=0)


def _inputs(rule: str, facts: FirmFacts, on: datetime.date, ruleset: RuleSet):
    if rule == "tsme":
        return adapters.tsme_inputs(facts, on, ruleset)
    if rule == "hnte":
        return adapters.hnte_inputs(facts, on, ruleset)
    if rule == "graduation":
        return adapters.graduation_inputs(facts, on)
    if rule == "incubation_clock":
        return adapters.clock_inputs(facts, ruleset)
    return adapters.entry_inputs(facts)


def standing_of(facts: FirmFacts, on: datetime.date, rulesets: dict[str, RuleSet | str]) -> FirmStanding:
    standing = FirmStanding(facts=facts, on=on, current_rank=current_rank(facts, on))
    for rule, ruleset in rulesets.items():
        if isinstance(ruleset, str):
            standing.errors[rule] = ruleset
            continue
        evaluation = EVALUATORS[rule](_inputs(rule, facts, on, ruleset), on, ruleset)
        standing.evaluations[rule] = evaluation
        standing.statuses[rule] = classify(evaluation)
    return standing


def rulesets_on(on: datetime.date, rulesets: tuple[RuleSet, ...] | None = None) -> dict[str, RuleSet | str]:
    """The version of each rule in force on ``on``, or the reason there is none."""
    rulesets = rulesets_active() if rulesets is None else rulesets
    result: dict[str, RuleSet | str] = {}
    for rule in EVALUATORS:
        try:
            result[rule] = rules_in_force(rule, on, rulesets)
        except NoRulesInForce as exc:
            result[rule] = str(exc)
    return result


def ladder_residencies(firm_ids: list[int]) -> QuerySet[Residency]:
    """One residency per firm, the one its standing is read from: the open one, else the latest
    (the firm's panel and the partner API alike)."""
    chosen = (
        Residency.objects.filter(firm=OuterRef("firm"))
        .order_by(F("exited_on").desc(nulls_first=True), "-entered_on", "-pk")
        .values("pk")[:1]
    )
    return Residency.objects.filter(firm_id__in=firm_ids, pk=Subquery(chosen))


def standings(
    residencies: QuerySet[Residency],
    on: datetime.date,
    *,
    rulesets: tuple[RuleSet, ...] | None = None,
    rules: tuple[str, ...] | None = None,
) -> list[FirmStanding]:
    """Every residency's standing on ``on``: eight queries, however many residencies.

    ``rules`` narrows the evaluations to those a caller shows (a list of one rung need not
    score the others for ten thousand firms); all of them by default.
    """
    in_force = rulesets_on(on, rulesets)
    if rules is not None:
        in_force = {rule: ruleset for rule, ruleset in in_force.items() if rule in rules}
    return [standing_of(facts, on, in_force) for facts in firm_facts(residencies, on)]


def windows_for(on: datetime.date) -> dict[str, Window]:
    """Each rung's filing window for ``on``'s year, where the catalogue has one (one query)."""
    kinds = {kind: rung for rung, kind in WINDOW_KINDS.items()}
    windows: dict[str, Window] = {}
    rows = ObligationWindow.objects.filter(
        year=on.year, obligation__kind__code__in=kinds, obligation__is_active=True
    ).values("obligation__kind__code", "opens_on", "due_on", "source")
    for row in rows:
        windows[kinds[row["obligation__kind__code"]]] = Window(
            on.year, row["opens_on"], row["due_on"], row["source"]
        )
    return windows
