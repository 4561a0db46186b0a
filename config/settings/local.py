"""Local development: the embedded default (SQLite, no Redis, email to the console)."""

from config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", True)
