"""The importer's raw SQL: the only place that knows PostgreSQL from SQLite.

A first load of 100,000 CIs and 200,000 relationships spends most of its time in two kinds of
statement, so both have a PostgreSQL branch:

- Finding rows by sys_id, a batch at a time. Django's `sys_id__in=[...]` compiles and adapts one
  parameter per sys_id; here the whole set travels as ONE text parameter that the database unpacks
  (PostgreSQL: a uuid[] literal handed over as a subquery result, so the planner does not estimate
  every element; SQLite: a JSON array read by json_each): `core.sql.sys_id_in`.
- Inserting new rows. PostgreSQL gets COPY from an in-memory buffer, inside the import's
  transaction, with primary keys reserved from the table's sequence first, so that the subclass
  rows of a multi-table-inherited model can follow without reading the new pks back (a model of
  one table lets its identity column number the rows). The COPYs may run on a thread while the
  importer parses the next batch (`BackgroundWrites`). SQLite keeps multi-row INSERTs and reads
  the pks back by sys_id.
- A first load (PostgreSQL): secondary indexes and foreign keys set aside and rebuilt once.
- Updating changed rows. PostgreSQL: the batch's new values are COPYed into a temporary staging
  table and written with one UPDATE ... FROM it (`update_rows`); SQLite keeps bulk_update.

Values written here are the Python values of the model fields (already validated by the
importer); `copy_text` formats the types those fields hold.
"""

import contextlib
import datetime
import decimal
import functools
import io
import json
import sqlite3
import uuid
from concurrent.futures import ThreadPoolExecutor

from core.sql import sys_id_in

# Finding rows by sys_id ---------------------------------------------------------------------------


def select_by_sys_id(connection, model, sys_ids, columns=(), raw=False):
    """{sys_id: (pk, *columns)} for the rows of `model` among `sys_ids`; one query.

    `columns` are columns of the table that holds sys_id (the base of a class family). A subclass
    (a server among CIs) is joined, so that only rows of that class are found. `raw`: through
    psycopg2's own cursor, as on the thread of `BackgroundWrites` (PostgreSQL).
    """
    if not sys_ids:
        return {}
    quote = connection.ops.quote_name
    base = model._meta.get_field("sys_id").model._meta
    selected = ", ".join(f"b.{quote(column)}" for column in (base.pk.column, *columns))
    sql = f"SELECT {sys_id_hex(connection, 'b.' + quote('sys_id'))}, {selected} FROM {quote(base.db_table)} b"
    if model._meta.db_table != base.db_table:
        # The pk of every table of an inheritance chain is the base row's pk.
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        sql += f" JOIN {table} m ON m.{pk} = b.{quote(base.pk.column)}"
    condition, params = sys_id_in(f"b.{quote('sys_id')}", sys_ids, connection)
    # Found rows are keyed by the caller's own UUIDs: a UUID built per row read back cost more
    # than the query.
    requested = {sys_id if type(sys_id) is str else sys_id.hex: sys_id for sys_id in sys_ids}
    cursor = connection.connection.cursor() if raw else connection.cursor()
    with connection.wrap_database_errors, cursor:
        cursor.execute(f"{sql} WHERE {condition}", params)
        return {requested[sys_id]: tuple(values) for sys_id, *values in cursor.fetchall()}


def sys_id_hex(connection, expression):
    """SQL for a sys_id column as 32 hex characters, the form Python's `UUID.hex` gives."""
    if connection.vendor == "postgresql":
        return f"replace(CAST({expression} AS text), '-', '')"
    return expression  # SQLite: Django stores a UUID as its hex text already


# Inserting new rows -------------------------------------------------------------------------------


