"""Relay's settings. Everything that differs between machines comes from the environment.

With no environment at all Relay runs on a SQLite file and a file-system Celery broker under
``var/``, so ``make run`` works on a bare machine. ``DATABASE_URL`` and ``REDIS_URL`` switch it to
PostgreSQL and Redis.
"""

import datetime as dt
from pathlib import Path

from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.caches import redis_caches
from config.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    mailers_from_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RELAY_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
_DEV_SECRET = "relay-development-only-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "accounts",
    "retention",
    "handover",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user's saved language wins over Accept-Language.
    "accounts.middleware.UserLanguageMiddleware",
    "config.middleware.RejectNulMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.OrgTreeMiddleware",
    # Last, so it turns a lockout flagged anywhere below into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.error_pages.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
                "accounts.context_processors.language_switcher",
                "config.context_processors.chart_locale",
                "retention.dashboard.context_processors.open_alerts",
                "config.context_processors.background_status",
            ],
            # `{{ amount|money }}` on every page without a {% load %}: config/money.py.
            "builtins": ["config.templatetags_money"],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        # The embedded default lives in RELAY_VAR_DIR with the rest of what Relay writes.
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'relay.sqlite3'}"),
        base_dir=BASE_DIR,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out user or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages. Each user's saved language wins, else the browser's Accept-Language, else
