"""The staff pages of the ladder: a firm's panel and the portfolio's "who can apply".

Both read ``ladder.standing``: a fixed number of queries for one firm or ten thousand, then
pure evaluations. The list is narrowed to the staff member's incubators, filtered in memory
(status, incubator, name) because the status is computed, paginated for the page and exported
whole as CSV or XLSX.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import tablib
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ladder import presentation
from ladder.standing import (
    ELIGIBLE,
    MISSING_DATA,
    NOT_ELIGIBLE,
    STATUSES,
    WITHIN_REACH,
    FirmStanding,
    ladder_residencies,
    standings,
    windows_for,
)
from portfolio.models import Residency
from portfolio.resources import formula_neutralise
from portfolio.selectors.scope import incubators_for_user, scope_to_incubators
from scoring.presentation import score_panel

STATUS_LABELS = {
    ELIGIBLE: gettext_lazy("Eligible now"),
    WITHIN_REACH: gettext_lazy("Within reach"),
    MISSING_DATA: gettext_lazy("Missing data"),
    NOT_ELIGIBLE: gettext_lazy("Not eligible"),
}
# The same four statuses read differently on the rules that are not rungs.
RULE_STATUS_LABELS = {
    "graduation": {ELIGIBLE: gettext_lazy("Graduation candidate"), NOT_ELIGIBLE: gettext_lazy("Not yet")},
    "incubation_clock": {
        ELIGIBLE: gettext_lazy("Within the limit"),
        NOT_ELIGIBLE: gettext_lazy("Over the limit"),
    },
    "incubation_entry": {
        ELIGIBLE: gettext_lazy("Young enough"),
        NOT_ELIGIBLE: gettext_lazy("Older than the limit"),
    },
}


def status_label(rule: str, status: str) -> str:
    return str(RULE_STATUS_LABELS.get(rule, {}).get(status) or STATUS_LABELS.get(status, ""))


VIEWS = {
    "tsme": gettext_lazy("Tech-based SME"),
    "hnte": gettext_lazy("High-tech enterprise"),
    "graduation": gettext_lazy("Graduation candidates"),
    "over_limit": gettext_lazy("Past the incubation limit"),
}
PAGE_SIZE = 100


@dataclass
class Row:
    standing: FirmStanding
    rule: str

    @property
    def facts(self):
        return self.standing.facts

    @property
    def evaluation(self):
        return self.standing.evaluations.get(self.rule)

    @property
    def status(self) -> str:
        return self.standing.statuses.get(self.rule, "")

    @property
    def status_label(self) -> str:
        return status_label(self.rule, self.status)

    @property
    def summary(self) -> str:
        evaluation = self.evaluation
        if evaluation is None:
            return self.standing.errors.get(self.rule, "")
        if self.rule == "graduation":
            met = [presentation.label("graduation", n) for n, c in evaluation.criteria.items() if c.met]
            return "; ".join(met)
        if self.rule == "incubation_clock":
            return presentation.gap_text(evaluation.criteria["within_limit"])
        return presentation.summary(self.rule, evaluation.criteria, eligible=evaluation.eligible)


def _rule_of(view: str) -> str:
    return "incubation_clock" if view == "over_limit" else view


def _keep(row: Row, view: str, status: str) -> bool:
    if view == "over_limit":
        return row.standing.over_limit
    if view == "graduation":
        return row.standing.graduation_candidate
    return not status or row.status == status


def candidate_rows(request: HttpRequest, on: datetime.date) -> tuple[list[Row], dict]:
    """The rows for the request's filters, and the counts by status for the sidebar."""
    view = request.GET.get("view", "tsme")
    view = view if view in VIEWS else "tsme"
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    residencies = scope_to_incubators(
        Residency.objects.filter(exited_on__isnull=True), request.user
    ).order_by("firm__name", "pk")
    incubator = request.GET.get("incubator", "")
    if incubator.isdigit():
        residencies = residencies.filter(incubator_id=int(incubator))
    query = request.GET.get("q", "").strip()
    if query:
        residencies = residencies.filter(firm__name__icontains=query)
    rule = _rule_of(view)
    all_rows = [Row(s, rule) for s in standings(residencies, on, rules=(rule,))]
    counts = {s: 0 for s in STATUSES}
    for row in all_rows:
        if row.status in counts:
            counts[row.status] += 1
    rows = [row for row in all_rows if _keep(row, view, status)]
    if view in ("tsme", "hnte"):
        order = {s: i for i, s in enumerate(STATUSES)}
        rows.sort(key=lambda r: order.get(r.status, len(order)))
    filters = {"view": view, "status": status, "incubator": incubator, "q": query, "counts": counts}
    return rows, filters


