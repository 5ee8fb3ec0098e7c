"""Django settings for Ducha, read from the environment.

DUCHA_DATABASE_URL  database URL (default: SQLite file var/ducha.sqlite3, WAL mode)
DUCHA_SECRET_KEY    secret key (default: generated once and kept in var/secret_key)
DUCHA_DEBUG         "1"/"true" to enable debug
DUCHA_VAR_DIR       where data lives (default: <repo>/var), created readable by Ducha's user only
DUCHA_HTTPS         "1": served over HTTPS only (secure cookies, HSTS, redirect to https)
DUCHA_BEHIND_PROXY  "1": a reverse proxy in front sets X-Forwarded-Proto and X-Forwarded-For
DUCHA_REQUEST_MAX_BYTES  a larger request is refused (413) before its body is read
See docs/deployment.md.
"""

import contextlib
import datetime as dt
import os
import secrets
import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ducha.core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("DUCHA_VAR_DIR", BASE_DIR.parent / "var")).resolve()
# Database, secret key, evidence and uploads in progress: for Ducha's user only.
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("DUCHA_SECRET_KEY"):
        return key
    # Generated once per installation and kept beside the data, never in the repository.
    # Created 0600 from the start (never readable by others, not even for a moment); O_EXCL:
    # of two processes starting together, one writes it and the other reads it.
    path = VAR_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
    for _attempt in range(100):
        if key := path.read_text().strip():
            return key
        time.sleep(0.01)  # created a moment ago by another process, still being written
    raise ImproperlyConfigured(f"{path} is empty: delete it to have a new key generated")


def _private_file(path: Path) -> None:
    """Create the file, empty, readable by Ducha's user only, unless it exists."""
    if path.parent.is_dir():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


