"""Settings for the test suite: production settings with a throwaway key and plain HTTP."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "runstage-test-suite-only-" + "x" * 40)
# Tasks run in the request unless a test sets up a worker.
os.environ.setdefault("RUNSTAGE_TASKS", "immediate")

from config.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Serve static files straight from the app folders: the suite never runs collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Graphs are built per process; the tests of the shared graph files turn them on in a temporary
# folder of their own (tests/graph_helpers.py).
IMPACT_GRAPH_DIR = ""

# A second database standing in for a read replica (tests/core/test_db_router.py). Nothing replicates
# into it, which is what lets the tests see where each read went; the router is switched on there only.
DATABASES["replica"] = {  # noqa: F405
    **DATABASES["default"],  # noqa: F405
    "TEST": {"NAME": f"test_{DATABASES['default']['NAME']}_replica"}  # noqa: F405
    if DATABASES["default"]["ENGINE"].endswith("postgresql")  # noqa: F405
    else {},
}

# The suite makes thousands of API calls from one address: throttle far above that, so that only
# the throttling tests (which lower the rates) meet it. Axes keeps its production limits: the suite
# logs in with force_login, and the lockout tests count real failures.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "token": "100000/min"},
}
