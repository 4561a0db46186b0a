"""Rate limits of the founder's page, counted in the cache (Redis in production, shared by every
worker): per client address, per link, and refused links per address.

Each limit is a fixed window of ``FIGURES_RATE_WINDOW_SECONDS``: its counter is incremented
atomically (INCR and EXPIRE in one MULTI/EXEC on Redis; ``add`` then ``incr`` on another cache,
which the local-memory cache makes atomic within its process) and compared with the limit.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest

from partners.api import throttling as fixed_window

KEY_PREFIX = "figures_rate"


def hit(name: str) -> tuple[int, int]:
    """Count one event of ``name``: (the count in the window including it, seconds left)."""
    seconds = settings.FIGURES_RATE_WINDOW_SECONDS
    return fixed_window.hit(f"{KEY_PREFIX}:{name}:{seconds}", seconds)


def count(name: str) -> tuple[int, int]:
    seconds = settings.FIGURES_RATE_WINDOW_SECONDS
    return fixed_window.count(f"{KEY_PREFIX}:{name}:{seconds}", seconds)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR: behind a reverse proxy it must be the client's (as for the partner API)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def address_blocked(request: HttpRequest) -> int:
    """Seconds to wait when the address is over a limit (counting this request), else 0."""
    address = client_address(request)
    failures, wait = count(f"failed:{address}")
    if failures >= settings.FIGURES_FAILED_LINKS_PER_ADDRESS:
        return wait
    requests, wait = hit(f"address:{address}")
    return wait if requests > settings.FIGURES_RATE_PER_ADDRESS else 0


def link_failed(request: HttpRequest) -> None:
    hit(f"failed:{client_address(request)}")


def link_blocked(token: str) -> int:
    """Seconds to wait when the link is over its limit (counting this request), else 0."""
    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    requests, wait = hit(f"link:{digest}")
    return wait if requests > settings.FIGURES_RATE_PER_LINK else 0