def reserve_pks(connection, model, count):
    """`count` new primary keys of `model`'s table, taken from its sequence (PostgreSQL only)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def insert_new_rows(connection, model, records, run=None, *, pks_wanted=True):
    """Insert `records` ({attname: value} for every column of `model`) table by table down the
    inheritance chain, base rows first; every record gets its primary key, unless `pks_wanted` is
    false and the model is one table (PostgreSQL then lets the identity column number the rows).

    PostgreSQL: the COPYs are handed to `run` (by default run at once), so that the importer can
    let them run while it parses the next batch (`BackgroundWrites`); they use no Django cursor.
    """
    chain = [*reversed(model._meta.get_parent_list()), model]
    root = chain[0]
    if connection.vendor == "postgresql":
        if len(chain) > 1 or pks_wanted:
            # pks come from the sequence up front, so that the subclass rows can be written with them.
            set_pks(chain, records, reserve_pks(connection, root, len(records)))
            tables = [(link, link._meta.local_concrete_fields) for link in chain]
        else:
            # Nobody needs the pks: a round trip and a column fewer.
            tables = [(model, [f for f in model._meta.local_concrete_fields if not f.primary_key])]
        copies = [copy_statement(connection, link, fields, records) for link, fields in tables]
        (run or _run_now)(functools.partial(copy_in, connection, copies))
        return
    # The database assigns the base rows' pks; they are read back by sys_id for the subclass rows.
    root_fields = [f for f in root._meta.local_concrete_fields if not f.primary_key]
    insert_multi_row(connection, root, records, root_fields)
    found = select_by_sys_id(connection, root, [record["sys_id"] for record in records])
    set_pks(chain, records, [found[record["sys_id"]][0] for record in records])
    for child in chain[1:]:
        insert_multi_row(connection, child, records, child._meta.local_concrete_fields)


def _run_now(function):
    function()


class BackgroundWrites:
    """Runs the importer's COPYs (and look-ups made ahead) in order on a thread of its own
    (PostgreSQL).

    While PostgreSQL writes a batch (in its own process), the importer reads and parses the next
    one: psycopg2 releases the GIL while it waits on the server. The thread runs what it is given
    in the order given, so a look-up queued after a write sees its rows. Whoever uses the
    connection on the importer's thread calls `wait()` first; a COPY's error is raised there,
    inside `errors` (the context manager that names the batch's rows).
    """

    def __init__(self):
        self.executor = None
        self.pending = []  # [(future, errors)], in submission order

    def submit(self, function, errors=contextlib.nullcontext):
        if self.executor is None:
            self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        future = self.executor.submit(function)
        self.pending.append((future, errors))
        return future

    def wait(self):
        """Wait for everything submitted; the first failure is raised (inside its `errors`)."""
        pending, self.pending = self.pending, []
        try:
            for future, errors in pending:
                with errors():
                    future.result()
        finally:
            for future, _ in pending:
                with contextlib.suppress(Exception):
                    future.result()

    def close(self):
        """Wait for the last work, its errors dropped (the import is failing already, or waited)."""
        for future, _ in self.pending:
            with contextlib.suppress(Exception):
                future.result()
        self.pending = []
        if self.executor is not None:
            self.executor.shutdown()
            self.executor = None


def set_pks(chain, records, pks):
    # Every table of an inheritance chain shares the base row's pk.
    attnames = [link._meta.pk.attname for link in chain]
    for record, pk in zip(records, pks, strict=True):
        for attname in attnames:
            record[attname] = pk


def copy_rows(connection, model, records, fields, table=None):
    """COPY the records into the table (`model`'s, or `table`) from an in-memory buffer, in the
    current transaction."""
    copy_in(connection, [copy_statement(connection, model, fields, records, table)])


def copy_statement(connection, model, fields, records, table=None):
    """(COPY statement, buffer of the records' lines) for the table (`model`'s, or `table`)."""
    quote = connection.ops.quote_name
    buffer = io.StringIO()
    buffer.writelines(copy_lines(records, [f.attname for f in fields]))
    buffer.seek(0)
    columns = ", ".join(quote(f.column) for f in fields)
    return f"COPY {quote(table or model._meta.db_table)} ({columns}) FROM STDIN", buffer


def copy_in(connection, copies):
    """Run (COPY statement, buffer) pairs in order, in the current transaction.

    psycopg2's own cursor (Django's wrapper has no copy_expert, and may not be used from the
    thread of `BackgroundWrites`), with psycopg2's errors turned into Django's, as the importer
    reports a refused batch by catching those.
    """
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        for statement, buffer in copies:
            # The whole buffer in one read: psycopg2 takes the GIL for every read (8 kB by default),
            # and on a thread beside a busy parser each take waited up to the 5 ms switch interval.
            cursor.copy_expert(statement, buffer, size=max(len(buffer.getvalue()), 8192))


# Bulk loads: secondary indexes and foreign keys put back once, set-based -------------------------


def rows_at_most(connection, model, limit):
    """How many rows `model`'s table holds, counted no further than `limit` (cheap on a big table)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [limit])
        return cursor.fetchone()[0]


def set_aside_indexes(connection, tables):
    """Drop the foreign keys and the non-unique secondary indexes of `tables` (PostgreSQL only);
    return the statements that put them back, to run once the rows are in (`put_back_indexes`).

    Each inserted row otherwise updates every index of its table at a random place and queues one
    deferred check per foreign key, run one by one at commit: for 100k CIs and 500k relationships
    that is two thirds of a raw COPY's time. Built afterwards, an index is one sort, and a foreign
    key is validated by one join. Primary keys, unique and check constraints stay: the importer
    finds rows by sys_id as it goes, and a duplicate is still refused by its batch.

    DDL takes the tables' ACCESS EXCLUSIVE lock until the import commits, so readers of these
    tables wait meanwhile: the importer does this only for tables that a load at least triples
    (a first load), never for a scheduled pull. All of it is inside the import's transaction, so a
    failed import leaves the indexes as they were.
    """
    # Statistics first: the tables were (nearly) empty when planned for, and validating a foreign key
    # by a nested loop over a table believed empty took minutes instead of a second.
    statements = [f"ANALYZE {connection.ops.quote_name(table)}" for table in tables]
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(%s AS regclass) AND contype = 'f' ORDER BY conname",
                [quoted],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = CAST(%s AS regclass) AND NOT i.indisunique AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                "ORDER BY c.relname",
                [quoted],
            )
            indexes = cursor.fetchall()
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
                statements.append(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
                )
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                statements.append(definition)
    return statements