def export(rows: list[Row], view: str, fmt: str, on: datetime.date) -> HttpResponse:
    data = tablib.Dataset(
        headers=[
            _("Firm"),
            _("Incubator"),
            _("Entered on"),
            _("Status"),
            _("Score"),
            _("Details"),
            _("Rules version"),
            _("Evaluated on"),
        ]
    )
    for row in rows:
        evaluation = row.evaluation
        data.append(
            [
                formula_neutralise(row.facts.name),
                formula_neutralise(row.facts.residency["incubator"]),
                row.facts.residency["entered_on"].isoformat(),
                row.status_label,
                "" if evaluation is None or evaluation.score is None else evaluation.score,
                formula_neutralise(row.summary),
                evaluation.rules_version if evaluation else "",
                on.isoformat(),
            ]
        )
    name = f"ladder-{view}-{on.isoformat()}"
    if fmt == "xlsx":
        response = HttpResponse(
            data.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    # A byte-order mark so that spreadsheet programs read the Chinese names as UTF-8.
    response = HttpResponse("\ufeff" + data.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def who_can_apply_view(model_admin, request: HttpRequest) -> HttpResponse:
    on = timezone.localdate()
    rows, filters = candidate_rows(request, on)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return export(rows, filters["view"], fmt, on)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    windows = windows_for(on)
    window = windows.get(filters["view"])
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Who can apply"),
        "on": on,
        "page": page,
        "rows": page.object_list,
        "filters": filters,
        "views": VIEWS,
        "statuses": [(s, STATUS_LABELS[s], filters["counts"][s]) for s in STATUSES],
        "incubators": list(incubators_for_user(request.user).values_list("pk", "name")),
        "window": window,
        "window_state": window.state(on) if window else "",
        "total": len(rows),
        "query_string": request.GET.urlencode(),
    }
    return TemplateResponse(request, "admin/ladder/who_can_apply.html", context)


def panel_context(firm_id: int, on: datetime.date | None = None) -> dict | None:
    """The firm's ladder panel: every rule evaluated for its open residency (or its latest)."""
    on = on or timezone.localdate()
    found = standings(ladder_residencies([firm_id]), on)
    if not found:
        return None
    standing = found[0]
    windows = windows_for(on)
    sections = []
    for rule in ("tsme", "hnte", "graduation", "incubation_clock", "incubation_entry"):
        evaluation = standing.evaluations.get(rule)
        window = windows.get(rule)
        sections.append(
            {
                "rule": rule,
                "title": presentation.RULE_LABELS[rule],
                "next": rule == standing.next_rung,
                "status": standing.statuses.get(rule, ""),
                "status_label": status_label(rule, standing.statuses.get(rule, "")),
                "evaluation": evaluation,
                "error": standing.errors.get(rule, ""),
                "rows": presentation.rows(rule, evaluation.criteria) if evaluation else [],
                "window": window,
                "window_state": window.state(on) if window else "",
                "months_left": evaluation.extra.get("months_left") if evaluation else None,
                "ends_on": evaluation.extra.get("ends_on") if evaluation else None,
            }
        )
    return {"standing": standing, "sections": sections, "on": on, "score": score_panel(firm_id)}
