"""Settings for the test suite: fast hashing, in-memory email, tasks in-process by default.

Integration tests that need a real worker and SMTP server override these per test.
"""

import os
import uuid

from config.env import env_bool, env_str

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The integration tests start real Celery workers and commands with these two overridden
# (tests/integration): tasks through the broker, email to the SMTP server the test runs.
EMAIL_BACKEND = env_str("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
CELERY_TASK_ALWAYS_EAGER = env_bool("TEST_CELERY_TASK_ALWAYS_EAGER", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"

# Redis: the suite shares whatever Redis REDIS_URL names (in CI, and possibly a developer's own
# or a shared one), so everything it writes there, cache entries and Celery's queues alike, sits
# under a prefix of its own run and pytest-xdist worker, and tests delete only keys under it
# (tests/real_services.py). The run part is set once in the environment, so the xdist workers,
# and the Celery workers and commands the integration tests start, inherit it; the worker part
# keeps two xdist workers' queues and counters apart.
TEST_REDIS_KEY_PREFIX = "{}-{}".format(
    os.environ.setdefault("TEST_REDIS_KEY_PREFIX", f"incubator-test-{uuid.uuid4().hex[:8]}"),
    os.environ.get("PYTEST_XDIST_WORKER", "main"),
)
if REDIS_URL:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = TEST_REDIS_KEY_PREFIX  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"{TEST_REDIS_KEY_PREFIX}:",
    }

# The test database: CI (CI=true) and TEST_MIGRATE=1 build it by replaying every migration;
# otherwise (python3 dev.py test) it is built from the models and the data migrations' rows are
# loaded into it (tests/reference_data.py, which says why and what keeps the two the same).
DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = env_bool(  # noqa: F405
    "TEST_MIGRATE", env_bool("CI", False)
)
