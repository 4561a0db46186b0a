"""Bodies the API cannot parse answer JSON 400, bodies over API_MAX_BODY_BYTES JSON 413."""

from __future__ import annotations

import datetime
import io
import json

import pytest

from partners.models import LoanApplication
from partners.services.loans import loan_apply
from tests.partners.api.test_loans import APPLICATION

pytestmark = pytest.mark.django_db

LIMIT = 1024


@pytest.fixture(params=["loans", "decisions"])
def write_url(request, bank, consented_firm) -> str:
    if request.param == "loans":
        return f"/api/v1/firms/{consented_firm.pk}/loans/"
    loan = loan_apply(
        bank=bank, firm=consented_firm, instrument="credit", applied_on=datetime.date(2025, 1, 2)
    )
    return f"/api/v1/firms/{consented_firm.pk}/loans/{loan.pk}/decisions/"


@pytest.fixture
def small_limit(settings):
    settings.API_MAX_BODY_BYTES = LIMIT


def post_raw(api, url: str, body: bytes, **extra):
    return api.generic("POST", url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **extra)


def post_chunked(api, url: str, body: bytes):
    """As gunicorn hands over a chunked request: no CONTENT_LENGTH, input that ends by itself."""
    return api.generic(
        "POST",
        url,
        b"",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )


def assert_unparseable(response, message_start: str) -> None:
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["non_field_errors"]
    [message] = body["non_field_errors"]
    assert message.startswith(message_start), message


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"a":' * 1000 + b"1" + b"}" * 1000,
        b'{"note": "' + b"[" * 1000 + b'"}',  # brackets inside a string are not nesting
    ],
    ids=["deep-list", "deep-object", "brackets-in-a-string"],
)
def test_deeply_nested_body_is_a_json_400(api, write_url, body):
    response = post_raw(api, write_url, body)
    if body.startswith(b'{"note"'):
        assert response.status_code == 400
        assert "non_field_errors" not in response.json()  # parsed: field errors instead
    else:
        assert_unparseable(response, "The request body is nested more than 32 levels deep.")


def test_invalid_utf8_is_a_json_400(api, write_url):
    assert_unparseable(
        post_raw(api, write_url, b'{"note": "\xff\xfe"}'), "The request body is not valid UTF-8."
    )


@pytest.mark.parametrize("body", [b'{"instrument": "cre', b"{not json", b'{"amount": NaN}'])
def test_malformed_json_is_a_json_400(api, write_url, body):
    assert_unparseable(post_raw(api, write_url, body), "The request body is not valid JSON")


def test_parse_error_message_is_translated(api, write_url):
    response = api.generic("POST", write_url, b"{", content_type="application/json")
    assert response.json()["non_field_errors"][0].startswith("请求正文不是有效的 JSON")


def over_limit() -> bytes:
    body = json.dumps({**APPLICATION, "note": "x" * LIMIT}).encode()
    assert len(body) > LIMIT
    return body


def assert_too_large(response) -> None:
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"The request body is larger than {LIMIT} bytes."}


def test_body_over_the_limit_is_a_json_413(api, write_url, small_limit):
    assert_too_large(post_raw(api, write_url, over_limit()))


def test_declared_length_over_the_limit_is_refused_before_reading(api, write_url, small_limit):
    assert_too_large(post_raw(api, write_url, b"{}", CONTENT_LENGTH=str(LIMIT + 1)))


def test_chunked_body_over_the_limit_is_a_json_413(api, write_url, small_limit):
    assert_too_large(post_chunked(api, write_url, over_limit()))


def test_chunked_body_is_read_no_further_than_the_limit(api, write_url, small_limit):
    source = io.BytesIO(over_limit() * 100)
    response = api.generic(
        "POST",
        write_url,
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": source, "wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert source.tell() == LIMIT + 1


def test_chunked_body_within_the_limit_is_parsed(api, consented_firm):
    response = post_chunked(
        api, f"/api/v1/firms/{consented_firm.pk}/loans/", json.dumps(APPLICATION).encode()
    )
    assert response.status_code == 201
    assert LoanApplication.objects.get().reference == APPLICATION["reference"]


def test_body_at_the_limit_is_parsed(api, consented_firm, settings):
    body = json.dumps(APPLICATION).encode()
    settings.API_MAX_BODY_BYTES = len(body)
    assert post_raw(api, f"/api/v1/firms/{consented_firm.pk}/loans/", body).status_code == 201
