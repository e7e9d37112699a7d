"""One settings module, driven by environment variables.

With nothing set it runs the embedded default: SQLite and local video storage under
./data, the development LMS on, Celery tasks run in-process. `APP_ENV=production`
turns on the checks that refuse insecure values (see `_check_production`).
"""

from __future__ import annotations

import base64
import hashlib
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config.env import env, envbool, envint, envlist
from config.logs import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
APP_ENV = env("APP_ENV", "development")
PRODUCTION = APP_ENV == "production"

_DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET_KEY)
DEBUG = envbool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data"))).resolve()

# The development LMS is a real LTI platform inside the tool, for trying it out locally.
DEV_LMS_ENABLED = envbool("DEV_LMS", DEBUG) and not PRODUCTION

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "lti_tool",
    "lti_tool.tenants",
    "lti_tool.ops",
]
if DEV_LMS_ENABLED:
    INSTALLED_APPS.append("dev_lms")

MIDDLEWARE = [
    "lti_tool.ops.middleware.OpsEndpointsMiddleware",  # /healthz /readyz /metrics, plain http
    "lti_tool.ops.middleware.RequestContextMiddleware",  # request id, latency by route
    "django.middleware.security.SecurityMiddleware",
    "lti_tool.ops.middleware.ContentSecurityPolicyMiddleware",
    "lti_tool.ops.middleware.ErrorBodyMiddleware",  # the tool's page for empty error bodies
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lti_tool.languages.LaunchLanguageMiddleware",  # the LMS's language, then the browser's
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lti_tool.errors.AppErrorMiddleware",  # pages: an AppError becomes the error page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lti_tool.languages.page_context",
            ],
        },
    },
]

if not env("DATABASE_URL", ""):
    # The embedded default keeps its SQLite file in DATA_DIR: create the folder, so plain
    # `manage.py migrate` works on a fresh clone (SQLite creates the file, not the folder).
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
        # Persistent connections: a new PostgreSQL connection per request is ~10x slower.
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}


def _statement_timeout_ms() -> int:
    """Longer than any request's query may take; none for `manage.py migrate`, whose schema
    changes on a large table may take minutes."""
    if sys.argv[1:2] == ["migrate"] and Path(sys.argv[0]).name == "manage.py":
        return 0
    return envint("DB_STATEMENT_TIMEOUT_MS", 15000)


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast, never hang: a database that does not answer turns into a 503 with a
    # sentence (`outage_error` in lti_tool/errors.py) in seconds, not after gunicorn's
    # 30 s timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": envint("DB_CONNECT_TIMEOUT", 5),
            "options": f"-c statement_timeout={_statement_timeout_ms()}",
            # Parameters sent apart from the SQL, and a statement run 5 times on a connection
            # prepared: PostgreSQL plans the hot paths' reads once per connection instead of
            # on every request (planning a ticket's five-table read took longer than running
            # it). Behind a pooler that cannot keep prepared statements (PgBouncer before
            # 1.21 in transaction mode), set DB_PREPARE_THRESHOLD=0.
            "server_side_binding": True,
            "prepare_threshold": envint("DB_PREPARE_THRESHOLD", 5) or None,
        }
    )
    # Django's backend, with the health check skipped for a connection that answered less
    # than DB_HEALTH_CHECK_AFTER seconds ago (config/postgresql/base.py says why).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
DB_HEALTH_CHECK_AFTER = float(env("DB_HEALTH_CHECK_AFTER", "1"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
# Seconds a Redis call may take (connect, then each command): a Redis that is down or stuck
# becomes a 503 with a sentence at once, not a hung request.
REDIS_TIMEOUT = float(env("REDIS_TIMEOUT", "2"))
if REDIS_URL:
    # One connection pool per process (Django's), and one client per pool (ours: Django
    # builds a client per call). Pool size: at most one connection per thread in use.
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "retry_on_timeout": False,
            },
        }
    }
else:
    # Single-process development default; nonces and rate limits need Redis in production.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The broker: Redis by default, or RabbitMQ (`amqp://user:password@host:5672/vhost`).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = False  # the tasks that must survive a crash say acks_late themselves