SECRET_KEY = _secret_key()
DEBUG = _env_flag("DUCHA_DEBUG")
ALLOWED_HOSTS = [h for h in os.environ.get("DUCHA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

# HTTPS (docs/deployment.md). DUCHA_HTTPS: cookies only over HTTPS, HSTS for a year with
# the subdomains, plain-HTTP requests redirected. DUCHA_BEHIND_PROXY: the reverse proxy in
# front says whether the request came over HTTPS (X-Forwarded-Proto) and from which address
# (X-Forwarded-For, for the sign-in lockout); without it those headers are not trusted.
HTTPS = _env_flag("DUCHA_HTTPS")
BEHIND_PROXY = _env_flag("DUCHA_BEHIND_PROXY")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# A monitor on the server itself asks /health over plain HTTP (web/health.py).
SECURE_REDIRECT_EXEMPT = [r"^health$"]
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload (security.W021) puts the whole registrable domain, every sibling site of
    # it, on the browsers' built-in HTTPS-only list for months: the domain owner's decision,
    # taken in the web server's headers, not one an application makes for its domain.
    "security.W021",
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ducha.core",
    "ducha.org",
    "ducha.ledger",
    "ducha.supervision",
    "ducha.reports",
    "ducha.imports",
    "ducha.analyses",
    "ducha.demo",
    "ducha.web",
    "ducha.api",
    "ninja",  # its Swagger UI's static files (the API docs page), vendored in the package
]

MIDDLEWARE = [
    # First: every response, static files and refusals included, gets its log line and X-Request-ID.
    "ducha.web.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT under `ducha serve`, answered before sessions or sign-in.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ducha.web.locale.DefaultLanguageMiddleware",
    # Before anything reads the body (CsrfViewMiddleware reads the form): too large, refused.
    "ducha.web.security.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ducha.web.security.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused sign-in into the lockout page
]

ROOT_URLCONF = "ducha.urls"

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
                "ducha.web.context.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "ducha.wsgi.application"

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'ducha.sqlite3'}"
# Connections kept for 60 s between requests, each checked before a request reuses it: after
# PostgreSQL restarts, a worker's kept connection is dead, and without the check its next
# request would fail instead of opening a new one (web/tests/test_postgres_restart.py).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DUCHA_DATABASE_URL") or DEFAULT_DATABASE_URL, conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if not str(DATABASES["default"]["NAME"]).startswith((":memory:", "file:")):
        # SQLite creates its file 0644 and its -wal/-shm files like it: created here first, 0600.
        _private_file(Path(DATABASES["default"]["NAME"]))
    DATABASES["default"]["OPTIONS"] = {
        # WAL: readers work while one writer writes. IMMEDIATE: no lock upgrade mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# Shared by all server processes; statistics are cached per change-log head (reports/cache.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one account
# from one address, that account is refused from that address for AXES_COOLOFF_TIME (any
# further try restarts it). Other accounts, and the account from other addresses, sign in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DUCHA_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("DUCHA_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "ducha.web.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "ducha.web.lockout.client_ip"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "ducha.web.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Under var/ (0700) only the server itself can read them: a web server running as another
# user serves them from DUCHA_STATIC_ROOT outside it (docs/deployment.md).
STATIC_ROOT = Path(os.environ.get("DUCHA_STATIC_ROOT", VAR_DIR / "static"))
# collectstatic also writes gzip and Brotli copies, which whitenoise serves to browsers that take them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline scripts or styles: every script and stylesheet is a vendored static file.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Evidence files live outside the database; the database keeps name, size and checksum.
EVIDENCE_ROOT = Path(os.environ.get("DUCHA_EVIDENCE_ROOT", VAR_DIR / "evidence"))
EVIDENCE_MAX_BYTES = int(os.environ.get("DUCHA_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))
# Zip containers (.zip, .ofd, .docx, .xlsx): zip bombs are refused by what they unpack to.
EVIDENCE_ZIP_MAX_UNPACKED_BYTES = int(os.environ.get("DUCHA_EVIDENCE_ZIP_MAX_UNPACKED_BYTES", 200 * 1024 * 1024))
EVIDENCE_ZIP_MAX_RATIO = int(os.environ.get("DUCHA_EVIDENCE_ZIP_MAX_RATIO", 100))
EVIDENCE_ZIP_MAX_MEMBERS = int(os.environ.get("DUCHA_EVIDENCE_ZIP_MAX_MEMBERS", 10_000))
EVIDENCE_ALLOWED_EXTENSIONS = {
    ".pdf",
    ".ofd",
    ".jpg",
    ".jpeg",
    ".png",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".zip",
}
# Background jobs (the web's imports and large exports): Django's task framework through the django-tasks
# backport, stored in the database; `ducha job_worker` runs them (docs/deployment.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Ledger imports (ducha import): a larger file is refused before it is read.
IMPORT_MAX_BYTES = int(os.environ.get("DUCHA_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
# Ledger exports (?export=xlsx, ?export=ledger): a filtered list of more rows is written by a
# background job (web/export_jobs.py) under var/exports instead of in the request.
EXPORT_INLINE_ROWS = int(os.environ.get("DUCHA_EXPORT_INLINE_ROWS", 5000))
# The summary report of a campaign with more problems is written by a background job
# (web/report_jobs.py) under var/reports; a smaller one in the request.
REPORT_INLINE_PROBLEMS = int(os.environ.get("DUCHA_REPORT_INLINE_PROBLEMS", 50000))
# The analytics' DuckDB (the three-way comparison): its memory, beyond which it spills
# to ANALYTICS_SPILL_DIR (a temporary folder made there per run, removed after).
ANALYTICS_MEMORY_LIMIT = os.environ.get("DUCHA_ANALYTICS_MEMORY_LIMIT", "3GB")
ANALYTICS_SPILL_DIR = Path(os.environ.get("DUCHA_ANALYTICS_SPILL_DIR", VAR_DIR / "spill"))
# A bulk action writing this many rows refreshes the query planner's statistics (core/planner.py);
# below it an import changes a table's shape too little to matter.
ANALYZE_AFTER_ROWS = int(os.environ.get("DUCHA_ANALYZE_AFTER_ROWS", 10_000))
# Uploads: a request over REQUEST_MAX_BYTES is refused (413) before its body is read
# (web/uploads.py; the web server in front has the same limit, docs/deployment.md). Files
# stream to disk in chunks under var/uploads (0700, files 0600) unless the whole request is
# under FILE_UPLOAD_MAX_MEMORY_SIZE; form fields are held in memory up to
# DATA_UPLOAD_MAX_MEMORY_SIZE, Django's own limit.
REQUEST_MAX_BYTES = int(os.environ.get("DUCHA_REQUEST_MAX_BYTES", 64 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, exist_ok=True)

# Logs on standard error: text, or one JSON object a line (DUCHA_LOG_FORMAT=json, the default
# under `ducha serve`); a line per request whatever the level (core/logs.py, web/request_log.py).
LOGGING = logging_config(
    format=os.environ.get("DUCHA_LOG_FORMAT", "text"), level=os.environ.get("DUCHA_LOG_LEVEL", "WARNING")
)
# `ducha serve` (web/serve.py): gunicorn's worker processes and threads in each.
SERVE_WORKERS = int(os.environ.get("DUCHA_WORKERS") or min(2 * (os.cpu_count() or 1) + 1, 9))
SERVE_THREADS = int(os.environ.get("DUCHA_THREADS") or 4)
