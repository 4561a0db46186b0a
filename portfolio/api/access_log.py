"""Who saw which firms: one row per response that carried firm data (two inserts, any page size)."""

from __future__ import annotations

from collections.abc import Iterable

from rest_framework.request import Request

from accounts.models import AccessLogEntry
from portfolio.selectors.api import ApiViewer


def access_log_record(
    *, viewer: ApiViewer, request: Request, status_code: int, firm_ids: Iterable[int]
) -> None:
    ids = list(dict.fromkeys(firm_ids))
    match = request.resolver_match
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
    through = AccessLogEntry.firms.through
    through.objects.bulk_create([through(accesslogentry_id=entry.pk, firm_id=firm_id) for firm_id in ids])
