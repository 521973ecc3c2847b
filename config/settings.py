"""Relay's settings. Everything that differs between machines comes from the environment.

With no environment at all Relay runs on a SQLite file and a file-system Celery broker under
``var/``, so ``make run`` works on a bare machine. ``DATABASE_URL`` and ``REDIS_URL`` switch it to
PostgreSQL and Redis.
"""

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from config.env import (
    database_from_url,
    env_bool,
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "accounts",
    "retention",
    "handover",
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
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.OrgTreeMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "retention.dashboard.context_processors.open_alerts",
            ],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///var/relay.sqlite3"), base_dir=BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: every user-facing string is marked; Simplified Chinese is planned.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
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

# Security: production-safe unless DEBUG is on.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Celery: Redis when REDIS_URL is set, otherwise a file-system broker that needs no server.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "results", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
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
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic work. Beat only queues; the workers do the work, so scaling out means more workers.
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["handover-coverage-gaps-nightly"] = {
    "task": "handover.coverage_gaps_sync",
    "schedule": crontab(hour=2, minute=30),
}
# Departure risk: score everyone nightly, retrain weekly (Monday), at an hour set per site.
CELERY_BEAT_SCHEDULE["risk-scoring-nightly"] = {
    "task": "retention.risk.scoring_nightly",
    "schedule": crontab(hour=env_int("RELAY_RISK_SCORING_HOUR", 3), minute=15),
}
CELERY_BEAT_SCHEDULE["risk-model-retrain-weekly"] = {
    "task": "retention.risk.model_retrain",
    "schedule": crontab(day_of_week=1, hour=env_int("RELAY_RISK_RETRAIN_HOUR", 1), minute=45),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.access.RelayPermission"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.RelayPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
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
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Relay's own knobs.
RELAY_IMPORT_MAX_BYTES = env_int("RELAY_IMPORT_MAX_BYTES", 512 * 1024 * 1024)
RELAY_RISK_MEDIUM = env_float("RELAY_RISK_MEDIUM", 0.25)
RELAY_RISK_HIGH = env_float("RELAY_RISK_HIGH", 0.5)
RELAY_RISK_JUMP = env_float("RELAY_RISK_JUMP", 0.2)
# Scoring: reps per Celery chunk, and voluntary departures needed before a model is trained.
RELAY_RISK_CHUNK_SIZE = max(1, env_int("RELAY_RISK_CHUNK_SIZE", 2000))
RELAY_RISK_MIN_DEPARTURES = env_int("RELAY_RISK_MIN_DEPARTURES", 15)
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
RELAY_DEPARTURE_PRE_WINDOW_DAYS = env_int("RELAY_DEPARTURE_PRE_WINDOW_DAYS", 90)
# A departure opens a vacancy only if its last day is at most this many days ago (imports of
# HR history must not open vacancies for seats refilled long ago).
RELAY_VACANCY_WINDOW_DAYS = env_int("RELAY_VACANCY_WINDOW_DAYS", 90)
