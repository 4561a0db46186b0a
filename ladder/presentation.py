"""Evaluations in the words staff read: labels, values, thresholds and the gap in plain terms.

The engine returns numbers (shares 0-1, yuan, counts, dates); this module turns them into
"R&D over three years is 4.2% of revenue; 5% needs 240,000 CNY more" or "2 more tech staff".
Nothing here decides anything: it only formats what the engine decided.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ladder.engine.result import Criterion

# Criterion names as staff read them; every name the engine uses has a label here (a test
# checks it), so the panel never shows a bare identifier.
LABELS = {
    "tsme": {
        "employees": gettext_lazy("Staff at most the cap"),
        "revenue": gettext_lazy("Sales revenue at most the cap"),
        "total_assets": gettext_lazy("Total assets at most the cap"),
        "resident_enterprise": gettext_lazy("Resident enterprise, taxed on audited accounts"),
        "industry_allowed": gettext_lazy("Industry not restricted or excluded"),
        "clean_record": gettext_lazy("No accident, violation or listing this year or last"),
        "tech_staff": gettext_lazy("Tech staff share"),
        "rd": gettext_lazy("R&D intensity (better of the two options)"),
        "ip": gettext_lazy("Intellectual property"),
        "score": gettext_lazy("Total score"),
        "direct_pass": gettext_lazy("Direct pass"),
    },
    "hnte": {
        "registered_one_year": gettext_lazy("Registered for at least 365 days"),
        "core_ip": gettext_lazy("Owns IP giving core support to its products"),
        "high_tech_field": gettext_lazy("Core technology in a state-supported field"),
        "tech_staff": gettext_lazy("Tech staff share"),
        "rd_ratio": gettext_lazy("R&D ÷ revenue over the last three years"),
        "rd_domestic": gettext_lazy("R&D spent in China"),
        "high_tech_revenue": gettext_lazy("High-tech products' share of revenue"),
        "innovation_score": gettext_lazy("Innovation-capability score"),
        "clean_record": gettext_lazy("No major accident or environmental violation last year"),
    },
    "graduation": {
        "hnte": gettext_lazy("Certified high-tech enterprise"),
        "angel_vc": gettext_lazy("Angel/VC investment received in total"),
        "revenue_two_years": gettext_lazy("Revenue over two consecutive years"),
        "listed_or_acquired": gettext_lazy("Merged, acquired, quoted or listed"),
    },
    "incubation_clock": {
        "within_limit": gettext_lazy("Within the incubation limit"),
    },
    "incubation_entry": {
        "entry_age": gettext_lazy("Age of the firm on entry"),
    },
}

DIRECT_PASS_LABELS = {
    "valid_hnte": gettext_lazy("valid high-tech enterprise certificate"),
    "national_award_top3_5y": gettext_lazy("national S&T award, top 3 units, last 5 years"),
    "provincial_rd_institution": gettext_lazy("accredited provincial-or-higher R&D institution"),
    "led_standard_5y": gettext_lazy("led a national, industry or international standard, last 5 years"),
}


def direct_pass_labels(names) -> list[str]:
    return [str(DIRECT_PASS_LABELS.get(n, n)) for n in names or ()]


RULE_LABELS = {
    "tsme": gettext_lazy("Tech-based SME"),
    "hnte": gettext_lazy("High and new technology enterprise"),
    "graduation": gettext_lazy("Graduation"),
    "incubation_clock": gettext_lazy("Incubation clock"),
    "incubation_entry": gettext_lazy("Age on entry"),
}


def label(rule: str, name: str) -> str:
    return str(LABELS.get(rule, {}).get(name, name.replace("_", " ")))


def money(amount: Decimal | int, *, rounding: str = ROUND_HALF_UP) -> str:
    # Grouped by thousands in every language, as the official forms and bank statements write it.
    whole = Decimal(amount).quantize(Decimal(1), rounding=rounding)
    return _("%(amount)s CNY") % {"amount": f"{whole:,}"}


def percent(share: Decimal) -> str:
    # Rounded down, as the engine compares: 4.9999% must not read as the 5.0% it misses.
    value = (Decimal(share) * 100).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return f"{number_format(value, 1)}%"


def show(value: Any, *, share: bool = False) -> str:
    """A value or threshold as text: shares as percentages, money grouped, dates ISO."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if share:
            return percent(value)
        if value == value.to_integral_value() or abs(value) >= 1000:
            return money(value)
        return number_format(value, 2)
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v, share=share) for v in value)
    return str(value)


def is_share(criterion: Criterion) -> bool:
    """Shares are compared with thresholds below one; money and counts never are."""
    return isinstance(criterion.threshold, Decimal) and criterion.threshold < 1


