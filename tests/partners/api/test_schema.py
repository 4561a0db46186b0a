"""The OpenAPI schema is valid, warning-free, and the API keeps to it under generated input."""

import contextlib
import datetime

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from partners.services.loans import loan_apply
from tests.factories import (
    CertificationFactory,
    ConsentFactory,
    FinancingEventFactory,
    RecommendationFactory,
    ResidencyFactory,
    YearlyFiguresFactory,
)
from tests.partners.api.conftest import make_key

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 30


def test_schema_generates_and_validates_without_warnings(tmp_path):
    # --fail-on-warn turns any drf-spectacular warning into an error; --validate checks OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/firms/{firm_id}/loans/{id}/decisions/" in (tmp_path / "schema.yaml").read_text()


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/", {"format": "json"}).json()["openapi"].startswith("3.")
    assert client.get("/api/docs/").status_code == 200


@pytest.fixture
def portfolio_for_fuzzing(bank):
    firm = ConsentFactory(organisation=bank).firm
    ResidencyFactory(firm=firm)
    CertificationFactory(firm=firm)
    YearlyFiguresFactory(firm=firm)
    FinancingEventFactory(firm=firm)
    RecommendationFactory(firm=firm, bank=bank)
    loan = loan_apply(bank=bank, firm=firm, instrument="credit", applied_on=datetime.date(2025, 1, 2))
    return firm, loan


@contextlib.contextmanager
def wsgi_keeps_test_connection():
    """Calling the WSGI app directly must not close the test's connection (as Django's test client)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
def test_schemathesis_finds_no_server_error_and_no_response_off_schema(client, bank, portfolio_for_fuzzing):
    """Every operation, generated input (derandomized, bounded), with a valid key and real data."""
    firm, loan = portfolio_for_fuzzing
    _key, raw = make_key(bank, rate_per_minute=1_000_000)
    schema = schemathesis.openapi.from_dict(client.get("/api/schema/", {"format": "json"}).json())
    headers = {"Authorization": f"Api-Key {raw}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    with wsgi_keeps_test_connection():
        for operation in operations:
            assert fuzz(operation, headers=headers, firm_id=firm.pk, loan_id=loan.pk) > 0, operation.label


def fuzz(operation, *, headers: dict, firm_id: int, loan_id: int) -> int:
    calls = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        # Half the cases aim at the consented firm and its loan, so 200s are exercised too.
        if case.path_parameters and len(calls) % 2 == 0:
            case.path_parameters["firm_id"] = firm_id
            if "id" in case.path_parameters:
                case.path_parameters["id"] = loan_id
        calls.append(case)
        response = case.call(app=application, headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()
    return len(calls)


def test_docs_serve_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr.net" not in page
