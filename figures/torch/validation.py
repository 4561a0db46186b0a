"""The validation report of a return, before it is exported: per firm, what is missing or does
not add up. An error is a blank the form requires or a contradiction; a warning is something to
check with the firm (it may be right). ``CHECKS`` lists every check with its severity and
message; each is found by a small function of one firm's FirmYear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from figures.torch.rows import FirmYear, equity_in_year
from figures.torch.rules import TorchRules
from portfolio.choices import DatePrecision, ExitReason, MarketStatus
from portfolio.models import Incubator

ERROR = "error"
WARNING = "warning"
# GB/T 4754 codes: a section letter and two to four digits (I6510), as the NBS writes them.
NBS_CODE = re.compile(r"^[A-T][0-9]{2,4}$")

# code -> (severity, message). A message's %(...)s come from the check that finds it.
CHECKS = {
    "no_figures": (ERROR, _("No figures for %(year)s: fields %(fields)s are blank.")),
    "figures_demo_only": (
        ERROR,
        _("Only demo figures exist for %(year)s; they are left out, so fields %(fields)s are blank."),
    ),
    "figures_not_accepted": (
        WARNING,
        _(
            "The %(year)s figures were entered directly, not accepted through a figures request: "
            "confirm them with the firm."
        ),
    ),
    "figures_incomplete": (ERROR, _("Blank in the %(year)s figures: %(fields)s.")),
    "missing_credit_code": (ERROR, _("No unified social credit code (field 2).")),
    "missing_firm_fields": (ERROR, _("Missing: %(fields)s.")),
    "nbs_code_format": (
        WARNING,
        _("The industry code %(code)s is not a GB/T 4754 code (a letter and 2-4 digits, e.g. I6510)."),
    ),
    "entry_date_imprecise": (
        WARNING,
        _("The entry date (field 4) is imprecise (%(precision)s); %(date)s is its earliest possible day."),
    ),
    "founded_date_imprecise": (
        WARNING,
        _("The founding date (field 3) is imprecise (%(precision)s); %(date)s is its earliest possible day."),
    ),
    "several_stays": (
        WARNING,
        _("%(n)s stays in this incubator overlap %(year)s; the row reads the latest (entered %(date)s)."),
    ),
    "graduation_without_date": (ERROR, _("Graduated (field 10) without a graduation date (field 11).")),
    "market_status_without_date": (
        WARNING,
        _("The firm is %(status)s with no date: a graduation by the capital market cannot be dated."),
    ),
    "graduation_reason_unsupported": (
        WARNING,
        _("Graduated as a certified HNTE on %(date)s, but no HNTE certificate issued by then is recorded."),
    ),
    "ip_granted_above_applied": (
        WARNING,
        _(
            "More IP granted (%(granted)s) than applied for (%(applied)s) in the year: right only if "
            "earlier applications were granted."
        ),
    ),
    "ip_parts_above_valid": (
        ERROR,
        _(
            "Invention patents, software copyrights, plant varieties and IC layouts (%(parts)s) "
            "exceed the valid IP held (%(valid)s)."
        ),
    ),
    "rd_above_revenue": (
        WARNING,
        _("R&D expenditure (field 22) is above total revenue (field 19): check the units."),
    ),
    "profit_above_revenue": (
        WARNING,
        _("Net profit (field 20) is above total revenue (field 19): right only with large other income."),
    ),
    "tax_above_revenue": (WARNING, _("Taxes paid (field 23) are above total revenue (field 19).")),
    "angel_vc_events_without_amount": (
        WARNING,
        _("%(n)s angel/VC rounds of %(year)s have no amount in CNY: check field 16 with the firm."),
    ),
    "angel_vc_differs": (
        WARNING,
        _(
            "Angel/VC rounds of %(known)s CNY are recorded for %(year)s, but the figures say "
            "%(reported)s (field 16 takes the figures)."
        ),
    ),
    "contacts_missing": (
        WARNING,
        _(
            "Field %(number)s (unit head, statistics head, form filler, phone) is blank: no accepted "
            "figures submission of %(year)s gives it."
        ),
    ),
    "incubator_area_missing": (WARNING, _("The incubator's area is not recorded.")),
    "no_incubatees": (WARNING, _("No firm was incubated here in %(year)s (demo records left out).")),
}


@dataclass(frozen=True)
class Issue:
    severity: str  # ERROR | WARNING
    code: str
    message: str
    firm: str = ""  # the firm's name; empty for the incubator's own items
    firm_id: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


Finding = tuple[str, dict]  # (code, the message's values)


def _numbers(rules: TorchRules, prefix: str) -> str:
    """The top-level field numbers read from ``prefix`` ("figures."), e.g. "16, 19, 20, ... 25"."""
    numbers: list[str] = []
    for f in rules.fields:
        top = f.number.split(".")[0]
        if f.source.startswith(prefix) and top not in numbers:
            numbers.append(top)
    return ", ".join(numbers)


def _blank_required(
    rules: TorchRules, entry: FirmYear, prefixes: tuple[str, ...], skip: str = ""
) -> list[str]:
    """'number heading' of each required field read from ``prefixes`` that is blank."""
    return [
        f"{f.number} {f.heading}"
        for f in rules.fields
        if f.required
        and f.source.startswith(prefixes)
        and f.source != skip
        and entry.values.get(f.key) is None
    ]


def _figures(rules: TorchRules, entry: FirmYear, year: int) -> Iterator[Finding]:
    if entry.figures is None:
        code = "figures_demo_only" if entry.demo_figures else "no_figures"
        yield code, {"year": year, "fields": _numbers(rules, "figures.")}
        return
    if entry.figures.accepted_at is None:
        yield "figures_not_accepted", {"year": year}
    blank = _blank_required(rules, entry, ("figures.",))
    if blank:
        yield "figures_incomplete", {"year": year, "fields": "; ".join(blank)}


def _firm_fields(rules: TorchRules, entry: FirmYear, year: int) -> Iterator[Finding]:
    if not entry.firm.credit_code:
        yield "missing_credit_code", {}
    # The credit code has a check of its own (above).
    blank = _blank_required(rules, entry, ("firm.", "residency."), skip="firm.credit_code")
    if blank:
        yield "missing_firm_fields", {"fields": "; ".join(blank)}
    code = entry.firm.nbs_industry_code
    if code and not NBS_CODE.match(code):
        yield "nbs_code_format", {"code": code}


def _dates(rules: TorchRules, entry: FirmYear, year: int) -> Iterator[Finding]:
    residency, firm = entry.residency, entry.firm
    if residency.entered_precision != DatePrecision.DAY:
        precision = residency.get_entered_precision_display()
        yield "entry_date_imprecise", {"precision": precision, "date": residency.entered_on}
    if firm.founded_on and firm.founded_precision != DatePrecision.DAY:
        precision = firm.get_founded_precision_display()
        yield "founded_date_imprecise", {"precision": precision, "date": firm.founded_on}
    if entry.stays > 1:
        yield "several_stays", {"n": entry.stays, "year": year, "date": residency.entered_on}


def _graduation(rules: TorchRules, entry: FirmYear, year: int) -> Iterator[Finding]:
    residency, firm = entry.residency, entry.firm
    if entry.values.get("graduated") and entry.values.get("graduated_on") is None:
        yield "graduation_without_date", {}
    if firm.market_status != MarketStatus.NONE and firm.market_status_since is None:
        yield "market_status_without_date", {"status": firm.get_market_status_display().lower()}
    if entry.values.get("graduated") and residency.exit_reason == ExitReason.HNTE_CERTIFIED:
        hnte = entry.hnte
        if hnte is None or residency.exited_on is None or hnte.issued_on > residency.exited_on:
            yield "graduation_reason_unsupported", {"date": residency.exited_on}


def _above(low: int | Decimal | None, high: int | Decimal | None) -> bool:
    return low is not None and high is not None and low > high


def _consistency(rules: TorchRules, entry: FirmYear, year: int) -> Iterator[Finding]:
    figures = entry.figures
    if figures is None:
        return
    if _above(figures.ip_granted, figures.ip_applied):
        yield "ip_granted_above_applied", {"granted": figures.ip_granted, "applied": figures.ip_applied}
    parts = [
        figures.invention_patents,
        figures.software_copyrights,
        figures.plant_varieties,
        figures.ic_layouts,
    ]
    known = sum(p for p in parts if p is not None)
    if any(p is not None for p in parts) and _above(known, figures.ip_valid):
        yield "ip_parts_above_valid", {"parts": known, "valid": figures.ip_valid}
    if _above(figures.rd_expense, figures.revenue):
        yield "rd_above_revenue", {}
    if _above(figures.net_profit, figures.revenue):
        yield "profit_above_revenue", {}
    if _above(figures.tax_paid, figures.revenue):
        yield "tax_above_revenue", {}


def _angel_vc(rules: TorchRules, entry: FirmYear, year: int) -> Iterator[Finding]:
    known, unknown = equity_in_year(entry, rules.computations.angel_vc_instruments)
    if not known and not unknown:
        return
    if unknown:
        yield "angel_vc_events_without_amount", {"n": unknown, "year": year}
    reported = entry.figures.angel_vc_received if entry.figures else None
    if known and (reported is None or Decimal(reported) != known):
        shown = "—" if reported is None else f"{reported:,.2f}"
        yield "angel_vc_differs", {"known": f"{known:,.2f}", "year": year, "reported": shown}


def _contacts(rules: TorchRules, entry: FirmYear, year: int) -> Iterator[Finding]:
    people = [f for f in rules.fields if f.source.startswith("submission.")]
    if people and all(entry.values.get(f.key) is None for f in people):
        yield "contacts_missing", {"number": people[0].number.split(".")[0], "year": year}


FIRM_CHECKS: tuple[Callable[[TorchRules, FirmYear, int], Iterator[Finding]], ...] = (
    _figures,
    _firm_fields,
    _dates,
    _graduation,
    _consistency,
    _angel_vc,
    _contacts,
)


def issue(code: str, values: dict, entry: FirmYear | None = None) -> Issue:
    severity, message = CHECKS[code]
    return Issue(
        severity,
        code,
        str(message) % values if values else str(message),
        firm=entry.name if entry else "",
        firm_id=entry.firm.pk if entry else None,
    )


def firm_issues(rules: TorchRules, entry: FirmYear, year: int) -> list[Issue]:
    found = [
        issue(code, values, entry) for check in FIRM_CHECKS for code, values in check(rules, entry, year)
    ]
    return [i for i in found if i.is_error] + [i for i in found if not i.is_error]


def validation_report(
    rules: TorchRules, incubator: Incubator, year: int, entries: list[FirmYear]
) -> list[Issue]:
    """The incubator's own issues first, then each firm's in row order, errors before warnings."""
    issues = []
    if incubator.area_m2 is None:
        issues.append(issue("incubator_area_missing", {}))
    if not entries:
        issues.append(issue("no_incubatees", {"year": year}))
    for entry in entries:
        issues += firm_issues(rules, entry, year)
    return issues