def show_value(criterion: Criterion) -> str:
    value = criterion.value
    if criterion.name == "direct_pass":
        return ", ".join(direct_pass_labels(value)) or "—"
    if criterion.name == "registered_one_year" and isinstance(value, int):
        return ngettext("%(n)d day", "%(n)d days", value) % {"n": value}
    if criterion.name in ("entry_age", "within_limit") and isinstance(value, int):
        return ngettext("%(n)d month", "%(n)d months", value) % {"n": value}
    if isinstance(value, dict):
        if set(value) == {"class_one", "class_two"}:
            return _("class I: %(one)s, class II: %(two)s") % {
                "one": show(value["class_one"]),
                "two": show(value["class_two"]),
            }
        return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
    return show(value, share=is_share(criterion))


def show_threshold(criterion: Criterion) -> str:
    threshold = criterion.threshold
    if isinstance(threshold, (list, tuple)) and criterion.name == "direct_pass":
        return _("any one of four routes")
    return show(threshold, share=is_share(criterion))


def gap_text(criterion: Criterion) -> str:
    """How far a criterion that is not met is from being met, in plain terms, or why it is unknown."""
    if criterion.met is None:
        return _("Missing data")
    if criterion.name == "score" and criterion.met is False and criterion.gap is None:
        return _("the tech-staff score is 0, which fails at any total")
    if criterion.met or criterion.gap is None:
        return ""
    gap, unit = criterion.gap, criterion.gap_unit
    if criterion.name == "within_limit":
        return ngettext("%(n)d day over the limit", "%(n)d days over the limit", int(gap)) % {"n": gap}
    if criterion.name == "entry_age":
        return ngettext(
            "entered %(n)d day after the age limit", "entered %(n)d days after the age limit", int(gap)
        ) % {"n": gap}
    if criterion.exceeds_cap:
        return _("%(amount)s over the cap") % {"amount": money(gap) if unit == "cny" else gap}
    if unit == "cny":
        # A shortfall is rounded up: the 0.01 CNY that an exclusive bound needs reads as 1 CNY.
        amount = money(gap, rounding=ROUND_CEILING)
        if is_share(criterion):
            return _("%(threshold)s needs %(amount)s more") % {
                "threshold": show_threshold(criterion),
                "amount": amount,
            }
        return _("needs %(amount)s more") % {"amount": amount}
    if unit == "staff":
        return ngettext("%(n)d more tech staff member", "%(n)d more tech staff", int(gap)) % {"n": gap}
    if unit == "points":
        return ngettext("%(n)d more point", "%(n)d more points", int(gap)) % {"n": gap}
    if unit == "share":
        return _("%(points)s percentage points more") % {"points": number_format(Decimal(gap) * 100, 1)}
    if unit == "date":
        return _("eligible from %(date)s") % {"date": gap.isoformat()}
    if unit == "days":
        return ngettext("%(n)d more day", "%(n)d more days", int(gap)) % {"n": gap}
    if unit == "months":
        return ngettext("%(n)d month over", "%(n)d months over", int(gap)) % {"n": gap}
    return _("%(n)s more") % {"n": gap}


def _points(rule: str, criterion: Criterion) -> str:
    """TSME parts as "16 / 20" (points of the part's maximum); HNTE's banded parts as the band's
    range "25–30", whose exact value is the experts' call."""
    points, most = criterion.points, criterion.points_max
    if points is None:
        return ""
    if most is None or most == points or criterion.name == "score":
        return str(points)
    return f"{points} / {most}" if rule == "tsme" else f"{points}–{most}"


def rows(rule: str, criteria: dict[str, Criterion]) -> list[dict[str, Any]]:
    """The criteria of one evaluation as table rows for the panel and the exports."""
    return [
        {
            "name": name,
            "label": label(rule, name),
            "met": c.met,
            "value": show_value(c),
            "threshold": show_threshold(c),
            "points": _points(rule, c),
            "gap": gap_text(c),
            "unverified": c.unverified,
            "self_assessed": c.self_assessed,
        }
        for name, c in criteria.items()
    ]


def summary(rule: str, criteria: dict[str, Criterion], *, eligible: bool = False) -> str:
    """One line for a list: what fails and by how much, then what is missing.

    A direct pass is another route, not a condition: it is named when it carries the firm and
    otherwise left out. An eligible firm has nothing in its way.
    """
    direct = criteria.get("direct_pass")
    if eligible:
        if direct is not None and direct.met and not (criteria.get("score") and criteria["score"].met):
            return _("direct pass: %(routes)s") % {"routes": ", ".join(direct_pass_labels(direct.value))}
        return ""
    criteria = {n: c for n, c in criteria.items() if n != "direct_pass"}
    not_met = _("not met")
    parts = [f"{label(rule, n)}: {gap_text(c) or not_met}" for n, c in criteria.items() if c.met is False]
    missing = [label(rule, n) for n, c in criteria.items() if c.met is None]
    if missing:
        parts.append(_("missing: %(names)s") % {"names": ", ".join(missing)})
    return "; ".join(parts)
