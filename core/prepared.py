"""Server-side prepared statements, for the few hot queries that take longer to plan than to run.

The impact of a typical CI is one query of seven branches (the walked CIs' details, the subscribers
of the walked offerings from five tables, the graph version) that runs in about 0.1 ms and took
0.5-0.9 ms to plan on every call. Prepared once per database connection, it is planned once.

Only PostgreSQL has them, and settings.DATABASE_PREPARED_STATEMENTS can turn them off
(`supports_prepared_statements` says whether to use them; callers keep a plain query for the rest):

- A statement lives as long as the connection: a new connection (Django's CONN_MAX_AGE, a closed
  connection) prepares again. Statements prepared with SQL's PREPARE do not survive a pooler in
  transaction mode (PgBouncer), which hands one client several server connections: such a
  deployment sets DATABASE_PREPARED_STATEMENTS=0.
- The session plans them once: plan_cache_mode = force_generic_plan. Left on `auto`, PostgreSQL
  re-plans every call whenever a custom plan looks cheaper than the generic one, which for array
  parameters it always does. The setting affects prepared statements and PL/pgSQL functions only;
  Django (with psycopg2) uses neither, and Runstage's one PL/pgSQL function (the graph version
  trigger) has no parameters.
- Prepared statements are not transactional (one prepared in a transaction that is rolled back is
  still there), a SET is: the bookkeeping below follows both rules.
"""

import weakref
from collections.abc import Callable

from django.conf import settings

GENERIC_PLANS = "plan_cache_mode = force_generic_plan"


class _Session:
    """What one database session has been given: prepared statement names, generic plans or not."""

    __slots__ = ("names", "generic_plans")

    def __init__(self):
        self.names: set[str] = set()
        self.generic_plans = False


# DB-API connection -> its _Session. Weak: a closed and forgotten connection takes its entry with it,
# and a new connection starts afresh.
_sessions: "weakref.WeakKeyDictionary[object, _Session]" = weakref.WeakKeyDictionary()


def supports_prepared_statements(connection) -> bool:
    return connection.vendor == "postgresql" and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)


def fetch_prepared(
    connection, name: str, sql: Callable[[], str], param_types: tuple[str, ...], params
) -> list[tuple]:
    """Rows of the prepared statement `name` run with `params`; `sql()` gives its text (with $1, $2,
    ... of `param_types`), asked for only when a connection first prepares it.

    `name` must identify the text for the life of the process.
    """
    with connection.cursor() as cursor:
        session = _sessions.get(connection.connection)
        if session is None:
            session = _sessions[connection.connection] = _Session()
        if name not in session.names:
            cursor.execute(f"PREPARE {name} ({', '.join(param_types)}) AS {sql()}")
            session.names.add(name)
        execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})"
        if not session.generic_plans:
            if connection.in_atomic_block:
                # A SET in a transaction ends with it (a PREPARE does not): this one lasts the
                # statement's transaction, and the session is set on the next call outside one.
                execute = f"SET LOCAL {GENERIC_PLANS}; {execute}"
            else:
                cursor.execute(f"SET {GENERIC_PLANS}")
                session.generic_plans = True
        cursor.execute(execute, params)
        return cursor.fetchall()