def put_back_indexes(connection, statements):
    """Rebuild what `set_aside_indexes` dropped: one sort per index, one join per foreign key."""
    if not statements:
        return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # Sorting in memory rather than in temporary files; reverts when the transaction ends.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)


# Hashable, and equal values have the same text in their column.
REPEATED_TYPES = frozenset((bool, int, datetime.datetime, datetime.date))


def copy_lines(records, attnames):
    """The records as lines of COPY's text format, columns in `attnames` order.

    Column by column: most columns hold values of one type (sys_ids and names are text, references
    are pks), and such a column is formatted by one loop or map without asking each value its type.
    """
    columns = [copy_column([record[attname] for record in records]) for attname in attnames]
    return ["\t".join(cells) + "\n" for cells in zip(*columns, strict=True)]


def copy_column(values):
    """One column's values in COPY's text format."""
    kinds = set(map(type, values))
    if kinds == {str}:
        # Escapes are rare (sys_ids and most names have none): one scan of the whole column tells.
        joined = "".join(values)
        if any(special in joined for special in COPY_SPECIALS):
            return [value.translate(COPY_ESCAPES) for value in values]
        return values
    if kinds == {int}:
        return list(map(int.__repr__, values))
    # Other values repeat down a column (dates of a bulk load, statuses, flags): each distinct one
    # is formatted once.
    known = {}
    texts = []
    for value in values:
        if type(value) is str:
            texts.append(value.translate(COPY_ESCAPES))
        elif value is None:
            texts.append("\\N")
        elif type(value) in REPEATED_TYPES:
            text = known.get(value)
            if text is None:
                text = copy_text(value)
                if len(known) < 1000:
                    known[value] = text
            texts.append(text)
        else:
            texts.append(copy_text(value))
    return texts


