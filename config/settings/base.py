"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import database_from_env, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-local-development-key-do-not-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Absolute base of links in emails (reminders point at a firm's admin page).
SITE_URL = env_url("SITE_URL", "http://localhost:8000", schemes=("http", "https")).rstrip("/")
# The longest a founder's signed figures link can live, whatever its submission's own expiry says.
FIGURES_LINK_MAX_AGE_DAYS = 120
# Days a founder's link stays open after the request's due date, so that a late answer still
# comes in (our choice, not an official rule); due date plus grace must fit within the above.
FIGURES_LINK_GRACE_DAYS = 14

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "import_export",
    "accounts",
    "portfolio",
    "partners",
    "ladder",
    "figures",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Redis: broker and cache. Without REDIS_URL tasks run in-process (embedded default). ---
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "incubator",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Reliability, chosen on purpose:
# - acks_late: a task is acknowledged after it ran, so a worker killed mid-task leaves it in
#   the queue to be redelivered instead of losing it. Tasks are written to be safe to run twice.
# - reject_on_worker_lost: when the worker process dies (SIGKILL, OOM) the message is requeued
#   rather than acknowledged as failed.
# - prefetch 1: a worker reserves one message at a time, so a crash strands at most one and
#   long tasks do not hold short ones hostage behind them.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged message after the visibility timeout; tasks are short, and
# deadlines are never scheduled as far-future ETA tasks, so one hour is ample.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Database connections in the workers: Celery's Django fixup closes them before and after every
# task and, under prefork, closes Django's connection pool with them, so each task used to open
# a new pool and a new PostgreSQL connection (5-10 ms, and a server process started each time).
# With a reuse count the fixup does that every CELERY_DB_REUSE_MAX tasks only; in between,
# config/celery_app.py hands each task's connections back to the pool at its end, as Django
# does after a request (a broken connection is discarded there, not reused).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 200, minimum=1)
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Email ---
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "孵化器平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST framework and the OpenAPI schema ---
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["partners.api.filters.FilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["partners.api.parsers.ApiJSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Incubator portfolio API",
    "DESCRIPTION": "Partner-bank access to consenting firms of technology business incubators.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

SIMPLE_HISTORY_REVERT_DISABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own "django" logger has a console handler of its own under DEBUG and also
    # propagates to the root: without this every line would be printed twice.
    "loggers": {"django": {"handlers": [], "level": env_str("DJANGO_LOG_LEVEL", "INFO"), "propagate": True}},
}

# --- Partner API (partners/api): keys, throttling, pagination, schema --------------------------
# Requests per minute a key may make unless the key sets its own rate; counted atomically in
# fixed one-minute windows in the cache (Redis when REDIS_URL is set, so every gunicorn worker
# shares the count).
API_KEY_RATE_PER_MINUTE = env_int("API_KEY_RATE_PER_MINUTE", 600, minimum=1)
# Staff using the API with their admin session share one rate per user.
API_STAFF_RATE_PER_MINUTE = env_int("API_STAFF_RATE_PER_MINUTE", 600, minimum=1)
# Largest request body the API reads (bytes); a larger one answers 413 without being read.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 64 * 1024, minimum=1)
# Failed API-key authentications per minute per client address (REMOTE_ADDR) before that address
# answers 429 for the rest of the minute, with no database query; 0 turns the limit off.
API_AUTH_FAILURES_PER_MINUTE = env_int("API_AUTH_FAILURES_PER_MINUTE", 20)
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200
# last_used_at is written at most this often per key, so reads do not turn into writes.
API_KEY_LAST_USED_RESOLUTION_SECONDS = 60
# Seconds a found API key stays in the cache (one cache read per request instead of a query);
# saving a key or its organisation drops it at once, so this bounds nothing users can see. 0 = off.
API_KEY_CACHE_SECONDS = env_int("API_KEY_CACHE_SECONDS", 300)
# How long a write's Idempotency-Key is remembered (a retry within it replays the first answer);
# older records are purged daily by the beat task "partner API: purge idempotency keys".
API_IDEMPOTENCY_TTL_HOURS = env_int("API_IDEMPOTENCY_TTL_HOURS", 24 * 7, minimum=1)
# Authentication (API key, then admin session), permission, throttle and pagination classes are
# set on the API's base view (partners/api/views.py), not as global defaults.
REST_FRAMEWORK |= {"EXCEPTION_HANDLER": "partners.api.errors.exception_handler"}
SPECTACULAR_SETTINGS |= {
    # Swagger UI served from our own static files: the docs work with no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LoanStatusEnum": "portfolio.choices.LoanStatus",
        "CertificationStatusEnum": "portfolio.choices.CertificationStatus",
        "FinancingKindEnum": "portfolio.choices.FinancingKind",
        "InstrumentEnum": "portfolio.choices.Instrument",
        "DatePrecisionEnum": "portfolio.choices.DatePrecision",
        "LadderStatusEnum": "partners.api.serializers.LADDER_STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.api.schema.add_common_responses",
    ],
    "TAGS": [
        {"name": "firms", "description": "Firms that consented to share their data with you."},
        {"name": "white-list", "description": "Firms an incubator recommends to you."},
        {"name": "loans", "description": "Loan applications and decisions you record."},
    ],
}
# --- Reminders: deadline emails and the weekly digest (portfolio/services/reminders/) ---
# The schedules themselves are django-celery-beat rows (admin > Periodic tasks): an hourly pass
# and a Monday digest, created by migration portfolio 0004. Each kind's reminder days are data
# (admin > Certification kinds); this default is used only for a kind whose list is empty.
REMINDER_DEFAULT_DAYS = [90, 30, 7, 1]
# Certificates re-synced per task after a kind's rules changed (portfolio.tasks.kind_sync_deadlines).
CERTIFICATION_SYNC_BATCH_SIZE = env_int("CERTIFICATION_SYNC_BATCH_SIZE", 500, minimum=1)
# Deadlines read per query by the pass, and delivery ids handed to one worker task.
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 1000, minimum=1)
REMINDER_SEND_BATCH_SIZE = env_int("REMINDER_SEND_BATCH_SIZE", 50, minimum=1)
# Transient SMTP errors (4xx, refused connection, timeout): retried after base * 2^(n-1)
# seconds, never more than the cap, and marked failed after the last attempt.
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 8, minimum=1)
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 60)
REMINDER_RETRY_CAP_SECONDS = env_int("REMINDER_RETRY_CAP_SECONDS", 1800)
# A claimed ("sending") email whose claim is older than this is taken to be orphaned by a dead
# worker and sent again. It must exceed the task's hard time limit, so that no live worker can
# still be sending it: see the README on the one duplicate window this leaves.
REMINDER_SENDING_LEASE_SECONDS = env_int("REMINDER_SENDING_LEASE_SECONDS", 900, minimum=1)
# Each sent email is recorded in its own commit right after the server's 250. Off (the default):
# on PostgreSQL that commit does not wait for its WAL flush (synchronous_commit off for that
# transaction alone); it is visible to every other worker at once, and only a crash of PostgreSQL
# or its machine loses the last ~3 x wal_writer_delay of records (those emails go out again:
# README, "Reminders"). On: each record waits for the flush (1-4 ms a message here).
REMINDER_SENT_RECORD_DURABLE = env_bool("REMINDER_SENT_RECORD_DURABLE", False)
# A pending email handed to the workers but not claimed after this long (the queue lost it,
# e.g. Redis restarted) is handed over again by the next pass.
REMINDER_REQUEUE_AFTER_SECONDS = env_int("REMINDER_REQUEUE_AFTER_SECONDS", 900)
# How far ahead the weekly digest looks.
REMINDER_DIGEST_WEEKS = env_int("REMINDER_DIGEST_WEEKS", 8, minimum=1)

