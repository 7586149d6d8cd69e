"""Django settings for KSBB, read from ``KSBB_*`` environment variables (see README)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from ksbb.core.env import (
    env_bool,
    env_cache,
    env_database_url,
    env_ed25519_seed,
    env_int,
    env_list,
    env_path,
    env_rate,
    env_storage,
    env_str,
    env_time_zone,
    household_key,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("KSBB_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("KSBB_DEBUG", False)
SECRET_KEY = secret_key("KSBB_SECRET_KEY", DATA_DIR)
# Keyed hashes of NIKs and family card numbers (ksbb.households.identity).
KSBB_HOUSEHOLD_KEY = household_key("KSBB_HOUSEHOLD_KEY", DATA_DIR)
ALLOWED_HOSTS = env_list("KSBB_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("KSBB_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "ksbb.web.thirdparty.TasksDbConfig",  # django_tasks_db, named in the reader's language
    # Domain apps: models, services (writes) and selectors (reads).
    "ksbb.core",
    "ksbb.areas",
    "ksbb.accounts",
    "ksbb.regions",
    "ksbb.donations",
    "ksbb.needs",
    "ksbb.allocation",
    "ksbb.distribution",
    "ksbb.reports",
    "ksbb.stats",
    "ksbb.forum",
    "ksbb.privacy",
    "ksbb.households",
    "ksbb.proofs",
    "ksbb.notifications",
    # Interface apps, one per audience.
    "ksbb.web",
    "ksbb.api",
    "ksbb.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the authentication middleware, so that it sees who the answer was for.
    "ksbb.web.middleware.NoStoreForSignedInMiddleware",
    # Page headers (after WhiteNoise: static files need neither).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ksbb.web.middleware.LanguageMiddleware",
    "ksbb.web.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ksbb.urls"
WSGI_APPLICATION = "ksbb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ksbb.web.context_processors.navigation",
            ],
        },
    },
]

# The embedded default is one SQLite file in the data folder; production sets
# KSBB_DATABASE_URL to PostgreSQL.
_DEFAULT_DB_URL = f"sqlite:///{DATA_DIR / 'ksbb.sqlite3'}"
DATABASE_URL = env_database_url("KSBB_DATABASE_URL", _DEFAULT_DB_URL)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock
        # at the start of a transaction so that two writers queue instead of deadlocking.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# One permission API for pages and API alike: django-rules predicates, object level.
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Indonesian first, English second; the language is chosen by cookie so that public
# URLs such as /verify/<code>/ stay the same in both languages.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_time_zone("KSBB_TIME_ZONE", "Asia/Jakarta")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files: the data folder, or an S3-compatible bucket shared by every web and worker
# node (KSBB_STORAGE_URL). Either way they are served only through permission-checked views.
STORAGES = {
    "default": env_storage("KSBB_STORAGE_URL"),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
# Serve straight from the package when collectstatic has not run (tests, development).
WHITENOISE_USE_FINDERS = True

# Shared by every process of the machine by default (a file cache in the data folder), so
# that rate limits, one-time challenges and cached statistics hold across gunicorn workers;
# several machines set KSBB_CACHE_URL=redis://...
CACHES = {"default": env_cache("KSBB_CACHE_URL", f"file://{DATA_DIR / 'cache'}")}

TASKS = {
    "default": {
        "BACKEND": env_str("KSBB_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = env_str("KSBB_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("KSBB_DEFAULT_FROM_EMAIL", "KSBB <noreply@ksbb.invalid>")
# The mail server of the SMTP backend; a timeout so that a hung server fails the attempt
# (retried later) instead of holding a task worker.
EMAIL_HOST = env_str("KSBB_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KSBB_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("KSBB_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("KSBB_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KSBB_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("KSBB_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("KSBB_EMAIL_TIMEOUT", 30, minimum=1)
# Attempts at a notification's e-mail before it is marked failed (ksbb.notifications).
KSBB_NOTIFICATION_ATTEMPTS = env_int("KSBB_NOTIFICATION_ATTEMPTS", 5, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: forms (htmx's hx-post included) carry the token in a
# hidden field, and the API docs page gets it rendered into its script.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating reverse proxy, set KSBB_SECURE=1 (see README, Deployment).
_SECURE = env_bool("KSBB_SECURE", False)
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_SSL_REDIRECT = _SECURE
# A load balancer probes /healthz over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("KSBB_HSTS_SECONDS", 31536000, minimum=0) if _SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _SECURE
# Preloading is hard to undo (browsers ship the list), so it is an explicit opt-in; without
# it Django's deploy check would always warn about the missing preload flag.
SECURE_HSTS_PRELOAD = _SECURE and env_bool("KSBB_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Trusted only with KSBB_SECURE=1: the proxy must overwrite X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _SECURE else None
# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline code, so injected markup cannot run. NONCE adds a nonce only to a response whose
# template asks for request.csp_nonce (none does today). data: images are the QR codes.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": env_str("KSBB_CSP_REPORT_URI", "") or None,
    }
}
# Report-only: browsers log (and send to KSBB_CSP_REPORT_URI) what the policy would block,
# blocking nothing; for trying out a change of policy on a live site.
if env_bool("KSBB_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP
# Powerful browser features no page uses, switched off for this site and any frame.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
                    "microphone", "payment", "usb")
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "ksbb.api.pagination.Pagination",
    "PAGE_SIZE": env_int("KSBB_API_PAGE_SIZE", 100, minimum=1),
    # JSON nested at most 32 levels (ksbb.api.parsers), forms and uploads as DRF has them.
    "DEFAULT_PARSER_CLASSES": ["ksbb.api.parsers.JSONParser",
                               "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["ksbb.api.throttling.AnonThrottle",
                                 "ksbb.api.throttling.UserThrottle"],
    "EXCEPTION_HANDLER": "ksbb.api.errors.exception_handler",
}
# The largest page a list answers, whatever ``limit`` asks for.
KSBB_API_MAX_PAGE_SIZE = max(env_int("KSBB_API_MAX_PAGE_SIZE", 1000, minimum=1),
                             REST_FRAMEWORK["PAGE_SIZE"])  # type: ignore[type-var]
# API requests per client address (anonymous) and per account; "off" switches one off.
KSBB_API_THROTTLE_RATES = {
    "anon": env_rate("KSBB_API_ANON_RATE", "300/min"),
    "user": env_rate("KSBB_API_USER_RATE", "1200/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KSBB API",
    "DESCRIPTION": (
        "Kolaborasi Sosial Berskala Besar: donations, needs, allocations, deliveries and "
        "handover reports. Money is integer rupiah; quantities are integers in the item's "
        "unit; times are ISO 8601 with time zone."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The browsable page is served from the vendored copy of Swagger UI.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReportStateEnum": "ksbb.reports.models.MisuseReport.State",
        "HouseholdStatusEnum": "ksbb.households.models.Household.Status",
        "IdeaStatusEnum": "ksbb.forum.models.Idea.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No handler writes personal data (UU PDP): NIKs, phone numbers, e-mails are redacted.
    "filters": {"redact_personal_data": {"()": "ksbb.core.privacy.RedactPersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact_personal_data"]}},
    "root": {"handlers": ["console"], "level": env_str("KSBB_LOG_LEVEL", "INFO")},
    # django-axes narrates every sign-in at INFO; lockouts (WARNING) are what operators need.
    "loggers": {"axes": {"level": env_str("KSBB_AXES_LOG_LEVEL", "WARNING")}},
}

# Deployment-specific figures, kept here so that operators find them in one place.
KSBB_DEMO = env_bool("KSBB_DEMO", True)
KSBB_DEFAULT_PROVINCE = env_str("KSBB_DEFAULT_PROVINCE", "31")
KSBB_PUBLIC_URL = env_str("KSBB_PUBLIC_URL", "http://127.0.0.1:8000")
# Signed checkpoints of the audit log (ksbb.proofs): how often the task worker makes one
# when the log has grown; 0 leaves it to `ksbb proofs checkpoint` (e.g. from cron).
KSBB_CHECKPOINT_MINUTES = env_int("KSBB_CHECKPOINT_MINUTES", 10, minimum=0)
# The signing key (ksbb.proofs.keys reads it); checked here only, so a bad value stops ksbb.
env_ed25519_seed("KSBB_SIGNING_KEY")
# How many machines serve this installation; above 1, `ksbb check --deploy` requires the
# shared database, cache, file storage and secret key (README, Deployment).
KSBB_NODES = env_int("KSBB_NODES", 1, minimum=1)
# An allocation run with at least this many needs (and several independent parts) is solved
# part by part by the task workers, spread over every node; 0 never splits.
KSBB_ALLOCATION_SPLIT_NEEDS = env_int("KSBB_ALLOCATION_SPLIT_NEEDS", 20000, minimum=0)

# Limits on what anyone can do without an account, per client address (ksbb.core.clientip),
# counted in the shared cache before the work is done; "off" switches one off.
KSBB_SIGNUP_RATE = env_rate("KSBB_SIGNUP_RATE", "10/hour")  # sign-up, donor registration
KSBB_PASSWORD_RESET_RATE = env_rate("KSBB_PASSWORD_RESET_RATE", "5/hour")
# Forum votes per account.
KSBB_SUPPORT_RATE = env_rate("KSBB_SUPPORT_RATE", "30/hour")

# Personal data (UU PDP, see docs/privacy.md): how long personal data that is no longer
# needed is kept before `ksbb purge_personal_data` erases it. Five years by default: a
# programme year's accounts and complaints can still be audited; set it to the operator's
# own records schedule.
KSBB_PERSONAL_DATA_RETENTION_DAYS = env_int("KSBB_PERSONAL_DATA_RETENTION_DAYS", 1825,
                                            minimum=1)

# A submitted pledge not received by the aggregator within this many days stops counting as
# "promised" on the public pages (never as received), and `ksbb expire_pledges` cancels it.
KSBB_PLEDGE_PROMISE_DAYS = env_int("KSBB_PLEDGE_PROMISE_DAYS", 14, minimum=1)

# The user guide (docs/guide/<language>/<role>.md, served at /guide/): the repository's docs/
# by default; an installation without it shows "not installed" rather than failing.
KSBB_DOCS_DIR = env_path("KSBB_DOCS_DIR", PACKAGE_DIR.parents[1] / "docs")

# --- Sign-in hardening (OWASP ASVS L2): brute force, two-factor, session lifetimes. ---
INSTALLED_APPS += [  # named in the reader's language in the admin: ksbb.web.thirdparty
    "ksbb.web.thirdparty.AxesConfig",
    "ksbb.web.thirdparty.OtpConfig",
    "ksbb.web.thirdparty.OtpTotpConfig",
    "ksbb.web.thirdparty.OtpStaticConfig",
]
# Axes first: it refuses an attempt from a locked-out account or address before any password
# is checked. It needs the request, so sign in through views (tests: force_login, or
# client.login(request=HttpRequest(), ...)).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "ksbb.web.accounts.middleware.SessionLifetimeMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("ksbb.web.accounts.middleware.SessionLifetimeMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "ksbb.web.accounts.middleware.TwoFactorRequiredMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Innermost, so that it sees the view's exception first (process_exception runs inside out).
MIDDLEWARE.append("ksbb.web.middleware.DatabaseBusyMiddleware")
# Locked per account name *and* client address together: failures from elsewhere do not lock
# the owner out at their usual address. A longer threshold per account and per address
# (ksbb.web.accounts.lockout) spares browsers that signed in to the account before.
AXES_FAILURE_LIMIT = env_int("KSBB_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KSBB_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("KSBB_LOGIN_ACCOUNT_FAILURE_LIMIT", 30, minimum=1)
AXES_RESET_ON_SUCCESS = True
# Failed attempts are kept for the cool-off only; successful sign-ins (addresses, browsers:
# personal data) are not logged by axes at all.
AXES_DISABLE_ACCESS_LOG = True
# One translated page for every account name, existing or not.
AXES_LOCKOUT_CALLABLE = "ksbb.web.accounts.views.locked_out"
# Behind a reverse proxy every request comes from the proxy: KSBB_PROXY_COUNT=1 takes the
# client's address from X-Forwarded-For as written by that one proxy.
KSBB_PROXY_COUNT = env_int("KSBB_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "ksbb.core.clientip.client_ip"
OTP_TOTP_ISSUER = "KSBB"
# Signed out after this long without a request, and this long after signing in at most.
KSBB_SESSION_IDLE_MINUTES = env_int("KSBB_SESSION_IDLE_MINUTES", 30, minimum=1)
KSBB_SESSION_MAX_HOURS = env_int("KSBB_SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = KSBB_SESSION_MAX_HOURS * 3600
