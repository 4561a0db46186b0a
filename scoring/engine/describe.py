"""A stored breakdown with the pack's words put back: what the panel and the API show.

``FirmResult.breakdown`` stores what was computed, by key; this adds each indicator's labels,
group, unit, period and the data it reads, the items' labels and points, the stage's and the
groups' labels, and the pack's title, source and unverified paths, from the pack the score
recorded. Without that pack (a version no longer stored) the keys stand in for the words.
"""

from __future__ import annotations

from typing import Any

from scoring.engine.pack import Pack


def _label(found: Any, key: str) -> dict[str, str]:
    """The label of a pack element (or a Label itself), else the key in both languages."""
    label = getattr(found, "label", found)
    return label.as_json() if label is not None else {"zh": key, "en": key}


def describe(stored: dict[str, Any], pack: Pack | None) -> dict[str, Any]:
    indicators = {i.key: i for i in pack.indicators} if pack else {}
    items = {i.key: i for i in (*pack.bonus, *pack.negative)} if pack else {}
    groups = dict(pack.groups) if pack else {}
    stages = {s.key: s for s in pack.stages} if pack else {}
    lines = []
    for line in stored.get("lines", []):
        indicator = indicators.get(line["key"])
        lines.append(
            {
                **line,
                "group": indicator.group if indicator else "",
                "label": _label(indicator, line["key"]),
                "unit": indicator.unit if indicator else "",
                "period_years": indicator.period_years if indicator else None,
                "data": indicator.data if indicator else "",
            }
        )
    stage = stored.get("stage")
    return {
        **stored,
        "pack": {
            "version": stored.get("pack", ""),
            "label": pack.label if pack else "",
            "title": pack.title.as_json()
            if pack
            else {"zh": stored.get("pack", ""), "en": stored.get("pack", "")},
            "source": pack.source if pack else "",
            "unverified": list(pack.unverified) if pack else [],
        },
        "stage": None if not stage else {"key": stage, "label": _label(stages.get(stage), stage)},
        "groups": [{**g, "label": _label(groups.get(g["key"]), g["key"])} for g in stored.get("groups", [])],
        "lines": lines,
        "items": [
            {
                **item,
                "label": _label(items.get(item["key"]), item["key"]),
                "points": str(items[item["key"]].points) if item["key"] in items else None,
            }
            for item in stored.get("items", [])
        ],
    }