# A worker killed in a task: the task is given back to the broker, not lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Keep a worker's PostgreSQL connection across tasks (Celery closes it after every task
# otherwise: reconnecting was 27% of a purge). Django's health check still drops a dead one.
CELERY_DB_REUSE_MAX = envint("CELERY_DB_REUSE_MAX", 1000)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis broker: a message a dead worker took comes back after this many seconds (RabbitMQ
# gives it back when the connection drops). Retries wait in the database, not in the broker
# (services/score_sends.py, tasks.verify_submission), so no task waits longer than this.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 120),
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    # A request that enqueues after its commit must not wait for a broker that is down.
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues by kind, so a backlog of one never blocks another; docker/scale-out.md lists the
# worker commands. A worker started without -Q consumes them all; a task not routed below
# goes to "celery".
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "verification", "grades", "purge")]
CELERY_TASK_ROUTES = {
    "lti_tool.tasks.verify_submission": {"queue": "verification"},
    "lti_tool.tasks.reverify_waiting_uploads": {"queue": "verification"},
    "lti_tool.tasks.send_score": {"queue": "grades"},
    "lti_tool.tasks.resend_due_scores": {"queue": "grades"},
    "lti_tool.tasks.ensure_line_item": {"queue": "grades"},
    "lti_tool.tasks.sync_line_item": {"queue": "grades"},
    "lti_tool.tasks.purge_video": {"queue": "purge"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log JSON lines through LOGGING too
# Grade sends to the LMS: backoff between attempts (full jitter), from the base growing to
# the cap; each score is retried for 24 hours.
GRADE_RETRY_BASE_SECONDS = envint("GRADE_RETRY_BASE_SECONDS", 10)
GRADE_RETRY_CAP_SECONDS = envint("GRADE_RETRY_CAP_SECONDS", 1800)
# Beat: the database is the one queue of retries. These sweeps enqueue the uploads and
# scores whose next try is due (or whose message a broker outage or a crash lost).
CELERY_BEAT_SCHEDULE = {
    "resend-due-scores": {"task": "lti_tool.tasks.resend_due_scores", "schedule": 10.0},
    "reverify-waiting-uploads": {
        "task": "lti_tool.tasks.reverify_waiting_uploads",
        "schedule": 15.0,
    },
    # Deletion, retention and reconciliation (lti_tool/services/deletion.py and beside).
    "resume-purges": {"task": "lti_tool.tasks.resume_purges", "schedule": 3600.0},
    "sweep-retention": {"task": "lti_tool.tasks.sweep_retention", "schedule": 86400.0},
    "roll-up-events": {"task": "lti_tool.tasks.roll_up_events", "schedule": 3600.0},
    "reconcile-storage": {
        "task": "lti_tool.tasks.reconcile_all_storage",
        "schedule": 7 * 86400.0,
    },
    "end-abandoned-uploads": {"task": "lti_tool.tasks.end_abandoned_uploads", "schedule": 300.0},
}

LANGUAGE_CODE = "en"
# Full catalogs ship for French and Spanish (locale/); any other language in this list is
# shown in English with its own direction and formats (Arabic: right to left).
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default: URLs typed without a scheme are https

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The tool lives in the LMS's iframe: cookies the LTI launch needs are SameSite=None; Secure.
# Browsers accept Secure cookies from http://127.0.0.1 and http://localhost, so the
# development server works over plain http on those hosts.
LTI_COOKIE_SAMESITE = "None"
LTI_COOKIE_SECURE = True
# CHIPS: browsers that block third-party cookies keep a partitioned one (Chrome, Edge).
LTI_COOKIE_PARTITIONED = envbool("LTI_COOKIE_PARTITIONED", True)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_HTTPS_PROXY", False) else None
)

# Launch tokens: signed, short-lived, bound to (tenant, user, context, resource link, role).
LTI_LAUNCH_TOKEN_TTL = envint("LTI_LAUNCH_TOKEN_TTL", 2 * 3600)
# The page renews its token while open, up to this long after the launch (then: relaunch).
LTI_LAUNCH_SESSION_MAX = envint("LTI_LAUNCH_SESSION_MAX", 12 * 3600)
LTI_NONCE_TTL = envint("LTI_NONCE_TTL", 10 * 60)
LTI_JWKS_CACHE_TTL = envint("LTI_JWKS_CACHE_TTL", 10 * 60)

# Videos: the storage backends an administrator can pick (dotted paths; each backend
# package brings its options, admin fields, prices and endpoints), and the site default
# (per-tenant configuration comes on top of this).
VIDEO_STORAGE_BACKENDS = envlist("VIDEO_STORAGE_BACKENDS") or [
    "storage_backends.local.LocalBackend",
    "storage_backends.s3.S3Backend",
    "storage_backends.cloudflare.CloudflareStreamBackend",
]
VIDEO_LOCAL_ROOT = env("VIDEO_LOCAL_ROOT", str(DATA_DIR / "videos"))
VIDEO_STORAGE = {
    "BACKEND": env("VIDEO_STORAGE_BACKEND", "storage_backends.local.LocalBackend"),
    "OPTIONS": {"root": VIDEO_LOCAL_ROOT},
}
# What backends' endpoints ask of this app (which upload is whose): see storage_backends/host.py.
VIDEO_STORAGE_HOST = "lti_tool.services.storage_host.AppStorageHost"
# Fernet keys for per-tenant credentials, newest first (comma-separated). Development
# derives one from SECRET_KEY; production must set its own.
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS") or [
    base64.urlsafe_b64encode(hashlib.sha256(f"fernet:{SECRET_KEY}".encode()).digest()).decode()
]
VIDEO_MAX_UPLOAD_BYTES = envint("VIDEO_MAX_UPLOAD_BYTES", 5 * 1024**3)
VIDEO_UPLOAD_TICKET_TTL = envint("VIDEO_UPLOAD_TICKET_TTL", 24 * 3600)
VIDEO_PLAYBACK_TTL = envint("VIDEO_PLAYBACK_TTL", 3600)
# An upload with no bytes arriving for this long is ended (tenant: limits.abandoned_upload_minutes).
VIDEO_ABANDONED_UPLOAD_MINUTES = envint("VIDEO_ABANDONED_UPLOAD_MINUTES", 30)
# Per user and assignment; a tenant may override each (Tenant.limits).
VIDEO_RATE_LIMITS = {
    "upload_per_hour": envint("VIDEO_UPLOADS_PER_HOUR", 10),
    "upload_per_day": envint("VIDEO_UPLOADS_PER_DAY", 50),
    "playback_per_hour": envint("VIDEO_PLAYBACKS_PER_HOUR", 100),
}

