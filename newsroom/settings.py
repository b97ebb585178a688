"""Factdesk settings: one file, read from the environment, strict about what it parses.

Every setting has a safe default. DEBUG is off unless the environment turns it on (`make run` and `make test` do);
SECRET_KEY is required as soon as DEBUG is off.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "factcheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "factcheck.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "factcheck.middleware.StatementTimeoutMiddleware",
    "factcheck.middleware.HistoryContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "factcheck.context_processors.roles",
                "factcheck.context_processors.shortcuts",
                "factcheck.context_processors.history_verification",
            ],
        },
    }
]


def _database(url: str) -> dict:
    database = dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True)
    database.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
    return database


# Two roles (README, "History"): the app connects as a role that can read and append history but not rewrite it;
# migrations run as the role that owns the tables. setup_workspace creates both (through DATABASE_ADMIN_URL).
DATABASES = {"default": _database(env_str("DATABASE_URL", "postgres://factdesk_app@127.0.0.1:5432/factdesk"))}
# Without MIGRATION_DATABASE_URL: the same server and database, as the local owner role (trust authentication).
DATABASES["owner"] = (
    _database(os.environ["MIGRATION_DATABASE_URL"]) if os.environ.get("MIGRATION_DATABASE_URL")
    else {**DATABASES["default"], "USER": "factdesk_owner", "PASSWORD": "",
          "OPTIONS": dict(DATABASES["default"]["OPTIONS"])}
)
if DATABASES["owner"]["NAME"] != DATABASES["default"]["NAME"]:
    raise ImproperlyConfigured("MIGRATION_DATABASE_URL must name the same database as DATABASE_URL.")
# Every statement of a web request is stopped after this long (workers and migrations are not bounded).
FACTDESK_WEB_STATEMENT_TIMEOUT_MS = env_int("WEB_STATEMENT_TIMEOUT_MS", 15_000)
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_factdesk")}
FACTDESK_APP_DATABASE_ROLE = DATABASES["default"]["USER"]
# A superuser connection, used only by setup_workspace to create the roles and the database; empty: they exist.
DATABASE_ADMIN_URL = env_str("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Bounded connections: a gunicorn worker or a Celery worker process holds at most one connection per alias, kept
# DATABASE_CONN_MAX_AGE seconds, so the total is fixed by the process counts (README, "Security"). runserver starts
# a thread per request, where kept connections would pile up towards max_connections: a local run (DEBUG) keeps
# none unless DATABASE_CONN_MAX_AGE says otherwise.
if DEBUG and not os.environ.get("DATABASE_CONN_MAX_AGE"):
    for _alias_settings in DATABASES.values():
        _alias_settings["CONN_MAX_AGE"] = 0

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Django's model backend: a person's permissions are read on the first question of each request and kept on the
# user for the rest of it, so a role taken away applies on the next click.
# django-axes first: it counts failed sign-ins and refuses a locked-out one before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT failures for one user name from one address, that pair
# is refused (429) for LOGIN_LOCKOUT_MINUTES; a successful sign-in clears the count. Behind a proxy every request
# comes from the proxy's address, so the lock is then per user name (README, "Security").
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "factcheck:inbox"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads. Articles are parsed from memory, so the limits are also what a request may hold.
FACTDESK_MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
FACTDESK_MAX_BATCH_BYTES = env_int("MAX_BATCH_BYTES", 200 * 1024 * 1024)
FACTDESK_MAX_ARCHIVE_ENTRIES = env_int("MAX_ARCHIVE_ENTRIES", 20_000)
FACTDESK_MAX_ARCHIVE_RATIO = env_int("MAX_ARCHIVE_RATIO", 100)
FACTDESK_FETCH_TIMEOUT = env_int("FETCH_TIMEOUT_SECONDS", 15)
# Claims stored per article: the most check-worthy are kept, and the article says how many were left out.
FACTDESK_MAX_CLAIMS_PER_ARTICLE = env_int("MAX_CLAIMS_PER_ARTICLE", 1000)
# A single Word or PDF upload larger than this is read on a worker (as a one-file import), not in the request.
FACTDESK_PARSE_IN_REQUEST_BYTES = env_int("PARSE_IN_REQUEST_BYTES", 1024 * 1024)
# A request whose declared body is larger than a batch (plus its form fields) is refused before it is read;
# form fields other than files may hold an upload's worth of text (a pasted article).
FACTDESK_MAX_REQUEST_BYTES = FACTDESK_MAX_BATCH_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = FACTDESK_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 200

# Fact-check reports: the newsroom named as the author of their ClaimReview markup, and whether a published
# report can be read signed out (at its own address, read only).
NEWSROOM_NAME = env_str("NEWSROOM_NAME", "Factdesk newsroom")
NEWSROOM_URL = env_str("NEWSROOM_URL", "http://localhost:8000/")
PUBLIC_REPORTS = env_bool("PUBLIC_REPORTS", False)

# History: every event table refuses UPDATE and DELETE (a database trigger), whatever the code path.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# Celery: JSON only, late acks so a killed worker's task runs again, bounded time.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A message taken by a worker that died is handed out again after this long.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    "socket_connect_timeout": 3,
}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "factdesk")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "resume-stalled-work": {"task": "factcheck.tasks.work_resume_stalled", "schedule": timedelta(minutes=2)},
    "poll-feeds": {"task": "factcheck.tasks.feeds_poll_due", "schedule": timedelta(minutes=15)},
    "fetch-factcheck-feeds": {"task": "factcheck.tasks.factcheck_feeds_fetch_due", "schedule": timedelta(minutes=5)},
    "expire-exports": {"task": "factcheck.tasks.exports_expire", "schedule": timedelta(hours=1)},
}
# Retrain the check-worthiness head on reviewers' decisions every this many hours (0: never; off by default, as a
# switch re-scores every unreviewed claim). The run switches only to a version not worse on held-back labels.
FACTDESK_RETRAIN_CHECKWORTHINESS_HOURS = env_int("RETRAIN_CHECKWORTHINESS_HOURS", 0)
if FACTDESK_RETRAIN_CHECKWORTHINESS_HOURS > 0:
    CELERY_BEAT_SCHEDULE["retrain-checkworthiness"] = {
        "task": "factcheck.tasks.checkworthiness_retrain",
        "schedule": timedelta(hours=FACTDESK_RETRAIN_CHECKWORTHINESS_HOURS),
    }

# Notifications: an optional e-mail digest of unread ones, through Django's mail backend (off by default).
NOTIFICATION_EMAIL_DIGEST = env_bool("NOTIFICATION_EMAIL_DIGEST", False)
NOTIFICATION_DIGEST_MINUTES = env_int("NOTIFICATION_DIGEST_MINUTES", 60)
CELERY_BEAT_SCHEDULE["notification-digest"] = {
    "task": "factcheck.tasks.notifications_send_digest", "schedule": timedelta(minutes=NOTIFICATION_DIGEST_MINUTES),
}
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "factdesk@localhost")

# Exports from the browser: up to this many claims download at once; more are written by a worker and kept
# (in the database) this many hours.
FACTDESK_EXPORT_SYNC_MAX_CLAIMS = env_int("EXPORT_SYNC_MAX_CLAIMS", 5000)
FACTDESK_EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24)
# The banner on every page: no live worker, or an article queued for extraction longer than this many minutes;
# what it found is kept this many seconds (one worker ping per web process per period).
FACTDESK_STUCK_QUEUED_MINUTES = env_int("STUCK_QUEUED_MINUTES", 5)
FACTDESK_WORK_STATUS_CACHE_SECONDS = env_int("WORK_STATUS_CACHE_SECONDS", 30)

# Content-Security-Policy: our own scripts and styles only; no inline script, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept default for admin.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # TLS ends at the proxy in front of gunicorn; these follow from that (see README, "Production").
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

PGHISTORY_ADMIN_MODEL = "pghistory.MiddlewareEvents"
