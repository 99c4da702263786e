"""One settings module, configured by the environment (see docs/operations.md)."""

import os

import dj_database_url
from django.utils.translation import gettext_lazy as _

from amparo import instance


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


AMPARO_HOME = instance.home()
SECRET_KEY = instance.secret_key()
AMPARO_FIELD_KEYS = instance.field_keys()
DEBUG = env_flag("AMPARO_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("AMPARO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("AMPARO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "amparo.core.admin_site.AmparoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "amparo.core",
    "amparo.registry",
    "amparo.cases",
    "amparo.referrals",
    "amparo.activities",
    "amparo.assistance",
    "amparo.feedback",
    "amparo.dedup",
    "amparo.messaging",
    "amparo.reports",
    "amparo.home",
    "amparo.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages and API answers (a registration page shrinks ~10×). Below WhiteNoise,
    # which serves static files already compressed; above everything that writes the body.
    # Django randomizes the gzip header against BREACH (4.2+), and CSRF tokens are masked.
    "django.middleware.gzip.GZipMiddleware",
    "amparo.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "amparo.core.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "amparo.core.middleware.TwoFactorMiddleware",
    "amparo.core.middleware.UserLanguageMiddleware",
    # After the language is known (the refusal is translated), before any view reads input.
    "amparo.core.middleware.MalformedInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "amparo.urls"
WSGI_APPLICATION = "amparo.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "django.template.context_processors.i18n",
                "amparo.core.context.navigation",
            ],
        },
    },
]

