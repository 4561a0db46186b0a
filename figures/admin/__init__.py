"""The figures app's admin: requests and their review, the emails, the Torch return."""

from figures.admin import emails, requests, torch  # noqa: F401
