"""A stored score in the words staff read: labels in their language, values with units, why an
indicator scores nothing and what data is missing. Nothing here decides anything."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ladder.presentation import money
from portfolio.models import Firm, YearlyFigures
from scoring.models import FirmScore
from scoring.selectors import score_described

PROBLEMS = {
    "not_reported": gettext_lazy("not reported"),
    "zero": gettext_lazy("is zero"),
    "not_positive": gettext_lazy("is zero or negative"),
}
STATUS_LABELS = {
    "scored": gettext_lazy("Scored"),
    "no_score": gettext_lazy("No score"),
}
PACK_LABELS = {
    "ours": gettext_lazy("our own model"),
    "official": gettext_lazy("the official table"),
    "zone": gettext_lazy("a zone's own model"),
    "bank": gettext_lazy("a bank's own model"),
}


def text(label: dict[str, str] | None) -> str:
    """A pack label ({zh, en}) in the current language."""
    if not label:
        return ""
    return label["en"] if (get_language() or "").startswith("en") else label["zh"]


def field_name(source: str, name: str) -> str:
    model = Firm if source == "firm" else YearlyFigures
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def missing_text(item: dict[str, Any]) -> str:
    name = field_name(item["source"], item["field"])
    problem = PROBLEMS.get(item.get("problem", ""), item.get("problem", ""))
    if item.get("year") is None:
        return _("%(field)s: %(problem)s") % {"field": name, "problem": problem}
    return _("%(field)s of %(year)s: %(problem)s") % {"field": name, "year": item["year"], "problem": problem}


def value_text(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "cny":
        return money(Decimal(value))
    if unit in ("share", "ratio"):
        return f"{number_format(Decimal(value) * 100, 2)}%"
    return str(value)


def reason_text(reason: str, breakdown: dict[str, Any]) -> str:
    cohort = breakdown.get("cohort") or {}
    if reason == "no_figures":
        return _("No closed fiscal year has figures.")
    if reason == "no_region":
        return _("The firm is in no incubator, and the cohort is by region.")
    if reason == "cohort_too_small":
        return _("Its cohort has %(size)s firms; percentiles need at least %(min)s.") % {
            "size": cohort.get("size"),
            "min": cohort.get("min_size"),
        }
    if reason == "stage_unknown":
        return _("The stage cannot be decided: data is missing.")
    if reason == "incomplete":
        return _("Data for %(have)s of the weight; at least %(need)s is needed.") % {
            "have": value_text(breakdown.get("completeness"), "share"),
            "need": value_text(breakdown.get("min_completeness"), "share"),
        }
    return reason


def line_note(line: dict[str, Any], min_size: int) -> str:
    if line["status"] == "missing":
        return "; ".join(missing_text(m) for m in line["missing"])
    if line["status"] == "few_peers":
        return _("only %(n)s firms of the cohort report it; %(min)s needed") % {
            "n": line["reporting"],
            "min": min_size,
        }
    return ""


def score_panel(firm_id: int) -> dict[str, Any] | None:
    """The firm page's innovation-score section (two queries: the score, its pack); None before
    the first computation."""
    score = FirmScore.objects.filter(firm_id=firm_id).first()
    if score is None:
        return None
    breakdown = score_described(score)
    pack = breakdown.get("pack", {})
    cohort = breakdown.get("cohort") or {}
    groups = {g["key"]: text(g["label"]) for g in breakdown.get("groups", [])}
    lines = [
        {
            "label": text(line["label"]),
            "group": groups.get(line["group"], line["group"]),
            "data": line["data"],
            "value": value_text(line["value"], line["unit"]),
            "normalised": line["normalised"] or "—",
            "weight": line["weight"] or "—",
            "contribution": line["contribution"] or "—",
            "reporting": line["reporting"],
            "status": line["status"],
            "note": line_note(line, cohort.get("min_size", 0)),
        }
        for line in breakdown.get("lines", [])
    ]
    items = [
        {
            "label": text(item["label"]),
            "kind": item["kind"],
            "points": item["points"],
            "applies": item["applies"],
            "contribution": item["contribution"] or "—",
        }
        for item in breakdown.get("items", [])
    ]
    return {
        "score": score,
        "status_label": STATUS_LABELS.get(score.status, score.status),
        "stage": text((breakdown.get("stage") or {}).get("label")),
        "completeness": value_text(breakdown.get("completeness"), "share"),
        "min_completeness": value_text(breakdown.get("min_completeness"), "share"),
        "cohort": cohort,
        "pack": pack,
        "pack_title": text(pack.get("title")),
        "pack_label": PACK_LABELS.get(pack.get("label", ""), pack.get("label", "")),
        "pack_unverified": bool(pack.get("unverified")),
        "reasons": [reason_text(r, breakdown) for r in score.reasons],
        "missing": [missing_text(m) for m in breakdown.get("missing", [])],
        "lines": lines,
        "items": items,
    }