# SQLite file in the instance folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{AMPARO_HOME / 'amparo.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short interactive queries: PostgreSQL's JIT compiler costs more (35-60 ms a statement)
    # than the queries it would speed up (docs/benchmarks.md, "Cases and referrals").
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Production may run the application as a role that does not own the tables (it cannot then
# empty or rewrite the audit log): DATABASE_OWNER_URL names the owner, and AMPARO_AS_OWNER=1
# makes a command connect as the owner (migrations, `grant-app-role`, `purge-audit`;
# `amparo serve` does so by itself). See docs/operations.md.
if os.environ.get("AMPARO_AS_OWNER") == "1" and os.environ.get("DATABASE_OWNER_URL"):
    _options = DATABASES["default"].get("OPTIONS", {})
    DATABASES["default"] = dj_database_url.parse(os.environ["DATABASE_OWNER_URL"], conn_max_age=0)
    DATABASES["default"]["OPTIONS"] = _options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lock an account at one address after repeated failures (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AMPARO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "amparo.core.audit.client_address"
# Reverse proxies whose X-Forwarded-For is believed (audit client address, lockout).
AMPARO_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("AMPARO_TRUSTED_PROXIES", "").split(",") if p.strip()
]

# API tokens end this many days after they are issued. Field phones stay offline for days
# at a time; a month lets them sync a week's work and still forces a fresh sign-in.
AMPARO_API_TOKEN_DAYS = int(os.environ.get("AMPARO_API_TOKEN_DAYS", "30"))
# A distribution point's offline list (assistance) is deleted from the phone this many hours
# after its download: a distribution day, not longer.
AMPARO_OFFLINE_LIST_HOURS = int(os.environ.get("AMPARO_OFFLINE_LIST_HOURS", "12"))
# Tries a minute per client address on a care post's one-time intake page (/intake/…), counted
# in Django's cache (per process with the default local-memory cache).
AMPARO_INTAKE_TRIES_PER_MINUTE = int(os.environ.get("AMPARO_INTAKE_TRIES_PER_MINUTE", "10"))
# The public feedback page and its API (/feedback/, /api/v1/public/feedback/): messages sent,
# and status checks by tracking code, a minute per client address (core/ratelimit.py).
AMPARO_FEEDBACK_POSTS_PER_MINUTE = int(os.environ.get("AMPARO_FEEDBACK_POSTS_PER_MINUTE", "5"))
AMPARO_FEEDBACK_CHECKS_PER_MINUTE = int(os.environ.get("AMPARO_FEEDBACK_CHECKS_PER_MINUTE", "20"))
# Two-factor sign-in (django-otp, TOTP): the name authenticator apps show, and whether
# platform administrators (who belong to no organization and so have no policy) need it.
OTP_TOTP_ISSUER = os.environ.get("AMPARO_TOTP_ISSUER", "Amparo")
AMPARO_TWO_FACTOR_FOR_PLATFORM_ADMINS = env_flag(
    "AMPARO_TWO_FACTOR_FOR_PLATFORM_ADMINS", default=True
)

# Idle sessions end after AMPARO_SESSION_IDLE_MINUTES (sliding expiry): IdleSessionMiddleware
# saves an active session again once a minute, not on every request (a write per page).
SESSION_COOKIE_AGE = int(os.environ.get("AMPARO_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Confirmations ("Household registered.") stay on the server, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind TLS (any real deployment) set AMPARO_HTTPS=1: secure cookies, HSTS, redirect to https.
if env_flag("AMPARO_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [os.path.join(os.path.dirname(__file__), "locale")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("AMPARO_TIME_ZONE", "America/Guayaquil")
LANGUAGE_COOKIE_NAME = "amparo_language"

STATIC_URL = "/static/"
STATIC_ROOT = AMPARO_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env_flag("AMPARO_STATIC_FROM_FINDERS", default=DEBUG):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "amparo.core.drf.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "amparo.core.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Amparo API",
    "DESCRIPTION": "Registration, protection, referrals and assistance. Token or session auth.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProjectSector": "amparo.assistance.models.Sector",
        "WashingtonGroupAnswer": "amparo.registry.models.Difficulty",
        "DocumentType": "amparo.registry.models.Document.Type",
        "OrganizationKind": "amparo.core.models.Organization.Kind",
        "CaseType": "amparo.cases.models.CaseType",
        "CaseState": "amparo.cases.models.CaseState",
        "RiskLevel": "amparo.cases.models.RiskLevel",
        "ClosureReason": "amparo.cases.models.ClosureReason",
        "FollowUpKind": "amparo.cases.models.FollowUp.Kind",
        "ServiceType": "amparo.cases.models.ServiceType",
        "GBVService": "amparo.cases.models.GBVService",
        "AgeGroup": "amparo.cases.models.AgeGroup",
        "YesNoUnknown": "amparo.cases.models.YesNoUnknown",
        "ProviderKind": "amparo.referrals.models.ProviderKind",
        "ReferralState": "amparo.referrals.models.ReferralState",
        "WithdrawReason": "amparo.referrals.models.WithdrawReason",
        "Urgency": "amparo.referrals.models.Urgency",
        "ConsentMethod": "amparo.referrals.models.Referral.ConsentMethod",
        "ActivityType": "amparo.activities.models.ActivityType",
        "Sector": "amparo.activities.models.Sector",
        "FeedbackCategory": "amparo.feedback.models.Category",
        "FeedbackChannel": "amparo.feedback.models.Channel",
        "FeedbackPriority": "amparo.feedback.models.Priority",
        "FeedbackSatisfaction": "amparo.feedback.models.Satisfaction",
    },
}

# Background work (core/jobs.py): django-tasks on its database backend, so no broker is needed;
# `amparo serve` starts one worker beside gunicorn, `amparo worker` more (any machine, same
# database). AMPARO_TASKS_IMMEDIATE=1 runs jobs inside the request instead (development).
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if env_flag("AMPARO_TASKS_IMMEDIATE")
        else "django_tasks_db.DatabaseBackend"
    }
}

# Messages (amparo/messaging, docs/operations.md "Messages"). Each channel's provider comes from
# the environment: console (a file under var/messages/, the default), smtp (e-mail: EMAIL_HOST,
# EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS), twilio or rapidpro (SMS and
# WhatsApp: AMPARO_SMS_URL, _TOKEN, _ACCOUNT, _FROM; the same with AMPARO_WHATSAPP_).
# Reports: the age bands people are counted in (the first starts at 0, the last is open), and
# the smallest count an aggregate export shows (disclosure control; smaller ones are hidden).
AMPARO_REPORT_AGE_BANDS = os.environ.get("AMPARO_REPORT_AGE_BANDS", "0-4,5-11,12-17,18-59,60+")
AMPARO_REPORT_SMALLEST = int(os.environ.get("AMPARO_REPORT_SMALLEST", "5"))
# The reports' home: an organization with fewer registered people than this is counted at
# every view; a bigger one is shown as counted last (at most this many minutes ago, else
# recounted by the worker meanwhile). docs/operations.md, "Reports".
AMPARO_REPORT_LIVE_PEOPLE = int(os.environ.get("AMPARO_REPORT_LIVE_PEOPLE", "20000"))
AMPARO_REPORT_FRESH_MINUTES = int(os.environ.get("AMPARO_REPORT_FRESH_MINUTES", "15"))

