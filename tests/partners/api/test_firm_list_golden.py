"""The firm list answers byte for byte what it answered before its details were read as JSON.

The golden files hold the bodies the list and detail endpoints gave for the rich portfolio
(tests/partners/api/rich_portfolio.py, fixed ids and clock) at the commit before that change, one
file per database: certifications of a kind off the ladder sort first on SQLite and last on
PostgreSQL. To record them again on purpose (a change of the API's output, said so in the
commit): ``PARTNERS_GOLDEN_WRITE=1 pytest tests/partners/api/test_firm_list_golden.py``, on both
databases.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import connection

from tests.partners.api.rich_portfolio import FIRST_ID, freeze_clock, rich_portfolio

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden" / f"firm_list.{connection.vendor}.json"
PATHS = [
    "/api/v1/firms/",
    "/api/v1/firms/?page_size=5",
    "/api/v1/firms/?ordering=-name&page_size=4",
    "/api/v1/firms/?ordering=-updated_at",
    "/api/v1/firms/?certification_kind=hnte",
    "/api/v1/firms/?city=烟台",
    "/api/v1/firms/?updated_since=2026-01-01T00:00:00Z",
    *(f"/api/v1/firms/{FIRST_ID + n}/" for n in (0, 1, 2, 3, 4)),
]


def answers(api) -> dict[str, str]:
    """Each path's body, and the pages its ``next`` links lead to."""
    bodies = {}
    for path in PATHS:
        while path:
            response = api.get(path)
            assert response.status_code == 200, (path, response.content)
            bodies[path] = response.content.decode()
            path = json.loads(bodies[path]).get("next")
    return bodies


@pytest.fixture
def portfolio(monkeypatch, bank, other_bank):
    freeze_clock(monkeypatch)
    return rich_portfolio(bank, other_bank)


def test_the_list_answers_what_it_answered_before(api, portfolio):
    bodies = answers(api)
    assert len(json.loads(bodies["/api/v1/firms/"])["results"]) == 12
    if os.environ.get("PARTNERS_GOLDEN_WRITE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(bodies, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(bodies) == list(golden)
    for path, body in bodies.items():
        assert body == golden[path], path
