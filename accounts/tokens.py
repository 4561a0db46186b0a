"""Secret tokens shown once and stored only as a digest: the partner API's keys and the staff's
calendar links. A token is ``<prefix>.<secret>``; the prefix finds the row, the SHA-256 digest of
the whole token proves it, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def token_generate(prefix_length: int) -> tuple[str, str, str]:
    """A new token: (raw token to show once, prefix, digest)."""
    prefix = secrets.token_hex(prefix_length // 2)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    return raw, prefix, token_digest(raw)


def token_matches(stored_digest: str, raw_token: str) -> bool:
    return hmac.compare_digest(stored_digest, token_digest(raw_token))