# LANGUAGE_CODE, the organisation's default (accounts/languages.py holds the rule).
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", [code for code, _name in LANGUAGES])
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where Django's own format files need a correction (config/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "UTC")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# E-mail: EMAIL_URL=smtp://user:password@host:587?tls=1; printed to the console by default.
MAILERS = mailers_from_url(env_str("EMAIL_URL", "console://"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Relay <relay@localhost>")

# Security: production-safe unless DEBUG is on. docs/production.md lists every knob.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# A session lasts a working day by default, and ends when the browser closes unless turned off.
SESSION_COOKIE_AGE = env_int("RELAY_SESSION_HOURS", 9) * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("RELAY_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# HTTPS: redirect plain HTTP and send HSTS (a year) unless DEBUG. Behind a TLS-terminating proxy
# set SECURE_PROXY_SSL_HEADER=true (the proxy must set X-Forwarded-Proto and strip the client's).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes from inside the network speak plain HTTP
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: scripts only from Relay's own static files (no inline script anywhere;
# charts read their data from <script type="application/json">). Inline styles stay allowed:
# plotly and htmx set element styles. RELAY_CSP_REPORT_ONLY=true reports instead of blocking.
_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "worker-src": [CSP.SELF, "blob:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if env_bool("RELAY_CSP_REPORT_ONLY", False):
    SECURE_CSP_REPORT_ONLY = _CSP
else:
    SECURE_CSP = _CSP
# Responses that carry a person's risk, HR or salary data are never kept by a browser or a proxy:
# "Cache-Control: no-store, private" on every view of these URL namespaces (all of retention's
# and handover's pages) and every path under these prefixes (the API, the admin, one's account).
RELAY_NO_STORE_NAMESPACES = ["retention", "handover"]
RELAY_NO_STORE_PATH_PREFIXES = ["/api/", "/admin/", "/account/"]

# Login protection (django-axes): after RELAY_LOGIN_FAILURE_LIMIT failed sign-ins for one user
# name, or from one address, that user name or address is refused for RELAY_LOGIN_COOLOFF_MINUTES
# on /login/, the admin's login and API token authentication. Attempts and lockouts are listed in
# the admin ("Axes"); a success resets the count. Behind a proxy set RELAY_PROXY_COUNT so the
# client's address is read from X-Forwarded-For instead of the proxy's.
AXES_ENABLED = env_bool("RELAY_LOGIN_PROTECTION", True)
AXES_FAILURE_LIMIT = env_int("RELAY_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("RELAY_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.authentication.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.authentication.client_ip"
AXES_USERNAME_CALLABLE = "accounts.authentication.login_username"
RELAY_PROXY_COUNT = env_int("RELAY_PROXY_COUNT", 0)

# API rate limits ("N/second|minute|hour|day"; empty for none), counted in the cache, so shared by
# all web processes when REDIS_URL is set. Over the limit the API answers 429 with Retry-After.
RELAY_API_THROTTLE_USER = env_str("RELAY_API_THROTTLE_USER", "1200/minute")
RELAY_API_THROTTLE_ANON = env_str("RELAY_API_THROTTLE_ANON", "60/minute")
# The OpenAPI schema (/api/schema/) and its docs (/api/docs/, /api/redoc/) need a signed-in user
# unless this opens them to anyone.
RELAY_API_DOCS_PUBLIC = env_bool("RELAY_API_DOCS_PUBLIC", False)

# Celery: Redis when REDIS_URL is set, otherwise a file-system broker that needs no server.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = redis_caches(REDIS_URL, timeout=env_float("RELAY_CACHE_TIMEOUT", 0.3))
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "results", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # A host keeps kombu from warning "No hostname was supplied" on every connection.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{_broker_dir / 'results'}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Delivery semantics, in one place (README, "Background work"). A task is acknowledged after
# it ran and redelivered if its worker died; every task has soft and hard time limits and
# bounded retries with backoff (each tasks module's ``RETRY``). Crashes are detected by the
# jobs' heartbeats in the database, not by the broker: the visibility timeout only has to
# outlast the longest hard time limit, so a slow task is never delivered twice while it runs.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
RELAY_TASK_TIME_LIMIT_MAX = 2 * 60 * 60 + 300  # the longest hard time limit (an import's)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_float("RELAY_BROKER_TIMEOUT", 2.0)
# A publish with the broker down fails fast; the outbox (retention.outbox) sends it later.
CELERY_TASK_PUBLISH_RETRY = False
if REDIS_URL:
    # No "retry_on_timeout": in redis-py it gives every connection a retry on ConnectionError
    # too, and on kombu's pub/sub connection (remote control) that retry reconnects without
    # resubscribing and then reads with no timeout: the worker's event loop blocks for good
    # with no "connection lost" (a solo worker after a Redis restart during a task; any pool
    # once Redis drops that one connection). A broken connection must reach Celery's
    # consumer, which reconnects and declares its queues and subscriptions again.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": RELAY_TASK_TIME_LIMIT_MAX + 600,
        "socket_connect_timeout": env_float("RELAY_BROKER_TIMEOUT", 2.0),
        "socket_timeout": 30,
        "health_check_interval": 25,
    }
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic work. Beat only queues; the workers do the work, so scaling out means more workers.
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["jobs-reap"] = {
    "task": "retention.risk.scoring_runs_reap",
    "schedule": env_int("RELAY_REAPER_SECONDS", 60),
}
CELERY_BEAT_SCHEDULE["imports-reap"] = {
    "task": "retention.imports.jobs_reap",
    "schedule": env_int("RELAY_REAPER_SECONDS", 60),
}
CELERY_BEAT_SCHEDULE["model-jobs-reap"] = {
    "task": "retention.risk.model_jobs_reap",
    "schedule": env_int("RELAY_REAPER_SECONDS", 60),
}
CELERY_BEAT_SCHEDULE["outbox-flush"] = {
    "task": "retention.outbox_flush",
    "schedule": env_int("RELAY_OUTBOX_SWEEP_SECONDS", 60),
}
CELERY_BEAT_SCHEDULE["handover-coverage-gaps-nightly"] = {
    "task": "handover.coverage_gaps_sync",
    "schedule": crontab(hour=2, minute=30),
}
# Departure risk: score everyone nightly, retrain weekly (Monday), at an hour set per site.
CELERY_BEAT_SCHEDULE["risk-scoring-nightly"] = {
    "task": "retention.risk.scoring_nightly",
    "schedule": crontab(hour=env_int("RELAY_RISK_SCORING_HOUR", 3), minute=15),
}
CELERY_BEAT_SCHEDULE["imports-files-purge-nightly"] = {
    "task": "retention.imports.files_purge",
    "schedule": crontab(hour=4, minute=10),
}
CELERY_BEAT_SCHEDULE["risk-model-retrain-weekly"] = {
    "task": "retention.risk.model_retrain",
    "schedule": crontab(day_of_week=1, hour=env_int("RELAY_RISK_RETRAIN_HOUR", 1), minute=45),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an API call without valid credentials is a 401 naming the Token scheme.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per caller: a signed-in user (session or token) by user id, anyone else by address;
    # the rates are RELAY_API_THROTTLE_USER and RELAY_API_THROTTLE_ANON below.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttling.AnonymousThrottle",
        "accounts.throttling.UserThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.access.RelayPermission"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.RelayPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    # Searching is each FilterSet's own filter (``q``); DRF's SearchFilter, with no view
    # naming search_fields, documented a ``search`` parameter that filtered nothing.
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.schema.RelayAutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Relay API",
    "DESCRIPTION": "Departure risk, customer coverage and handover for sales teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One stable name per choice set, instead of hash-suffixed names for the many "status",
    # "kind" and "source" fields (and so no warnings in `check --deploy`).
    "ENUM_NAME_OVERRIDES": {
        f"{model}{field}Enum": f"{module}.{model}.{field}"
        for module, model, field in [
            ("accounts.models", "User", "Role"),
            ("retention.models", "SalesRep", "Status"),
            ("retention.models", "Assignment", "Role"),
            ("retention.models", "Assignment", "Source"),
            ("retention.models", "Activity", "Kind"),
            ("retention.models", "Deal", "Status"),
            ("retention.models", "LeaveRecord", "Kind"),
            ("retention.models", "ServiceRecord", "Source"),
            ("retention.models", "ImportJob", "Status"),
            ("retention.models", "ImportJob", "Source"),
            ("retention.models", "Intervention", "Kind"),
            ("retention.models", "RiskModel", "Kind"),
            ("retention.models", "ScoringRun", "Status"),
            ("retention.models", "RiskAlert", "Kind"),
            ("handover.models", "Vacancy", "Status"),
            ("handover.models", "Candidate", "Source"),
            ("handover.models", "Candidate", "Status"),
            ("handover.models", "OnboardingTask", "Kind"),
            ("handover.models", "HandoverPlan", "Status"),
            ("handover.models", "CoverageGap", "Kind"),
            ("handover.models", "CoverageGap", "Status"),
            ("handover.models", "Application", "Stage"),
            ("retention.models", "ModelJob", "Kind"),
            ("retention.models", "ModelJob", "Status"),
            ("retention.models", "ModelJob", "Stage"),
        ]
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs every sign-in at INFO; its warnings (failures, lockouts) are what matter.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Relay's own knobs.
RELAY_IMPORT_MAX_BYTES = env_int("RELAY_IMPORT_MAX_BYTES", 512 * 1024 * 1024)
# Uploads: a zip (or XLSX) is refused when its directory says it unpacks to more than this many
# times its size or more than this many bytes; each user may start so many imports an hour and
# upload so many bytes a day (0 = no limit); the files of imports refused, failed or applied
# are deleted this many days later by the nightly task.
RELAY_IMPORT_MAX_UNPACK_RATIO = env_int("RELAY_IMPORT_MAX_UNPACK_RATIO", 100)
RELAY_IMPORT_MAX_UNPACKED_BYTES = env_int("RELAY_IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
RELAY_IMPORT_UPLOADS_PER_HOUR = env_int("RELAY_IMPORT_UPLOADS_PER_HOUR", 30)
RELAY_IMPORT_BYTES_PER_DAY = env_int("RELAY_IMPORT_BYTES_PER_DAY", 4 * 1024 * 1024 * 1024)
RELAY_IMPORT_RETENTION_DAYS = env_int("RELAY_IMPORT_RETENTION_DAYS", 30)
# Bulk-load mode (PostgreSQL): a run of activity files of at least this many rows, and at least
# as many as the activity table holds, is written without the table's secondary indexes and
# foreign keys, rebuilt before commit (retention/imports/bulkload.py); 0 turns it off.
RELAY_IMPORT_BULK_MIN_ROWS = env_int("RELAY_IMPORT_BULK_MIN_ROWS", 100_000)
# The organisation's currency (ISO 4217): every amount is written with it (config/money.py).
RELAY_CURRENCY = env_str("RELAY_CURRENCY", "CNY")
# Risk bands: unset, each model's own thresholds (a trained model's from its probabilities,
# the rule-based score's 0.25 and 0.5); set, these probabilities for every model
# (retention.selectors.risk_thresholds, docs/risk-bands.md).
RELAY_RISK_MEDIUM = env_float("RELAY_RISK_MEDIUM", None)
RELAY_RISK_HIGH = env_float("RELAY_RISK_HIGH", None)
RELAY_RISK_JUMP = env_float("RELAY_RISK_JUMP", 0.2)
# Scoring: reps per Celery chunk, and voluntary departures needed before a model is trained.
RELAY_RISK_CHUNK_SIZE = max(1, env_int("RELAY_RISK_CHUNK_SIZE", 2000))
# A job (scoring run, import, training, backtest) with no heartbeat for this long is stalled:
# resumed at most RELAY_JOB_MAX_RESUMES times, then failed with the reason (retention/heartbeats).
RELAY_JOB_STALL_SECONDS = max(5, env_int("RELAY_JOB_STALL_SECONDS", 180))
RELAY_JOB_MAX_RESUMES = env_int("RELAY_JOB_MAX_RESUMES", 3)
RELAY_RISK_MIN_DEPARTURES = env_int("RELAY_RISK_MIN_DEPARTURES", 15)
# Trained models are stored signed (HMAC-SHA256) and refused when unsigned or altered; the key
# defaults to one derived from SECRET_KEY. Changing it makes stored models unreadable: retrain.
RELAY_MODEL_SIGNING_KEY = env_str("RELAY_MODEL_SIGNING_KEY", "")
# Handover: how much one rep may hold after a handover (0 = no limit; teams may override),
# and how long a suggested temporary cover lasts.
RELAY_HANDOVER_MAX_ACCOUNTS = env_int("RELAY_HANDOVER_MAX_ACCOUNTS", 60)
RELAY_HANDOVER_MAX_REVENUE = env_float("RELAY_HANDOVER_MAX_REVENUE", 0)
RELAY_HANDOVER_COVER_DAYS = env_int("RELAY_HANDOVER_COVER_DAYS", 30)
# Hiring: a rep joins the team benchmark this long after hire; "experienced" candidates have this
# many years in sales; ramp-up ends at this share of the team median; without a risk flag, the
# "before leaving" phase of a departure's cost starts this many days before the last day.
RELAY_ESTABLISHED_AFTER_DAYS = env_int("RELAY_ESTABLISHED_AFTER_DAYS", 365)
RELAY_EXPERIENCED_YEARS = env_int("RELAY_EXPERIENCED_YEARS", 2)
RELAY_RAMP_TARGET_SHARE = env_float("RELAY_RAMP_TARGET_SHARE", 0.8)
# A rep hired in the last this many days is still ramping up: suggested to take over customers
# only after every ramped team-mate (retention.ownership.policy).
RELAY_RAMP_UP_DAYS = env_int("RELAY_RAMP_UP_DAYS", 90)
RELAY_DEPARTURE_PRE_WINDOW_DAYS = env_int("RELAY_DEPARTURE_PRE_WINDOW_DAYS", 90)
# A departure opens a vacancy only if its last day is at most this many days ago (imports of
# HR history must not open vacancies for seats refilled long ago).
RELAY_VACANCY_WINDOW_DAYS = env_int("RELAY_VACANCY_WINDOW_DAYS", 90)
# What worked: a figure resting on fewer interventions than this is "too few to tell".
RELAY_INTERVENTION_MIN_N = max(1, env_int("RELAY_INTERVENTION_MIN_N", 10))
