"""Raw-SQL helpers: "this column is one of these ids (or sys_ids)", for any number of them.

One depth level of an impact walk can hold hundreds of thousands of CI ids (a core switch impacts
half the CMDB). Binding one parameter per id does not work: SQLite refuses more than
SQLITE_MAX_VARIABLE_NUMBER parameters (Django assumes 999), and PostgreSQL's parser builds one node
per element of `IN (%s, %s, ...)` or of psycopg2's `ARRAY[...]` adaptation of a Python list, which
costs more than the lookup itself at that size. Chunking the ids would make the number of queries
grow with the size of the graph, and a temporary table is a write, which a read replica (where impact
reads are routed) refuses. So the whole set travels as ONE text parameter that the database unpacks:

- PostgreSQL: an array literal `'{1,2,3}'` cast to bigint[], handed over as a subquery result;
  `col = ANY(...)` uses a b-tree index (the executor sorts and de-duplicates the array keys).
- SQLite: a JSON array `'[1,2,3]'` unpacked by the json_each table-valued function (JSON1 is part of
  every SQLite that Django 5.2's JSONField supports); `col IN (SELECT value FROM ...)` is planned as an
  IN-list probe of the column's index.

`id_in()` and `sys_id_in()` (for the importer's batches of sys_ids) are the only place that knows
the difference; callers compose their fragment into any query, as often as they need.
"""

import json
import operator

from django.db import NotSupportedError
from django.db import connection as default_connection


def id_in(expression, ids, connection=None):
    """Return `(sql, params)`: a condition true when `expression` is one of `ids`, bound as one parameter.

    `expression` is trusted SQL (a quoted column, e.g. `"r"."child_id"`); `ids` are integers (primary
    keys), any number of them, empty included.
    """
    # operator.index refuses floats, strings and None: the ids end up inside a literal, so only
    # genuine integers may get there.
    return _values_in(expression, [operator.index(value) for value in ids], "bigint", connection)


def sys_id_in(expression, sys_ids, connection=None):
    """Return `(sql, params)`: a condition true when the sys_id column `expression` is one of `sys_ids`.

    `sys_ids` are UUIDs or their 32 hex characters (the importer's keys); Django stores them as uuid
    on PostgreSQL and as 32 hex characters on SQLite.
    """
    return _values_in(expression, [_hex(sys_id) for sys_id in sys_ids], "uuid", connection)


def _hex(sys_id):
    if type(sys_id) is str:
        # Text ends up inside a literal: only the exact 32-hex form may get there.
        if len(sys_id) != 32 or sys_id.strip("0123456789abcdef"):
            raise ValueError(f"{sys_id!r} is not a sys_id in its 32 hex character form")
        return sys_id
    return sys_id.hex


def int_array_literal(ids) -> str:
    """PostgreSQL's text form of a bigint[] of `ids` ('{1,2,3}'), for a parameter declared bigint[]."""
    return array_literal([operator.index(value) for value in ids])


def array_literal(values) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _values_in(expression, values, postgres_type, connection):
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        # The array is the result of an uncorrelated scalar subquery (an InitPlan parameter), not a
        # constant: with a constant the planner estimates every element (200 ms of planning for
        # 200,000 ids) and its inflated row estimate led it to walk a whole index of cmdb_rel_ci in
        # parent order. As a parameter it plans an index scan on `expression`, whose array keys the
        # executor sorts and de-duplicates.
        literal = array_literal(values)
        array = f"CAST((SELECT CAST(%s AS {postgres_type}[])) AS {postgres_type}[])"
        return f"{expression} = ANY({array})", [literal]
    if connection.vendor == "sqlite":
        if not connection.features.supports_json_field:
            raise NotSupportedError("Runstage needs SQLite's JSON1 functions (json_each).")
        return f"{expression} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]
    raise NotSupportedError(f"Runstage has no value-set condition for {connection.vendor}.")


def in_subquery(expression, subquery, connection=None):
    """SQL condition "`expression` is one of the values `subquery` selects" (no parameters of its own).

    PostgreSQL gets `= ANY(ARRAY(subquery))`: the subquery runs once (an InitPlan) and its array can
    be an index condition (e.g. the type in the (child, type) index of cmdb_rel_ci), where
    `IN (subquery)` would be planned as a semi-join filtering rows already fetched. SQLite plans
    `IN (subquery)` as a probe of its own.
    """
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        return f"{expression} = ANY(ARRAY({subquery}))"
    if connection.vendor == "sqlite":
        return f"{expression} IN ({subquery})"
    raise NotSupportedError(f"Runstage has no subquery condition for {connection.vendor}.")
