"""``Idempotency-Key``: a retried write returns the first result and creates nothing twice.

The key is remembered per partner organisation (per user for staff) with a fingerprint of
the request (method, path, body). The write and the record commit together; two requests
racing with one key meet at a unique constraint (the record's, or one of the write's own, such
as a loan's reference), and the loser replays the winner's result.
A key reused with a different request answers 422. Failed writes (4xx) are not remembered,
so a corrected request may reuse the key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from partners.models import IdempotencyRecord
from partners.selectors import ApiViewer

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def _scope(viewer: ApiViewer) -> str:
    if viewer.organisation is not None:
        return f"org:{viewer.organisation.pk}"
    return f"user:{viewer.user.pk}"


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not (1 <= len(key) <= 255) or not all(33 <= ord(c) <= 126 for c in key):
        raise serializers.ValidationError(
            {HEADER: [_("Use 1 to 255 visible ASCII characters, e.g. a UUID.")]}
        )
    return key


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        return Response(
            {"detail": _("This Idempotency-Key was already used with a different request.")},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    body = json.loads(record.response_body)
    return Response(body, status=record.response_status, headers={REPLAYED_HEADER: "true"})


def idempotent(request: Request, viewer: ApiViewer, write: Callable[[], Response]) -> Response:
    key = _key(request)
    if key is None:
        with transaction.atomic():
            return write()
    scope, fingerprint = _scope(viewer), _fingerprint(request)
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is not None:
        return _replay(record, fingerprint)
    try:
        with transaction.atomic():
            response = write()
            IdempotencyRecord.objects.create(
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                method=request.method,
                path=request.path[:500],
                response_status=response.status_code,
                response_body=json.dumps(response.data, default=str, ensure_ascii=False),
            )
    except (IntegrityError, DjangoValidationError, serializers.ValidationError):
        # A request with this key committed while this one ran: answer as its retry would.
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is None:
            raise
        return _replay(record, fingerprint)
    return response
