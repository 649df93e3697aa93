"""Reads to a PostgreSQL read replica, writes to the primary, and read-your-writes.

Active when DATABASE_REPLICA_URL is set (config/settings.py adds the "replica" alias, this router
and ReadYourWritesMiddleware). Reads -- the impact engine and its in-memory graph, pages, API
lists -- go to the replica; every write goes to the primary ("default"). Replication lags a little,
so reads go to the primary instead:
- inside a transaction on the primary (a service that writes, then reads what it wrote);
- for a whole request with an unsafe method (POST, PUT, PATCH, DELETE);
- for REPLICA_PIN_SECONDS after a client's last unsafe request: the middleware sets a signed cookie,
  so the user who just saved a relationship sees it on the next page, wherever the replica stands.
Migrations run on the primary only; the replica gets them by replication.
"""

import contextvars
import time

from django.conf import settings
from django.db import connections

PRIMARY, REPLICA = "default", "replica"
PIN_COOKIE = "runstage_primary"
_pinned = contextvars.ContextVar("runstage_reads_on_primary", default=False)


def reads_pinned_to_primary() -> bool:
    return _pinned.get()


def pin_reads_to_primary(pinned: bool = True):
    """Send this context's reads to the primary (or not); returns a token for `unpin(token)`."""
    return _pinned.set(pinned)


def unpin(token) -> None:
    _pinned.reset(token)


class PrimaryReplicaRouter:
    """The database router of a primary with one read replica (see the module)."""

    def db_for_read(self, model, **hints):
        if REPLICA not in settings.DATABASES or _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReadYourWritesMiddleware:
    """Pins a request's reads to the primary when it writes or follows a write of the same client."""

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pin_for = getattr(settings, "REPLICA_PIN_SECONDS", 10)
        writes = request.method in self.UNSAFE
        until = request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_COOKIE)
        recent = until is not None and _as_float(until) > time.time()
        token = pin_reads_to_primary(writes or recent)
        try:
            response = self.get_response(request)
        finally:
            unpin(token)
        if writes:
            response.set_signed_cookie(
                PIN_COOKIE,
                str(time.time() + pin_for),
                salt=PIN_COOKIE,
                max_age=pin_for,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
        return response


def _as_float(text):
    try:
        return float(text)
    except ValueError:
        return 0.0