AMPARO_PUBLIC_URL = os.environ.get("AMPARO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
AMPARO_MESSAGING_TIMEOUT = float(os.environ.get("AMPARO_MESSAGING_TIMEOUT", "10"))
AMPARO_MESSAGING_RATE = float(os.environ.get("AMPARO_MESSAGING_RATE", "20"))  # per worker, per s
AMPARO_MESSAGING_THREADS = int(os.environ.get("AMPARO_MESSAGING_THREADS", "4"))  # per worker
AMPARO_MESSAGING_BATCH = int(os.environ.get("AMPARO_MESSAGING_BATCH", "50"))
AMPARO_MESSAGING_WORKERS = int(os.environ.get("AMPARO_MESSAGING_WORKERS", "2"))  # per campaign
AMPARO_MESSAGING_MAX_ATTEMPTS = int(os.environ.get("AMPARO_MESSAGING_MAX_ATTEMPTS", "5"))
AMPARO_MESSAGING_RETRY_SECONDS = float(os.environ.get("AMPARO_MESSAGING_RETRY_SECONDS", "60"))
AMPARO_MESSAGING_LEASE_SECONDS = int(os.environ.get("AMPARO_MESSAGING_LEASE_SECONDS", "300"))
# Webhooks (status callbacks, replies) of a rapidpro-style gateway send this secret in
# `Authorization: Token …`; twilio-style ones are checked by their signature (the token).
AMPARO_WEBHOOK_SECRET = os.environ.get("AMPARO_WEBHOOK_SECRET", "")
# The organization (its code) that receives replies from numbers we never wrote to; without
# one, such replies are not kept (an opt-out still counts).
AMPARO_INBOUND_ORGANIZATION = os.environ.get("AMPARO_INBOUND_ORGANIZATION", "")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Amparo <no-reply@localhost>")


def _channel(code: str) -> dict:
    prefix = f"AMPARO_{code.upper()}_"
    provider = os.environ.get(prefix + "PROVIDER", "console")
    if provider in {"console", "smtp"}:
        return {"provider": provider}
    return {
        "provider": provider,
        "url": os.environ.get(prefix + "URL", ""),
        "token": os.environ.get(prefix + "TOKEN", ""),
        "account": os.environ.get(prefix + "ACCOUNT", ""),
        "sender": os.environ.get(prefix + "FROM", ""),
        "status_callback": f"{AMPARO_PUBLIC_URL}/api/v1/messaging/hooks/{code}/status/",
        "timeout": AMPARO_MESSAGING_TIMEOUT,
    }


MESSAGING_CHANNELS = {code: _channel(code) for code in ("email", "sms", "whatsapp")}

# A running job whose worker wrote no heartbeat for this long is taken for dead (core/jobs.py).
AMPARO_JOB_SILENT_MINUTES = int(os.environ.get("AMPARO_JOB_SILENT_MINUTES", "10"))

# Uploads (core/tabular.py): the file, an XLSX's unpacked parts, rows and cells. The command
# line (`amparo import-registry`) has no limit: it streams files of any size.
AMPARO_IMPORT_MAX_BYTES = int(os.environ.get("AMPARO_IMPORT_MAX_MB", "20")) * 1024 * 1024
AMPARO_IMPORT_MAX_ROWS = int(os.environ.get("AMPARO_IMPORT_MAX_ROWS", "50000"))
AMPARO_IMPORT_MAX_CELLS = int(os.environ.get("AMPARO_IMPORT_MAX_CELLS", "1500000"))

# Anomalies a cycle's reconciliation shows (assistance/queries_monitoring.py): one person (a
# member, or an alternate's name, folded) collecting for at least this many households; at
# least BURST_DELIVERIES deliveries by one officer within BURST_SECONDS.
AMPARO_ANOMALY_COLLECTOR_HOUSEHOLDS = int(
    os.environ.get("AMPARO_ANOMALY_COLLECTOR_HOUSEHOLDS", "3")
)
AMPARO_ANOMALY_BURST_DELIVERIES = int(os.environ.get("AMPARO_ANOMALY_BURST_DELIVERIES", "5"))
AMPARO_ANOMALY_BURST_SECONDS = int(os.environ.get("AMPARO_ANOMALY_BURST_SECONDS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Django names the path of every answer of 400 or more: a care post's intake link carries
    # its secret there (amparo/access_log.py).
    "filters": {"secrets": {"()": "amparo.access_log.RedactSecrets"}},
    "loggers": {"django.request": {"filters": ["secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("AMPARO_LOG_LEVEL", "WARNING")},
}
