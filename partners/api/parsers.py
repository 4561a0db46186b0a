"""The API's only body parser: bounded in size and nesting, every failure a JSON error.

A body larger than ``API_MAX_BODY_BYTES`` answers 413 ``{"detail": ...}``: refused on its
``Content-Length`` before anything is read, and a chunked body (no length) is read no further
than one byte past the limit. A body that is not UTF-8, not JSON, or nested deeper than
``MAX_DEPTH`` answers 400 ``{"non_field_errors": [...]}``, like any other invalid input.
"""

from __future__ import annotations

import io
import json
import re

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, renderers, status
from rest_framework.parsers import BaseParser
from rest_framework.settings import api_settings

# The API's bodies are flat objects; anything deeper is refused before the decoder recurses.
MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self) -> None:
        limit = settings.API_MAX_BODY_BYTES
        super().__init__(_("The request body is larger than %(limit)s bytes.") % {"limit": limit})


def _declared_length(meta: dict) -> int | None:
    try:
        return int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def bound_chunked_body(request: HttpRequest) -> None:
    """Read a chunked body (no Content-Length) up to one byte past the limit, for the parser.

    Django reads nothing of a body without Content-Length. When the server says the input ends
    by itself (``wsgi.input_terminated``, as gunicorn does for chunked requests), the body is read
    here, bounded, and given a length; one that reaches past the limit then answers 413.
    """
    meta = request.META
    chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked or not meta.get("wsgi.input_terminated") or _declared_length(meta) is not None:
        return
    if request._read_started:  # someone already consumed it
        return
    wsgi_input = meta["wsgi.input"]
    limit = settings.API_MAX_BODY_BYTES + 1
    chunks, size = [], 0
    while size < limit:
        chunk = wsgi_input.read(min(limit - size, 64 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    body = b"".join(chunks)
    meta["CONTENT_LENGTH"] = str(len(body))
    request._stream = LimitedStream(io.BytesIO(body), len(body))


def _too_deep(raw: bytes) -> bool:
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", raw)):
        if bracket in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


class ApiJSONParser(BaseParser):
    """JSON, read from the request stream itself.

    Not a ``JSONParser`` subclass on purpose: DRF hands those ``request.body``, read whole
    (up to Django's 2.5 MB limit) before the parser could look at the length.
    """

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    strict = api_settings.STRICT_JSON

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = _declared_length(request.META) if request is not None else None
        if declared is not None and declared > limit:
            raise PayloadTooLarge()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.ParseError(_("The request body is not valid UTF-8.")) from None
        if _too_deep(raw):
            raise exceptions.ParseError(
                _("The request body is nested more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
            )
        parse_constant = _refuse_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except json.JSONDecodeError as exc:
            raise exceptions.ParseError(
                _("The request body is not valid JSON (line %(line)s, column %(column)s).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None
        except (ValueError, RecursionError):
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")
