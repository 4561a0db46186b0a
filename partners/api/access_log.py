"""Who saw which firms: one row per response that carried firm data, and its firm links.

The entry and its links always commit together, never an entry without its firms. On
PostgreSQL both go in one statement (a data-modifying CTE): one round trip and one implicit
transaction, so one WAL flush per response, with no model instances built for the 50 links of
a page. Elsewhere (SQLite) the ORM writes them in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from rest_framework.request import Request

from partners.models import AccessLogEntry
from partners.selectors import ApiViewer

_ENTRY = AccessLogEntry._meta.db_table
_LINKS = AccessLogEntry.firms.through._meta.db_table
_INSERT_BOTH = f"""
    WITH entry AS (
        INSERT INTO {_ENTRY}
            (organisation_id, api_key_id, user_id, method, endpoint, path, status_code, firm_ids, created_at)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s)
        RETURNING id
    )
    INSERT INTO {_LINKS} (accesslogentry_id, firm_id)
    SELECT entry.id, firm_id FROM entry, unnest(%s::bigint[]) AS firm_id
"""  # noqa: S608 - table names come from the models, values are parameters


def access_log_record(
    *, viewer: ApiViewer, request: Request, status_code: int, firm_ids: Iterable[int]
) -> None:
    ids = list(dict.fromkeys(firm_ids))
    match = request.resolver_match
    values = {
        "organisation_id": viewer.organisation.pk if viewer.organisation else None,
        "api_key_id": viewer.api_key.pk if viewer.api_key else None,
        "user_id": viewer.user.pk if viewer.user is not None and viewer.user.is_authenticated else None,
        "method": request.method,
        "endpoint": (match.route if match else "")[:100],
        "path": request.get_full_path()[:500],
        "status_code": status_code,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_BOTH, [*values.values(), json.dumps(ids), timezone.now(), ids])
        return
    through = AccessLogEntry.firms.through
    with transaction.atomic(savepoint=False):
        entry = AccessLogEntry.objects.create(**values, firm_ids=ids)
        through.objects.bulk_create([through(accesslogentry_id=entry.pk, firm_id=i) for i in ids])
