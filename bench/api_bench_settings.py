"""Settings for bench/api_firm_list.py: the project's settings plus the bare comparison view."""

from config.settings.base import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "api_bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
