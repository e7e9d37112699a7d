"""One settings module, driven by environment variables.

With nothing set it runs the embedded default: SQLite and local video storage under
./data, the development LMS on, Celery tasks run in-process. `APP_ENV=production`
turns on the checks that refuse insecure values (see `_check_production`).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env, envbool, envint, envlist

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
]
if DEV_LMS_ENABLED:
    INSTALLED_APPS.append("dev_lms")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Single-process development default; nonces and rate limits need Redis in production.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Beat: re-enqueue grade sends whose retry message was lost (the outbox keeps the rows).
CELERY_BEAT_SCHEDULE = {
    "resend-due-scores": {"task": "lti_tool.tasks.resend_due_scores", "schedule": 60.0},
    "reverify-waiting-uploads": {
        "task": "lti_tool.tasks.reverify_waiting_uploads",
        "schedule": 300.0,
    },
    "end-abandoned-uploads": {"task": "lti_tool.tasks.end_abandoned_uploads", "schedule": 300.0},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default: URLs typed without a scheme are https

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


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
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
