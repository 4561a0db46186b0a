"""Who saw which firms: one row per response that carried firm data (two inserts, any page size).

Both inserts commit together: one transaction, so one WAL flush per response instead of two
(the commit is most of what the log costs a request), and never an entry without its firms.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from rest_framework.request import Request

from partners.models import AccessLogEntry
from partners.selectors import ApiViewer


def access_log_record(
    *, viewer: ApiViewer, request: Request, status_code: int, firm_ids: Iterable[int]
) -> None:
    ids = list(dict.fromkeys(firm_ids))
    match = request.resolver_match
    through = AccessLogEntry.firms.through
    with transaction.atomic(savepoint=False):
        entry = AccessLogEntry.objects.create(
            organisation=viewer.organisation,
            api_key=viewer.api_key,
            user=viewer.user,
            method=request.method,
            endpoint=(match.route if match else "")[:100],
            path=request.get_full_path()[:500],
            status_code=status_code,
            firm_ids=ids,
        )
        through.objects.bulk_create([through(accesslogentry_id=entry.pk, firm_id=i) for i in ids])
