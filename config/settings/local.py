"""Local development: the embedded default (SQLite, no Redis, email written to files)."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403
from .base import EMAIL_HOST, VAR_DIR

DEBUG = env_bool("DJANGO_DEBUG", True)

# Without an SMTP server every email is written as one .log file per connection into
# ./var/mail (DJANGO_VAR_DIR/mail), readable with any text editor; EMAIL_BACKEND overrides it.
if not EMAIL_HOST:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"
