"""Settings for Socialrapport.

Everything that differs between machines comes from the environment (django-environ).
Without any environment the app runs on the embedded default: SQLite, no Redis; DEBUG is off unless set
(bin/start sets DEBUG=true for the local demo).
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
# The embedded default gets a fixed development key; production must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "import_export",
    "simple_history",
    "axes",
    "nämnd",
    "ekonomi",
    "nyckeltal",
    "rapporter",
    "importer",
    "jobb",
    "publicering",
    "uppfoljning",
    "kommunadmin",
    "socialreports",  # the roof: its management commands (ladda_demodata)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost of ours: Cache-Control on every response, also those other middleware answer with.
    "socialreports.middleware.Cachestyrning",
    "socialreports.middleware.NulSpärr",  # a NUL byte in path/parameters → 404/400 before any lookup
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "socialreports.middleware.Inloggningstid",  # idle and absolute login limit (before LoginRequired)
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: throttles repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: after 5 failed attempts for a username from one IP address, wait 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/spärrad.html"

ROOT_URLCONF = "socialreports.urls"

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

WSGI_APPLICATION = "socialreports.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent saves on the embedded default: every transaction takes the write lock when it begins
    # (IMMEDIATE), so a second writer waits (up to 20 s) instead of failing with "database is locked" when it
    # tries to upgrade a read lock; WAL lets readers go on while one writes. Tested: tests/test_sqlite_samtidighet.py.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# Login lifetime for shared municipal computers (docs/beslut.md, "Cachning och inloggningstid"): the session
# cookie ends when the browser closes; a login ends after 60 minutes without a request and after 10 hours in
# all (socialreports.middleware.Inloggningstid).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60)  # idle limit, seconds
SESSION_ABSOLUTE_AGE = env.int("SESSION_ABSOLUTE_AGE", default=10 * 3600)  # absolute limit, seconds
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
# Swedish formats (space thousands separator, decimal comma, ISO dates) come from
# socialreports/formats/sv; numbers in reports are formatted by rapporter.format.
FORMAT_MODULE_PATH = ["socialreports.formats"]
USE_THOUSAND_SEPARATOR = False  # numbers are formatted explicitly (rapporter.format)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The largest form is the månadsuppföljning grid: up to 600 verksamhetsområden × 6 fields + a few more.
# Set deliberately for that grid rather than switched off.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 4000

DJANGO_TABLES2_TEMPLATE = "django_tables2/semantic.html"

# Pending uploads between an import's preview and confirm; must be shared by all app servers and workers.
IMPORT_TEMP_DIR = env("IMPORT_TEMP_DIR", default="") or None

# --- cache, background jobs ---------------------------------------------------------------
# With REDIS_URL: Redis cache and Celery on Redis. Without (the embedded default): local-memory cache
# and jobs run inline in the request. Redis is never a hard dependency of a page: the report cache falls
# back to rendering uncached and a job that cannot be queued is marked fel (docs/drift.md).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Short socket timeouts: a Redis that is gone must cost a request milliseconds, not a hang.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "socialrapport",
            "TIMEOUT": 7 * 24 * 3600,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "socialrapport",
            "TIMEOUT": 7 * 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None  # job state lives in the Jobb table
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a job is acknowledged when done, so a killed worker's job runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged job after the visibility timeout: longer than the longest job
# (a 100 000-row import or a large PDF takes well under 5 minutes). kombu looks for such jobs every
# unacked_restore_interval × unacked_restore_throttle seconds (default 10 × 10 = 100 s, which made a killed
# worker's job wait 106 s with a 15 s timeout); scan on every tick, at most every 10 s and at least three
# times per visibility timeout, so redelivery comes within the timeout plus one interval.
_synlighet = env.int("CELERY_VISIBILITY_TIMEOUT", default=1800)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _synlighet,
    "unacked_restore_interval": max(1, min(10, _synlighet // 3)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2  # seconds to connect to Redis (web: starting a job; health check)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True  # a worker started while Redis is down waits for it
# If the worker loses Redis mid-job, the job finishes (its state is in the database); the unacknowledged
# message comes back after the visibility timeout and finds the job done.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_TIME_LIMIT = 900
CELERY_TIMEZONE = TIME_ZONE
# Reminders of report deadlines (publicering.paminnelser): once a day at 06:30 by celery beat (installations
# without beat run ``manage.py skicka_paminnelser`` from cron instead; sending twice sends nothing new).
CELERY_BEAT_SCHEDULE = {
    "skicka-paminnelser": {
        "task": "jobb.skicka_påminnelser",
        "schedule": crontab(hour=6, minute=30),
    }
}
# After a change, the kommun's recently requested PDFs are rendered again once per this many seconds
# (coalesced; 0 = off). Only with Redis.
PDF_FÖRRENDERING_SEKUNDER = env.int("PDF_FORRENDERING_SEKUNDER", default=10)

# --- e-mail (deadline reminders) -------------------------------------------------------------------
# EMAIL_URL (django-environ: smtp+tls://user:password@host:587) or EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; neither set: e-mail is written to the console (nothing is sent).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="socialrapport@localhost")
# The address links in e-mail point to (no request to take it from in a background job).
WEBBADRESS = env("WEBBADRESS", default="http://localhost:8000").rstrip("/")

# --- security headers (all environments; production adds HTTPS settings in settings_prod) --------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- single sign-on (OIDC) ---------------------------------------------------------------------------
# Login through the kommun's identity provider (app inloggning/, mozilla-django-oidc; README "Inloggning med
# kommunens konto (OIDC)"). Off unless the client and all four provider endpoints are set; local accounts
# (username/password) always work. Kommun and role come from the claims through Inloggningsregel (admin).
INSTALLED_APPS += ["mozilla_django_oidc", "inloggning"]
# axes first (it guards the password form), then local accounts, then single sign-on.
AUTHENTICATION_BACKENDS += ["inloggning.backend.KommunOIDCBackend"]
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")  # when set, the id_token's iss must equal it
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)  # seconds per request to the provider
OIDC_MATCHA_EPOST = env.bool("OIDC_MATCHA_EPOST", default=True)  # link an existing account by email on first login
OIDC_SESSION_AGE = env.int(
    "OIDC_SESSION_AGE", default=8 * 3600
)  # an SSO session ends after this; login re-reads claims
# The OIDC callback carries no password; refused callbacks must not lock an office's shared IP out (inloggning/axes.py).
AXES_WHITELIST_CALLABLE = "inloggning.axes.oidc_återkoppling"
# --- end single sign-on (OIDC) ------------------------------------------------------------------------
