"""Runstage settings.

Everything that differs between a laptop and production comes from the environment:
DJANGO_DEBUG, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL. The defaults are the
safe production ones; `make run` switches DEBUG on for local work.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from babel.numbers import is_currency
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# Without a key, maintenance commands (makemigrations, migrate, check) still run; anything that
# signs or serves refuses: Django raises on first use, and config/wsgi.py and asgi.py at start-up.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-runstage-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "cmdb",
    "portfolio",
    "offerings",
    "customers",
    "catalog",
    "impact",
    "support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before the session: it refuses NUL bytes and answers a database outage with a 503.
    "core.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as Axes asks: it turns a locked-out login into core.lockout's 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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

# Background work (notifications, large refreshes) runs as Django Tasks. "database" queues them for
# `manage.py db_worker`; "immediate" runs them in the request, for `make run` and the test suite.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[os.environ.get("RUNSTAGE_TASKS", "database")]}}

# E-mail: printed on the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Runstage <runstage@localhost>")
# Notifications go out in batches of this many people per background task.
NOTIFICATION_BATCH_SIZE = int(os.environ.get("NOTIFICATION_BATCH_SIZE", "50"))
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "5"))
# A task listing more impacted services than this is refreshed by a worker, not in the admin request.
IMPACT_BACKGROUND_REFRESH_ABOVE = int(os.environ.get("IMPACT_BACKGROUND_REFRESH_ABOVE", "500"))

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# SQLite file under the project by default; DATABASE_URL=postgres://... for production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock (up to 20 s) instead of failing with "database is locked" when
    # a read transaction tries to become a write one.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

# Hot queries (a typical CI's impact) are prepared once per connection on PostgreSQL
# (core/prepared.py); 0 behind a pooler in transaction mode, which does not keep them.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)

# A PostgreSQL read replica (streaming replication of the primary): reads go there, writes and the
# reads of a client that just wrote go to the primary (core/db_router.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "core.db_router.ReadYourWritesMiddleware",
    )
# Seconds a client's reads stay on the primary after it wrote: longer than the replica's usual lag.
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# cmdb_rel_ci's impact index carries the parent as a non-key (INCLUDE) column on PostgreSQL;
# SQLite simply ignores it, which is fine, so its warning would only be noise on `make run`.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "cmdb.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute-force protection on every login path (core/lockout.py): after LOGIN_FAILURE_LIMIT failures
# for one user name from one address, that pair is refused for LOGIN_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_ip"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"  # config.views.home: contacts to /support/, others to /catalog/
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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

# Production hardening; each can be relaxed from the environment behind a TLS-terminating proxy.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Django's database sessions, read per request without compiling a queryset (core/sessions.py).
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes DRF answer anonymous requests 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    # Anonymous requests and token logins are throttled per address (in the default cache, so per
    # process unless CACHES says otherwise); authenticated API use is not.
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "60/min"),
        "token": os.environ.get("API_TOKEN_RATE", "10/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "core.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Runstage API",
    "DESCRIPTION": "Service portfolio, offerings and impact analysis for the Run stage of CSDM.",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_error_responses",
        "config.schema.add_demo_examples",
    ],
    "ENUM_NAME_OVERRIDES": {
        "IncidentStateEnum": "impact.api.serializers.INCIDENT_STATE_CHOICES",
        "ChangeRequestStateEnum": "impact.api.serializers.CHANGE_REQUEST_STATE_CHOICES",
        "ChangeRequestTypeEnum": "impact.models.ChangeRequest.Type",
        "ServiceLifecycleEnum": "cmdb.models.Service.PortfolioStatus",
    },
}

# Largest page an API list answers (?limit=); a larger limit is a 400.
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "1000"))

# Impact engine: default and hard cap of the walk depth.
IMPACT_MAX_DEPTH = int(os.environ.get("IMPACT_MAX_DEPTH", "10"))
# The in-memory impact graph (impact/graph.py): the most memory one process may give it, in MB; a
# bigger graph is not kept and the SQL engine answers. 0 switches the graph off. 1M CIs take ~40 MB.
IMPACT_GRAPH_MAX_MB = int(os.environ.get("IMPACT_GRAPH_MAX_MB", "256"))
# Where built graphs are kept for the other processes of this machine (impact/graph_files.py): a new
# worker, or `manage.py csdm_health`, maps the current one in milliseconds instead of building it.
# Empty: every process builds its own.
IMPACT_GRAPH_DIR = os.environ.get("IMPACT_GRAPH_DIR", str(BASE_DIR / "var" / "impact-graph"))

# Change management (impact.changes, impact.risk). The group (sys_user_group, by name) whose members
# approve a change at Authorize when the change names no approval group of its own.
CHANGE_APPROVAL_GROUP = os.environ.get("CHANGE_APPROVAL_GROUP", "Change advisory board")
# When a change's risk is Moderate or High: each factor at or past a threshold adds a reason.
CHANGE_RISK = {
    # Business criticality of an impacted service -> the risk it brings.
    "CRITICALITY": {"1 - most critical": "high", "2 - somewhat critical": "moderate"},
    # Affected people (users subscribed to the impacted offerings, directly or through their company,
    # department, location or groups).
    "PEOPLE_MODERATE": 50,
    "PEOPLE_HIGH": 500,
    # Other changes and open incidents that collide with the change.
    "CONFLICTS_MODERATE": 1,
    "CONFLICTS_HIGH": 3,
    # An availability commitment the window would breach.
    "BUDGET_BREACH": "high",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# The ISO 4217 currency of prices entered without one (offerings, catalog items); issue 17.
RUNSTAGE_DEFAULT_CURRENCY = os.environ.get("RUNSTAGE_DEFAULT_CURRENCY", "USD").strip().upper() or "USD"
if not is_currency(RUNSTAGE_DEFAULT_CURRENCY):
    raise ImproperlyConfigured(
        f"RUNSTAGE_DEFAULT_CURRENCY={RUNSTAGE_DEFAULT_CURRENCY!r} is not an ISO 4217 code (GBP, EUR...)."
    )
