"""Checks a server process makes before it takes its first request."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key():
    """Refuse to serve without a secret key, rather than fail on the first request that signs something."""
    try:
        settings.SECRET_KEY  # noqa: B018 (Django raises on an empty key when it is read)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development)."
        ) from None
