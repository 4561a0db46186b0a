"""Read settings from the environment, failing with one clear line per bad variable.

Every reader raises ``ImproperlyConfigured`` naming the variable and what it expects, so a
typo in a deployment shows up at start, not as a traceback deep inside a library.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_NOT_SET = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: Any) -> Any:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if default is _NOT_SET:
            raise ImproperlyConfigured(f"{name} is not set: {_EXPECT.get(name, 'a value')}.")
        return default
    return value.strip()


def env_str(name: str, default: Any = _NOT_SET) -> Any:
    return _raw(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: expected true/false, 1/0, yes/no.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: Any = _NOT_SET, *, schemes: tuple[str, ...]) -> Any:
    value = _raw(name, default)
    if value is None or value is default:
        return value
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ImproperlyConfigured(
            f"{name}={_redact(value)!r} is not a valid URL: expected one starting with "
            f"{' or '.join(s + '://' for s in schemes)}."
        )
    return value


def database_from_env(name: str, default: str) -> dict[str, Any]:
    """Parse ``DATABASE_URL``; PostgreSQL gets psycopg 3 with a connection pool."""
    import dj_database_url

    url = env_url(name, default, schemes=("sqlite", "postgres", "postgresql", "pgsql"))
    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # dj-database-url raises several kinds for malformed URLs
        raise ImproperlyConfigured(
            f"{name}={_redact(url)!r} cannot be parsed: {exc}. Expected e.g. "
            "postgres://user:password@host:5432/dbname or sqlite:///path/to/db.sqlite3."
        ) from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} names no database: expected .../dbname at its end.")
        # Django's built-in psycopg pool: connections are reused across requests and tasks.
        # CONN_MAX_AGE must stay 0 with a pool (Django refuses the combination).
        pool_max = env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1)
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool_max, "timeout": 10}
    config["ATOMIC_REQUESTS"] = False
    config["CONN_HEALTH_CHECKS"] = False
    return config


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


_EXPECT = {
    "DJANGO_SECRET_KEY": "production needs a long random secret key (50+ characters), e.g. from "
    'python -c "import secrets; print(secrets.token_urlsafe(64))"',
    "DJANGO_ALLOWED_HOSTS": "a comma-separated list of host names this site answers to",
    "DATABASE_URL": "a database URL such as postgres://user:password@host:5432/dbname",
}
