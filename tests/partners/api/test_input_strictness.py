"""The server takes exactly what the published schema describes: no lenient dates, amounts or
integers, and the query bounds the server enforces are the ones the schema publishes."""

from __future__ import annotations

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

from partners.models import LoanApplication
from tests.partners.api.test_loans import APPLICATION, apply

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applied_on", "0001-01-01"),
        ("applied_on", "1949-09-30"),
        ("applied_on", "20250301"),
        ("applied_on", "2025-3-1"),
        ("applied_on", "２０２５-03-01"),
        ("applied_on", 20250301),
        ("requested_amount", "1e5"),
        ("requested_amount", "１２３"),
        ("requested_amount", "1.234"),
        ("requested_amount", " 100"),
        ("requested_amount", 100000),
        ("requested_amount", "NaN"),
        ("term_months", "12"),
        ("term_months", "1e5"),
        ("term_months", "１２"),
        ("term_months", 12.0),
        ("term_months", True),
    ],
)
def test_loose_input_is_a_field_error(api, consented_firm, field, value):
    response = apply(api, consented_firm, {**APPLICATION, field: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not LoanApplication.objects.exists()


def test_the_strict_form_still_passes(api, consented_firm):
    assert apply(api, consented_firm, {**APPLICATION, "applied_on": "1949-10-01"}).status_code == 201


def test_decision_fields_are_strict_too(api, consented_firm):
    loan = apply(api, consented_firm).json()
    url = f"/api/v1/firms/{consented_firm.pk}/loans/{loan['id']}/decisions/"
    bad = {"status": "approved", "decided_on": "20250302", "amount": "5e5", "term_months": "12"}
    response = api.post(url, bad, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"decided_on", "amount", "term_months"}


def _parameter(path: str, name: str) -> dict:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    [parameter] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
    return parameter["schema"]


def test_page_size_bounds_are_published_and_enforced(api, consented_firm):
    published = _parameter("/api/v1/firms/", "page_size")
    assert (published["minimum"], published["maximum"]) == (1, settings.API_MAX_PAGE_SIZE)
    for size in (0, settings.API_MAX_PAGE_SIZE + 1):
        assert api.get("/api/v1/firms/", {"page_size": size}).status_code == 400
    assert api.get("/api/v1/firms/", {"page_size": settings.API_MAX_PAGE_SIZE}).status_code == 200


@pytest.mark.parametrize("value", ["1948", "2201", "2020.5", "1e3"])
def test_year_filters_take_whole_years_within_the_published_bounds(api, consented_firm, value):
    published = _parameter("/api/v1/firms/{firm_id}/figures/", "year_from")
    assert (published["type"], published["minimum"], published["maximum"]) == ("integer", 1949, 2200)
    response = api.get(f"/api/v1/firms/{consented_firm.pk}/figures/", {"year_from": value})
    assert response.status_code == 400
    assert "year_from" in response.json()