# Updating changed rows ---------------------------------------------------------------------------


def update_rows(connection, model, objects, attnames):
    """Write `attnames` of `objects` (existing rows) to the database, set-based.

    PostgreSQL: for each table of the inheritance chain that holds some of the fields, the values
    are COPYed into a temporary staging table and written with one UPDATE ... FROM it. Django's
    bulk_update would send a CASE WHEN pk = ... per field and row, which PostgreSQL plans and runs
    far more slowly for thousands of rows. SQLite keeps bulk_update.
    """
    if connection.vendor != "postgresql":
        model._base_manager.using(connection.alias).bulk_update(objects, attnames, batch_size=1000)
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(attname) for attname in attnames]
    by_table = {}
    for model_field in fields:
        by_table.setdefault(model_field.model._meta.concrete_model, []).append(model_field)
    for table_model, table_fields in by_table.items():
        table = table_model._meta.db_table
        pk = table_model._meta.pk
        stage = f"import_stage_{table}"
        records = [
            {pk.attname: obj.pk} | {f.attname: getattr(obj, f.attname) for f in table_fields}
            for obj in objects
        ]
        columns = [pk, *table_fields]
        selected = ", ".join(quote(f.column) for f in columns)
        assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in table_fields)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            # CREATE TABLE AS takes the column types and none of the constraints.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {quote(stage)} AS SELECT {selected} FROM {quote(table)} WITH NO DATA"
            )
            try:
                copy_rows(connection, table_model, records, columns, table=stage)
                cursor.execute(
                    f"UPDATE {quote(table)} t SET {assignments} FROM {quote(stage)} s "
                    f"WHERE t.{quote(pk.column)} = s.{quote(pk.column)}"
                )
            finally:
                cursor.execute(f"DROP TABLE {quote(stage)}")


def insert_multi_row(connection, model, records, fields):
    """Multi-row INSERTs, as many rows per statement as the parameter limit allows."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    rows_per_statement = max(1, max_parameters(connection) // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(records), rows_per_statement):
            chunk = records[start : start + rows_per_statement]
            params = [f.get_db_prep_save(record[f.attname], connection) for record in chunk for f in fields]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([placeholder] * len(chunk))}",
                params,
            )


def max_parameters(connection):
    """Bound parameters one statement may carry (SQLite before 3.32 allowed only 999)."""
    if connection.vendor == "sqlite":
        return 999 if sqlite3.sqlite_version_info < (3, 32) else 32000
    return 60000


# COPY's text format: tab-separated columns, \N for null, backslash escapes.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_SPECIALS = ("\\", "\t", "\n", "\r")


def interval_text(duration):
    return f"{duration.days} days {duration.seconds} seconds {duration.microseconds} microseconds"


COPY_FORMATS = {
    bool: lambda value: "t" if value else "f",
    int: str,
    decimal.Decimal: str,
    float: repr,
    # Aware date-times carry their offset; the importer makes every date-time aware.
    datetime.datetime: datetime.datetime.isoformat,
    datetime.date: datetime.date.isoformat,
    datetime.timedelta: interval_text,
    uuid.UUID: str,
    # JSON columns (an offering's scope lists); JSON's own backslash escapes must survive COPY's.
    list: lambda value: json.dumps(value).translate(COPY_ESCAPES),
    dict: lambda value: json.dumps(value).translate(COPY_ESCAPES),
}


def copy_text(value):
    """A model field's Python value in COPY's text format."""
    if type(value) is str:  # the common case first
        return value.translate(COPY_ESCAPES)
    if value is None:
        return "\\N"
    formatter = COPY_FORMATS.get(type(value))
    if formatter is not None:
        return formatter(value)
    # Subclasses: choices enums (a TextChoices member is a str) and the like.
    if isinstance(value, str):
        return str.translate(value, COPY_ESCAPES)
    if isinstance(value, int):
        return int.__repr__(value)
    raise TypeError(f"COPY cannot write a {type(value).__name__} value ({value!r})")
