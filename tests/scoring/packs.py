"""Small packs for the tests: three indicators, two stages, one bonus and one negative item, so
that a score can be worked out by hand."""

from __future__ import annotations

import copy
from typing import Any

from scoring.engine.pack import Pack, parse_pack


def small_raw(version: str = "test-small-1", **data: Any) -> dict[str, Any]:
    raw = {
        "version": version,
        "label": "zone",
        "title": {"zh": "测试积分", "en": "Test points"},
        "source": "test pack",
        "unverified": [],
        "data": {
            "scale": 100,
            "min_completeness": "0.50",
            "cohort": {"by": "city", "min_size": 3},
            "normaliser": {"method": "percentile"},
            "groups": [
                {"key": "tech", "label": {"zh": "技术", "en": "Technology"}},
                {"key": "growth", "label": {"zh": "成长", "en": "Growth"}},
            ],
            "stages": [
                {
                    "key": "young",
                    "label": {"zh": "初创", "en": "Young"},
                    "match": "any",
                    "age_years": {"max": 3, "inclusive": False},
                },
                {"key": "mature", "label": {"zh": "成熟", "en": "Mature"}},
            ],
            "indicators": [
                {
                    "key": "rd",
                    "group": "tech",
                    "label": {"zh": "研发费用", "en": "R&D"},
                    "unit": "cny",
                    "period_years": 1,
                    "direction": "higher",
                    "data": "yearly figures, R&D expense",
                    "compute": {"figure": "rd_expense"},
                    "weights": {"young": 50, "mature": 40},
                },
                {
                    "key": "intensity",
                    "group": "tech",
                    "label": {"zh": "研发强度", "en": "R&D intensity"},
                    "unit": "share",
                    "period_years": 1,
                    "direction": "higher",
                    "data": "yearly figures, R&D expense and revenue",
                    "compute": {"ratio": ["rd_expense", "revenue"]},
                    "weights": {"young": 30, "mature": 40},
                },
                {
                    "key": "growth",
                    "group": "growth",
                    "label": {"zh": "收入增长", "en": "Revenue growth"},
                    "unit": "ratio",
                    "period_years": 2,
                    "direction": "higher",
                    "data": "yearly figures, revenue of two years",
                    "compute": {"growth": "revenue"},
                    "weights": {"young": 20, "mature": 20},
                },
            ],
            "bonus_cap": 5,
            "bonus": [
                {
                    "key": "hnte",
                    "label": {"zh": "高企", "en": "HNTE"},
                    "points": 3,
                    "when": {"certification": {"kinds": ["hnte"]}},
                }
            ],
            "negative_cap": 10,
            "negative": [
                {
                    "key": "incident",
                    "label": {"zh": "事故", "en": "Incident"},
                    "points": 10,
                    "when": {"incident": {"kinds": ["environmental_violation"], "years": 2}},
                }
            ],
        },
    }
    raw["data"].update(data)
    return copy.deepcopy(raw)


def small_pack(version: str = "test-small-1", **data: Any) -> Pack:
    return parse_pack(small_raw(version, **data))
