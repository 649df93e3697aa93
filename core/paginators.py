"""A paginator whose count of a huge unfiltered table is PostgreSQL's planner estimate.

`SELECT COUNT(*)` over cmdb_ci or cmdb_rel_ci reads millions of rows for a number an admin list shows
in its corner; large Django sites take the planner's row estimate instead (pg_class.reltuples, kept
by autovacuum's ANALYZE). Filtered lists and small tables are counted exactly.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many estimated rows the exact count is cheap and is what the list shows.
ESTIMATE_ABOVE = 100_000


def estimated_row_count(queryset) -> int | None:
    """The planner's estimate of the rows of `queryset`'s table when `queryset` is unfiltered, on
    PostgreSQL and above ESTIMATE_ABOVE; else None (count exactly)."""
    connection = connections[queryset.db]
    query = queryset.query
    if (
        connection.vendor != "postgresql"
        or query.where
        or query.distinct
        or query.low_mark
        or query.high_mark
    ):
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < ESTIMATE_ABOVE:  # -1: never analyzed
        return None
    return int(row[0])


class EstimatedCountPaginator(Paginator):
    """A Paginator that counts a huge unfiltered list by the planner's estimate (see the module)."""

    @cached_property
    def count(self):
        if hasattr(self.object_list, "query"):
            estimate = estimated_row_count(self.object_list)
            if estimate is not None:
                return estimate
        return super().count


def estimated_counts_by_value(model, field_name) -> dict | None:
    """{value: estimated rows} of `model`'s column on PostgreSQL when its table is above ESTIMATE_ABOVE
    rows, from the planner's statistics (most common values and their frequencies); None otherwise
    (count exactly). A value the statistics do not list is estimated as 0."""
    from django.db import router

    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return None
    table, column = model._meta.db_table, model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.most_common_vals::text, s.most_common_freqs FROM pg_class c"
            " LEFT JOIN pg_stats s ON s.tablename = %s AND s.attname = %s AND s.schemaname = current_schema()"
            " WHERE c.oid = to_regclass(%s)",
            [table, column, connection.ops.quote_name(table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < ESTIMATE_ABOVE or row[1] is None:
        return None
    total, values, frequencies = row
    values = [int(value) for value in values.strip("{}").split(",") if value]
    return {value: round(total * frequency) for value, frequency in zip(values, frequencies, strict=True)}