# One JSON object per line on stdout, secrets redacted (config/logs.py); LOG_FORMAT=console
# renders the same lines for a person at a terminal.
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "console")
LOGGING = logging_config(env("LOG_LEVEL", "INFO"), json=LOG_FORMAT == "json")
configure_structlog()

# Operations (lti_tool/ops/): /metrics wants `Authorization: Bearer METRICS_TOKEN` (off
# without one); counters are flushed to Redis at most every METRICS_FLUSH_SECONDS.
METRICS_TOKEN = env("METRICS_TOKEN")
METRICS_FLUSH_SECONDS = float(env("METRICS_FLUSH_SECONDS", "1"))
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 15)
STORAGE_CHECK_CACHE_SECONDS = envint("STORAGE_CHECK_CACHE_SECONDS", 60)
# Who may frame the tool: the registered platforms' origins, plus these (lti_tool/ops/).
# On by default in production only: development and test LMSs frame from other hosts.
CSP_ENFORCE = envbool("CSP_ENFORCE", PRODUCTION)
CSP_FRAME_ANCESTORS = envlist("CSP_FRAME_ANCESTORS")
CSP_CACHE_SECONDS = envint("CSP_CACHE_SECONDS", 60)
CSRF_FAILURE_VIEW = "lti_tool.ops.error_pages.csrf_failure"
# The interactive API docs (/api/docs); the OpenAPI schema stays at /api/openapi.json.
API_DOCS = envbool("API_DOCS", not PRODUCTION)


def _check_production() -> None:
    problems = []
    if DEBUG:
        problems.append("DEBUG is on")
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY is the development default or shorter than 32 characters")
    if envbool("DEV_LMS", False):
        problems.append("DEV_LMS is on")
    if not envlist("FIELD_ENCRYPTION_KEYS"):
        problems.append("FIELD_ENCRYPTION_KEYS is not set")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if PRODUCTION:
    _check_production()
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to https in browsers for months: the
        # school's choice (SECURE_HSTS_PRELOAD=1), not a default that `check --deploy` forces.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