# The ladder pages' "within reach": not eligible yet, nothing unknown, at most max_failing
# conditions short, each with a measurable gap: a score at most max_points short, at most
# max_staff more tech staff, at most max_cny yuan more (R&D, revenue, investment).
# Our own heuristic for "worth a call this year", not an official rule (those are in
# ladder/rules/*.yaml with their documents).
LADDER_WITHIN_REACH = {
    "max_failing": env_int("LADDER_WITHIN_REACH_MAX_FAILING", 2),
    "max_points": env_int("LADDER_WITHIN_REACH_MAX_POINTS", 10),
    "max_staff": env_int("LADDER_WITHIN_REACH_MAX_STAFF", 3),
    "max_cny": env_int("LADDER_WITHIN_REACH_MAX_CNY", 2_000_000),
}

# --- The admin home's dashboard (portfolio/selectors/dashboard.py) ---
# Open stays flagged "near the limit" (months left of the incubation limit, at most this many);
# our own choice for the tile, not an official rule.
DASHBOARD_NEAR_LIMIT_MONTHS = env_int("DASHBOARD_NEAR_LIMIT_MONTHS", 6, minimum=0)
# The home page evaluates the ladder (about 1 ms of CPU a firm, bench/README.md) for at most this
# many open stays; beyond it the tiles link to the ladder page instead of counting.
DASHBOARD_LADDER_MAX_STAYS = env_int("DASHBOARD_LADDER_MAX_STAYS", 2000, minimum=0)

# --- The founder's figures page (figures/views.py): a signed link, no account ---
# Requests per window from one client address (REMOTE_ADDR) and on one link, and refused links
# (wrong, expired, revoked ...) per address; over any of them the page answers 429 until the
# window ends. Counted atomically in the cache (Redis in production, shared by all workers).
FIGURES_RATE_WINDOW_SECONDS = env_int("FIGURES_RATE_WINDOW_SECONDS", 600, minimum=1)
FIGURES_RATE_PER_ADDRESS = env_int("FIGURES_RATE_PER_ADDRESS", 300, minimum=1)
FIGURES_RATE_PER_LINK = env_int("FIGURES_RATE_PER_LINK", 120, minimum=1)
FIGURES_FAILED_LINKS_PER_ADDRESS = env_int("FIGURES_FAILED_LINKS_PER_ADDRESS", 20, minimum=1)

# --- Innovation score (scoring/): the model is the active score pack (admin > Score packs; the
# shipped one is scoring/packs/default.yaml); every cohort is recomputed nightly by the beat row
# "innovation score: nightly recompute" (migration scoring 0003) and on each change of a firm.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] |= {
    "InnovationScoreStatusEnum": "partners.api.serializers.SCORE_STATUSES",
    "IndicatorStatusEnum": "partners.api.innovation_score.LINE_STATUSES",
}
