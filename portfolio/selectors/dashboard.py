"""What the admin home shows a staff member about their incubators, in a fixed number of queries.

Every figure is narrowed through ``portfolio.selectors.scope`` and read with one aggregate
query per tile (the ladder's "who can apply" counts reuse ``ladder.standing.standings``, eight
queries however many firms), so the home page costs the same for one firm or ten thousand.
Each tile names the list it is drawn from; the firm list's "ladder stage" filter applies the
same conditions as the funnel (``stage_condition``), so a count and the list behind it agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from figures.models import FiguresRequest
from figures.selectors import figures_requests_for_user, figures_requests_with_progress, progress_of
from ladder.standing import ELIGIBLE, WITHIN_REACH, standings
from portfolio.choices import (
    GRADUATION_REASONS,
    CertificationStatus,
    DeadlineStatus,
    FinancingKind,
    MarketStatus,
)
from portfolio.models import Certification, Deadline, FinancingEvent, Residency
from portfolio.selectors.scope import (
    firms_for_user,
    memberships_of,
    scope_to_incubators,
    scope_to_user,
    user_sees_everything,
)

# The funnel's stages, in ladder order, with what each counts (shown as the tile's help text).
STAGES = {
    "in_incubation": _("In incubation"),
    "tsme": _("Tech-based SME"),
    "hnte": _("High-tech enterprise"),
    "listing": _("Listing pool"),
    "graduated": _("Graduated"),
}
STAGE_HELP = {
    "in_incubation": _("Firms with an open stay in one of your incubators."),
    "tsme": _("Firms holding a granted tech-based SME registration in force today."),
    "hnte": _("Firms holding a granted high-tech enterprise certificate in force today."),
    "listing": _(
        "Firms quoted, listed, merged or acquired, or holding a granted listing-ladder "
        "certificate (listing-cultivation pool, listing reserve) in force today."
    ),
    "graduated": _("Firms whose stay in one of your incubators ended with a graduation."),
}
LISTED_STATUSES = (MarketStatus.QUOTED, MarketStatus.LISTED, MarketStatus.MERGED_ACQUIRED)
DEADLINE_WEEKS = 12
FINANCING_YEARS = 5
FIGURES_REQUESTS_SHOWN = 5
COLUMN, COLUMN_MAX, COLUMN_BASE = 44, 100, 120
DASHBOARD_PERMS = (
    "portfolio.view_firm",
    "portfolio.view_deadline",
    "portfolio.view_financingevent",
)


def _in_force(rank: int, on: datetime.date) -> Exists:
    return Exists(
        Certification.objects.filter(
            firm=OuterRef("pk"), kind__ladder_rank=rank, status=CertificationStatus.GRANTED
        ).filter(
            Q(issued_on__isnull=True) | Q(issued_on__lte=on),
            Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        )
    )


def stage_condition(stage: str, user: User, on: datetime.date) -> Q:
    """The condition a firm meets to stand at ``stage`` of the funnel for ``user`` on ``on``."""
    if stage == "in_incubation":
        stays = Residency.objects.filter(firm=OuterRef("pk"), exited_on__isnull=True)
        return Q(Exists(scope_to_incubators(stays, user)))
    if stage == "graduated":
        stays = Residency.objects.filter(firm=OuterRef("pk"), exit_reason__in=GRADUATION_REASONS)
        return Q(Exists(scope_to_incubators(stays, user)))
    if stage == "listing":
        return Q(market_status__in=LISTED_STATUSES) | Q(_in_force(3, on))
    return Q(_in_force({"tsme": 1, "hnte": 2}[stage], on))


@dataclass
class Bar:
    key: str
    label: str
    count: int
    percent: float = 0.0  # of the largest bar of its chart, for the drawing
    help: str = ""
    url_query: str = ""
    extra: dict = field(default_factory=dict)


def _scale(bars: list[Bar]) -> list[Bar]:
    top = max((bar.count for bar in bars), default=0)
    for bar in bars:
        bar.percent = round(100 * bar.count / top, 1) if top else 0.0
    return bars


def funnel(user: User, on: datetime.date) -> list[Bar]:
    """The firms at each stage of the ladder (one query)."""
    counts = firms_for_user(user).aggregate(
        **{stage: Count("pk", filter=stage_condition(stage, user, on)) for stage in STAGES}
    )
    return _scale(
        [
            Bar(stage, str(label), counts[stage], help=str(STAGE_HELP[stage]), url_query=f"stage={stage}")
            for stage, label in STAGES.items()
        ]
    )


@dataclass
class Deadlines:
    overdue: int
    weeks: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.weeks)


def deadlines_by_week(user: User, on: datetime.date) -> Deadlines:
    """Open deadlines overdue, and due in each of the next twelve weeks from ``on`` (one query)."""
    end = on + datetime.timedelta(days=7 * DEADLINE_WEEKS - 1)
    rows = (
        scope_to_user(Deadline.objects.filter(status=DeadlineStatus.OPEN, due_on__lte=end), user)
        .order_by()
        .values("due_on")
        .annotate(n=Count("pk"))
        .values_list("due_on", "n")
    )
    overdue, per_week = 0, [0] * DEADLINE_WEEKS
    for due_on, n in rows:
        if due_on < on:
            overdue += n
        else:
            per_week[(due_on - on).days // 7] += n
    weeks = []
    for index, count in enumerate(per_week):
        starts = on + datetime.timedelta(days=7 * index)
        ends = starts + datetime.timedelta(days=6)
        weeks.append(
            Bar(
                key=str(index + 1),
                label=f"{starts:%m-%d}",
                count=count,
                url_query=f"status=open&due_on__gte={starts.isoformat()}&due_on__lte={ends.isoformat()}",
                extra={"starts": starts, "ends": ends},
            )
        )
    _scale(weeks)
    for index, bar in enumerate(weeks):
        # The column chart's geometry: columns COLUMN apart, at most COLUMN_MAX high.
        height = round(bar.percent * COLUMN_MAX / 100) if bar.count else 0
        bar.extra.update(
            x=index * COLUMN, y=COLUMN_BASE - height, height=height, text_y=COLUMN_BASE - height - 4
        )
    return Deadlines(overdue=overdue, weeks=weeks)


@dataclass
class Ladder:
    """Counts from the ladder's standings of the open stays; ``computed`` False when there are
    more stays than the home page evaluates (the ladder page still has them)."""

    computed: bool
    open_stays: int
    apply: list[Bar] = field(default_factory=list)
    over_limit: int = 0
    near_limit: int = 0
    near_months: int = 0


def ladder_counts(user: User, on: datetime.date) -> Ladder:
    """Who can apply this year and who is near or past the incubation limit: the ladder page's
    own counting (``standings``), a fixed number of queries."""
    residencies = scope_to_incubators(Residency.objects.filter(exited_on__isnull=True), user)
    open_stays = residencies.count()
    near_months = settings.DASHBOARD_NEAR_LIMIT_MONTHS
    if open_stays > settings.DASHBOARD_LADDER_MAX_STAYS:
        return Ladder(computed=False, open_stays=open_stays, near_months=near_months)
    found = standings(residencies.order_by("pk"), on, rules=("tsme", "hnte", "incubation_clock"))
    counts = {(rung, status): 0 for rung in ("tsme", "hnte") for status in (ELIGIBLE, WITHIN_REACH)}
    over, near = 0, 0
    for standing in found:
        for rung in ("tsme", "hnte"):
            key = (rung, standing.statuses.get(rung))
            if key in counts:
                counts[key] += 1
        if standing.over_limit:
            over += 1
            continue
        clock = standing.evaluations.get("incubation_clock")
        months_left = clock.extra.get("months_left") if clock else None
        if months_left is not None and months_left <= near_months:
            near += 1
    labels = {
        ("tsme", ELIGIBLE): _("Tech-based SME: eligible now"),
        ("tsme", WITHIN_REACH): _("Tech-based SME: within reach"),
        ("hnte", ELIGIBLE): _("High-tech enterprise: eligible now"),
        ("hnte", WITHIN_REACH): _("High-tech enterprise: within reach"),
    }
    bars = [
        Bar(f"{rung}-{status}", str(labels[(rung, status)]), n, url_query=f"view={rung}&status={status}")
        for (rung, status), n in counts.items()
    ]
    return Ladder(
        computed=True,
        open_stays=open_stays,
        apply=_scale(bars),
        over_limit=over,
        near_limit=near,
        near_months=near_months,
    )


@dataclass
class FinancingYear:
    year: int
    bars: list[Bar]  # one per kind, in FinancingKind's order

    @property
    def count(self) -> int:
        return sum(bar.count for bar in self.bars)


def financing_by_kind_and_year(user: User, on: datetime.date) -> list[FinancingYear]:
    """Financing events of the last five years by kind: how many, and their CNY sum (one query)."""
    first = on.year - FINANCING_YEARS + 1
    rows = (
        scope_to_user(FinancingEvent.objects.filter(occurred_on__year__gte=first, occurred_on__lte=on), user)
        .annotate(year=ExtractYear("occurred_on"))
        .order_by()
        .values("year", "kind")
        .annotate(n=Count("pk"), cny=Sum("amount", filter=Q(currency="CNY")))
        .values_list("year", "kind", "n", "cny")
    )
    found = {(year, kind): (n, cny) for year, kind, n, cny in rows}
    years = []
    for year in range(on.year, first - 1, -1):
        bars = []
        for kind in FinancingKind:
            n, cny = found.get((year, kind.value), (0, None))
            bars.append(
                Bar(
                    kind.value,
                    str(kind.label),
                    n,
                    url_query=f"kind={kind.value}&occurred_on__year={year}",
                    extra={"cny": cny},
                )
            )
        years.append(FinancingYear(year, bars))
    top = max((y.count for y in years), default=0)
    for item in years:
        for bar in item.bars:
            bar.percent = round(100 * bar.count / top, 1) if top else 0.0
    return years


def figures_progress(user: User) -> list[tuple[FiguresRequest, object]]:
    """The open figures requests of the user's incubators, latest due first, with their progress
    (one query)."""
    requests = figures_requests_with_progress(
        figures_requests_for_user(user).filter(closed=False).select_related("incubator")
    ).order_by("-due_on", "-pk")[:FIGURES_REQUESTS_SHOWN]
    return [(request, progress_of(request)) for request in requests]


@dataclass
class Dashboard:
    on: datetime.date
    funnel: list[Bar] | None = None
    deadlines: Deadlines | None = None
    ladder: Ladder | None = None
    financing: list[FinancingYear] | None = None
    figures: list | None = None
    kinds: list = field(default_factory=list)


def dashboard_for(user: User, on: datetime.date) -> Dashboard:
    """The tiles the user may see (by their view permissions), each read once."""
    dashboard = Dashboard(on=on)
    perms = {p for p in DASHBOARD_PERMS if user.has_perm(p)}
    if "portfolio.view_firm" in perms:
        dashboard.funnel = funnel(user, on)
        dashboard.ladder = ladder_counts(user, on)
    if "portfolio.view_deadline" in perms:
        dashboard.deadlines = deadlines_by_week(user, on)
    if "portfolio.view_financingevent" in perms:
        dashboard.financing = financing_by_kind_and_year(user, on)
        dashboard.kinds = [(kind.value, kind.label) for kind in FinancingKind]
    # The figures pages go by membership, not by a model permission (figures/admin/requests).
    if user.is_staff and (user_sees_everything(user) or memberships_of(user)):
        dashboard.figures = figures_progress(user)
    return dashboard
