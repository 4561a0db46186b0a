"""Every partner-API URL that names a firm answers 404 for a firm without consent, whatever the
method, exactly as for a firm that does not exist.

The cases are generated from ``partners.api.urls`` itself, so an endpoint added later is
covered without anyone remembering to add it here; an endpoint that names no firm must be
listed in ``NOT_FIRM_SCOPED`` on purpose.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import URLPattern

from partners.api import urls as api_urls
from partners.services.loans import loan_apply

pytestmark = pytest.mark.django_db

METHODS = ["get", "head", "post", "put", "patch", "delete", "options"]
NOT_FIRM_SCOPED = {"firm-list", "white-list"}
MISSING_ID = 987654321
# Valid bodies where an endpoint takes one: a hidden firm must not be reachable even by a good write.
BODIES = {
    "firm-loans": {"instrument": "credit", "applied_on": "2025-03-01", "requested_amount": "500000.00"},
    "firm-loan-decisions": {"status": "approved", "decided_on": "2025-03-02", "amount": "500000.00"},
}


def _patterns() -> list[URLPattern]:
    return [p for p in api_urls.urlpatterns if isinstance(p, URLPattern)]


FIRM_SCOPED = [p for p in _patterns() if "<int:firm_id>" in str(p.pattern)]


def _url(pattern: URLPattern, firm_id: int, loan_id: int) -> str:
    route = str(pattern.pattern)
    values = {"firm_id": firm_id, "pk": loan_id}
    unknown = set(re.findall(r"<\w+:(\w+)>", route)) - set(values)
    assert not unknown, f"{route}: give the new path parameter {unknown} a value in this test"
    return "/api/v1/" + re.sub(r"<\w+:(\w+)>", lambda m: str(values[m.group(1)]), route)


def test_every_endpoint_is_either_firm_scoped_or_listed_as_not():
    names = {p.name for p in _patterns()}
    assert names - {p.name for p in FIRM_SCOPED} == NOT_FIRM_SCOPED


@pytest.fixture
def hidden_loan(hidden_firm, other_bank):
    return loan_apply(
        bank=other_bank, firm=hidden_firm, instrument="credit", applied_on=datetime.date(2025, 3, 1)
    )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pattern", FIRM_SCOPED, ids=lambda p: p.name)
def test_hidden_firm_answers_404_like_a_missing_one(api, hidden_firm, hidden_loan, pattern, method):
    call = getattr(api, method)
    body = BODIES.get(pattern.name, {})
    hidden = call(_url(pattern, hidden_firm.pk, hidden_loan.pk), body, format="json")
    missing = call(_url(pattern, MISSING_ID, hidden_loan.pk), body, format="json")
    assert hidden.status_code == 404, (method, pattern.name, hidden.content)
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
    assert hidden_loan.decisions.count() == 1  # nothing written
