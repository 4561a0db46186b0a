"""A page's details read as JSON on PostgreSQL are the very rows the per-kind queries read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from accounts.models import User
from ladder.facts import facts_json, firm_facts
from ladder.standing import ladder_residencies
from partners import selectors
from portfolio.models import Firm
from portfolio.selectors import json_rows
from tests.partners.api.rich_portfolio import FIRST_ID, NOW, freeze_clock, rich_portfolio

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the JSON path is PostgreSQL's"),
]

IDS = [FIRST_ID + n for n in range(12)]


@pytest.fixture
def portfolio(monkeypatch, bank, other_bank):
    freeze_clock(monkeypatch)
    return rich_portfolio(bank, other_bank)


def viewers(bank) -> list[selectors.ApiViewer]:
    staff = User(pk=1, is_staff=True)  # only the financing filter reads the viewer here
    return [selectors.ApiViewer(organisation=bank), selectors.ApiViewer(user=staff)]


@pytest.mark.parametrize("on", [NOW.date(), datetime.date(2025, 3, 1), datetime.date(2027, 2, 1)])
def test_both_paths_give_the_same_rows(portfolio, bank, on):
    today = NOW.date()
    for viewer in viewers(bank):
        by_json = selectors._details_from_json(viewer, IDS, today, on)
        by_queries = selectors._details_by_queries(viewer, IDS, today, on)
        assert by_json == by_queries
        assert sum(details["ladder"] is not None for details in by_json.values()) == 11
    full = selectors._details_from_json(viewers(bank)[0], IDS, today, today)[FIRST_ID]
    assert len(full["financing"]) == 8  # the other bank's application left out
    assert len(selectors._details_from_json(viewers(bank)[1], IDS, today, today)[FIRST_ID]["financing"]) == 9


@pytest.mark.parametrize("on", [NOW.date(), datetime.date(2025, 3, 1)])
def test_the_ladder_facts_read_as_json_are_those_of_firm_facts(portfolio, on):
    expression, decode = facts_json(on)
    sql, params = (
        Firm.objects.filter(pk__in=IDS)
        .values_list("pk", json_rows.as_text(expression))
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:  # the JSON as text, as the API reads it (not the ORM's floats)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_json = {pk: decode(pk, json_rows.loads(value)) for pk, value in rows}
    by_queries = {facts.firm_id: facts for facts in firm_facts(ladder_residencies(IDS), on)}
    assert by_json.pop(FIRST_ID + 2) is None  # no residency, no facts
    assert by_json == by_queries
    full = by_json[FIRST_ID]
    assert (sorted(full.figures), len(full.distinctions), len(full.incidents)) == ([2023, 2024, 2025], 3, 1)
    assert full.equity_angel_vc is not None


def test_the_statement_is_built_once_a_day_per_viewer(portfolio, bank):
    selectors._details_statement.cache_clear()
    viewer = viewers(bank)[0]
    for ids in (IDS, IDS[:1], IDS[3:]):
        selectors._details_from_json(viewer, ids, NOW.date(), NOW.date())
    assert selectors._details_statement.cache_info().misses == 1
    selectors._details_from_json(viewer, IDS, NOW.date() + datetime.timedelta(days=1), NOW.date())
    selectors._details_from_json(viewers(bank)[1], IDS, NOW.date(), NOW.date())
    assert selectors._details_statement.cache_info().misses == 3
