"""The impact graph's version: a value that every write to an impact edge changes, in its own transaction.

The in-memory graph (impact/graph.py) answers only while the version it was built at is the database's
current one. What can change an edge: rows of cmdb_rel_ci (insert, delete, a new parent, child or
type, truncate), a relationship type's `propagates_impact`, a service offering's `parent` (and its
insert or delete), and a CI's `sys_class_name` (the graph keeps every CI's class for its counts).

Why database triggers rather than bumping the version in Python: the writes that matter most come
from paths that send no signal and call no save() -- the importer's batched raw inserts,
`bulk_create`, `QuerySet.update()`/`delete()`, another program writing SQL -- and a trigger runs in
the writing statement's own transaction, so the bump commits or rolls back with the edge.

Why the version is a random value and not a count: a transaction that writes an edge and then rolls
back may have built a graph at its own uncommitted version; if a later committed write could produce
that same value again, that graph would be taken for current. The same holds for the graphs kept on
disk (impact/graph_files.py), which outlive processes, and for a database restored in place from a
dump, whose counter would run through values handed out after the dump once more. So each bump draws
62 random bits (PostgreSQL: from gen_random_uuid(); SQLite: random(), 64 bits): a repeat is as likely
as guessing a UUID.

On PostgreSQL the triggers are statement-level: a 100,000-row insert bumps once. The price is that
writers of edges queue on the one version row until they commit; edge writes are rare and short
next to impact reads, which never lock it. SQLite has row triggers only, and one writer anyway.

SQLite rebuilds a table for most ALTER TABLEs, which drops its triggers: `ensure_version_triggers`
runs after every `migrate` (impact.apps) and recreates whatever is missing, and the graph refuses to
serve (the SQL engine answers) while a trigger is absent.
"""

from cmdb.models import ConfigurationItem, Relationship, RelationshipType
from offerings.models import ServiceOffering

VERSION_TABLE = "impact_graph_version"
VERSION_SEQUENCE = "impact_graph_version_seq"  # what the bump drew from before it was random; dropped
BUMP_FUNCTION = "impact_graph_version_bump"
# 62 random bits as a bigint: the last 16 hex digits of a version 4 UUID (2 of their bits are fixed).
_RANDOM_VERSION_SQL = "('x' || right(replace(gen_random_uuid()::text, '-', ''), 16))::bit(64)::bigint"


def _watched(connection):
    """(trigger name, table, events) per watched table; events as ("INSERT"|"DELETE"|"TRUNCATE",
    or ("UPDATE", columns))."""
    q = connection.ops.quote_name
    rel, rel_type, offering, ci = (
        Relationship._meta,
        RelationshipType._meta,
        ServiceOffering._meta,
        ConfigurationItem._meta,
    )
    rel_columns = [q(rel.get_field(name).column) for name in ("parent", "child", "type")]
    return [
        ("cmdb_rel_ci", q(rel.db_table), ["INSERT", "DELETE", "TRUNCATE", ("UPDATE", rel_columns)]),
        (
            "cmdb_rel_type",
            q(rel_type.db_table),
            ["DELETE", ("UPDATE", [q(rel_type.get_field("propagates_impact").column)])],
        ),
        (
            "service_offering",
            q(offering.db_table),
            ["INSERT", "DELETE", "TRUNCATE", ("UPDATE", [q(offering.get_field("parent").column)])],
        ),
        ("cmdb_ci", q(ci.db_table), [("UPDATE", [q(ci.get_field("sys_class_name").column)])]),
    ]


def trigger_names(connection) -> list[str]:
    """Names of every version trigger this database should have."""
    names = []
    for key, _table, events in _watched(connection):
        if connection.vendor == "postgresql":
            names.append(f"{key}_impact_graph")
        else:
            names += [f"{key}_impact_graph_{_event_name(event)}" for event in events if event != "TRUNCATE"]
    return names


def _event_name(event):
    return event[0].lower() if isinstance(event, tuple) else event.lower()


def ensure_version_triggers(connection) -> None:
    """Create the version table and triggers where missing (idempotent; PostgreSQL and SQLite)."""
    if connection.vendor == "postgresql":
        _ensure_postgresql(connection)
    elif connection.vendor == "sqlite":
        _ensure_sqlite(connection)


def _ensure_postgresql(connection):
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE}"
            f" (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);"
            f" CREATE OR REPLACE FUNCTION {BUMP_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN"
            f" INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, {_RANDOM_VERSION_SQL})"
            f" ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;"
            f" RETURN NULL;"
            f" END $$;"
            f" INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, {_RANDOM_VERSION_SQL})"
            f" ON CONFLICT (id) DO NOTHING;"
            f" DROP SEQUENCE IF EXISTS {VERSION_SEQUENCE}"
        )
        for key, table, events in _watched(connection):
            spelled = " OR ".join(
                f"UPDATE OF {', '.join(event[1])}" if isinstance(event, tuple) else event for event in events
            )
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {key}_impact_graph ON {table};"
                f" CREATE TRIGGER {key}_impact_graph AFTER {spelled} ON {table}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {BUMP_FUNCTION}()"
            )


def _ensure_sqlite(connection):
    bump = f"INSERT OR REPLACE INTO {VERSION_TABLE} (id, version) VALUES (1, random());"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE}"
            f" (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)"
        )
        cursor.execute(f"INSERT OR IGNORE INTO {VERSION_TABLE} (id, version) VALUES (1, random())")
        for key, table, events in _watched(connection):
            for event in events:
                if event == "TRUNCATE":  # SQLite has no TRUNCATE; DELETE without WHERE fires row triggers
                    continue
                spelled = f"UPDATE OF {', '.join(event[1])}" if isinstance(event, tuple) else event
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {key}_impact_graph_{_event_name(event)}"
                    f" AFTER {spelled} ON {table} FOR EACH ROW BEGIN {bump} END"
                )


def drop_version_triggers(connection) -> None:
    """Remove the triggers, the table and (PostgreSQL) the function: the migration's reverse."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for key, table, _events in _watched(connection):
                cursor.execute(f"DROP TRIGGER IF EXISTS {key}_impact_graph ON {table}")
            cursor.execute(
                f"DROP FUNCTION IF EXISTS {BUMP_FUNCTION}(); DROP TABLE IF EXISTS {VERSION_TABLE};"
                f" DROP SEQUENCE IF EXISTS {VERSION_SEQUENCE}"
            )
        elif connection.vendor == "sqlite":
            for name in trigger_names(connection):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {VERSION_TABLE}")


def missing_triggers(connection) -> list[str]:
    """Version triggers this database lacks (empty when the graph may be trusted)."""
    wanted = trigger_names(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)", [wanted]
            )
        else:
            placeholders = ", ".join(["%s"] * len(wanted))
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({placeholders})", wanted
            )
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in wanted if name not in present]


def current_version_sql() -> str:
    """The query whose single value (or no row) is the current graph version."""
    return f"SELECT version FROM {VERSION_TABLE} WHERE id = 1"
