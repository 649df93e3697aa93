"""The impact engine: the only code that walks the CMDB graph.

`impacted_by`, `dependencies_of` and their result classes are what impact/api and impact/services
build on: their names and shapes only grow.

How the walk works, and why:

- A CI is settled at the first (smallest) depth it is reached at, listed once, with the `via` that
  reached it: following `via` gives a shortest path back to a source. Of several predecessors at that
  depth the smallest pk wins, so equal inputs give equal paths. Cycles cannot loop: a settled CI is
  not expanded again, and the recursive query below stops at the depth cap.
- Small walks (most CIs impact a few dozen others) take ONE query: a recursive CTE walks the graph
  within the depth cap and returns, in the same statement, the details of every walked CI and the
  subscribers of the walked offerings. Its rows are capped (RECURSIVE_WALK_ROW_LIMIT); a walk that
  hits the cap (a hub) is redone breadth first.
- Breadth first: one query per depth level taking the whole frontier as one parameter
  (`core.sql.id_in`), returning ids only ((reached CI, predecessor) edges along relationships of
  propagating types and offering -> parent service); Python keeps the unsettled CIs. Then one query
  for the details (sys_id, name, sys_class_name, offering parent) of every reached CI and one for
  the subscribers: at most depth cap + 3 queries, whatever the size of the graph.
- Classes come from `cmdb_ci.sys_class_name`, never from joins over the subclass tables.
- Read-only and plain SQL (no temporary tables), so it runs unchanged on a read replica; the
  database is the one the router picks for reading CIs unless `using=` says otherwise.
- Table and column names come from the models' `_meta`.
"""

import operator
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router

from cmdb.models import (
    Company,
    ConfigurationItem,
    Department,
    Group,
    Location,
    User,
)
from core.cyclic_gc import cyclic_gc_paused
from core.sql import id_in, in_subquery
from impact.edges import EdgeSql
from impact.graph import cached_graph, graph_for
from impact.graph_version import VERSION_TABLE
from offerings.models import SUBSCRIPTION_MODELS, ServiceOffering

HARD_MAX_DEPTH = 25  # settings.IMPACT_MAX_DEPTH (default 10) is the default depth

# impacted_by first tries the whole walk as one recursive query that may return at most this many
# (CI, depth, via) rows; a bigger walk (a hub) falls back to the breadth-first walk, one query per
# level. 0 switches the recursive attempt off.
RECURSIVE_WALK_ROW_LIMIT = 2000

# Keys of ImpactResult.subscribers, by subscriber model.
SUBSCRIBER_KEYS = {
    Company: "companies",
    Department: "departments",
    Location: "locations",
    Group: "groups",
    User: "users",
}


@dataclass(frozen=True, slots=True)
class ImpactedCI:
    id: int  # cmdb_ci primary key
    sys_id: uuid.UUID
    name: str
    sys_class_name: str
    depth: int  # 0 for a source
    via: int | None  # pk of the CI one step closer to a source on one shortest path (None for sources)
    parent_id: int | None  # for service offerings: pk of the parent service (else None)


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    sys_id: uuid.UUID
    name: str
    user_name: str = ""  # only for users


@dataclass
class ImpactResult:
    source_ids: list[int]
    impacted: dict[int, ImpactedCI]  # every impacted CI, sources included, by pk
    max_depth: int
    # keys "companies", "departments", "locations", "groups", "users"; each sorted by name
    subscribers: dict[str, list[Subscriber]]

    def of_class(self, *sys_class_names, limit: int | None = None) -> list[ImpactedCI]:
        """Impacted CIs of these classes, sorted by (depth, name); the first `limit` of them if given."""
        wanted = set(sys_class_names)
        found = sorted(
            (ci for ci in self.impacted.values() if ci.sys_class_name in wanted),
            key=lambda ci: (ci.depth, ci.name, ci.id),
        )
        return found if limit is None else found[:limit]

    def count_of_class(self, *sys_class_names) -> int:
        """How many impacted CIs are of these classes."""
        wanted = set(sys_class_names)
        return sum(1 for ci in self.impacted.values() if ci.sys_class_name in wanted)

    def ids_of_class(self, *sys_class_names) -> list[int]:
        """pks of the impacted CIs of these classes, in walk order (no details needed)."""
        wanted = set(sys_class_names)
        return [ci.id for ci in self.impacted.values() if ci.sys_class_name in wanted]

    def prefetch(self, ci_ids) -> None:
        """Make the details of these impacted CIs (others are ignored) ready in one query; a no-op when
        every detail is at hand already, as it is here."""

    def impacted_among(self, ci_ids) -> list[int]:
        """Those of `ci_ids` that are impacted, in the order given."""
        return [pk for pk in ci_ids if pk in self.impacted]

    def path(self, ci_id) -> list[int]:
        """pks from a source to ci_id, inclusive."""
        if ci_id not in self.impacted:
            raise KeyError(f"CI {ci_id} is not impacted")
        path = []
        step = ci_id
        while step is not None:
            path.append(step)
            step = self.impacted[step].via
        path.reverse()
        return path

    def path_sys_ids(self, ci_id) -> list[str]:
        """The same path as 32-hex sys_ids."""
        return [self.impacted[pk].sys_id.hex for pk in self.path(ci_id)]

    @property
    def impacted_ci_count(self) -> int:
        """How many CIs are impacted, sources included."""
        return len(self.impacted)

    @property
    def offering_ids(self) -> list[int]:
        """pks of the impacted service offerings (sources included), in walk order."""
        offering_class = ServiceOffering._meta.db_table
        return [ci.id for ci in self.impacted.values() if ci.sys_class_name == offering_class]


def impacted_by(ci_ids, max_depth=None, *, using=None) -> ImpactResult:
    """Walk upward: child -> parent along relationships whose type propagates impact, and offering -> its
    parent service. Business services are cmdb_ci_service_business, offerings service_offering,
    application services cmdb_ci_service_auto, technical services cmdb_ci_service_technical.
    Subscribers are those of every impacted offering (sources included), each once.

    `ci_ids` are cmdb_ci pks (CI instances are accepted too); ids of no CI are ignored, so
    `source_ids` lists the sources that exist, in the order given. `max_depth` defaults to
    settings.IMPACT_MAX_DEPTH and must lie in 1..HARD_MAX_DEPTH (ValueError otherwise).
    """
    max_depth = validated_depth(max_depth)
    sources = _unique_ids(ci_ids)
    if not sources:
        return ImpactResult(source_ids=[], impacted={}, max_depth=max_depth, subscribers=_no_subscribers())
    connection = connections[using or router.db_for_read(ConfigurationItem)]
    with cyclic_gc_paused():
        if settings.IMPACT_GRAPH_MAX_MB:
            from impact.graph_answers import impacted_by_graph  # it builds on this module's types

            # Optimistic: walk the graph at hand and check its version in the details query; only a
            # changed version costs a second query (and a rebuild).
            graph = cached_graph(connection)
            result = None if graph is None else impacted_by_graph(connection, graph, sources, max_depth, True)
            if result is None:
                graph = graph_for(connection)
                if graph is not None:
                    result = impacted_by_graph(connection, graph, sources, max_depth, False)
            if result is not None:
                return result
        return _impacted_by(connection, _UpwardSql(connection), sources, max_depth)


def _impacted_by(connection, sql, sources, max_depth):
    result = _recursive_impact(connection, sql, sources, max_depth, RECURSIVE_WALK_ROW_LIMIT)
    if result is not None:
        return result
    depth_of, via_of = _walk(connection, sql.level, sources, max_depth)
    # Details in one query at the end, for the CIs that were reached only: a level query that joined
    # cmdb_ci would fetch every parent of the frontier, settled ones included, and its misestimated
    # row count tempts the planner into scanning the whole of cmdb_ci at every level.
    condition, params = id_in(f"ci.{sql.ci_pk}", list(depth_of), connection)
    details = {row[0]: row for row in _fetch(connection, sql.details + condition, params)}
    result = _result(sources, depth_of, via_of, details, max_depth)
    offering_ids = result.offering_ids
    if offering_ids:
        result.subscribers = _subscribers(connection, offering_ids)
    return result


def _result(sources, depth_of, via_of, details, max_depth):
    """The ImpactResult (without subscribers) of a walk; `details` maps pk to a detail row."""
    to_uuid = _uuid_from_text  # a local name: a hub's walk calls it for every CI
    impacted: dict[int, ImpactedCI] = {}
    for pk, depth in depth_of.items():  # breadth-first order: by depth
        row = details.get(pk)
        if row is not None:  # a source id of no CI
            _, sys_id, name, class_name, parent_id = row
            impacted[pk] = ImpactedCI(pk, to_uuid(sys_id), name, class_name, depth, via_of.get(pk), parent_id)
    source_ids = [pk for pk in sources if pk in impacted]
    return ImpactResult(
        source_ids=source_ids, impacted=impacted, max_depth=max_depth, subscribers=_no_subscribers()
    )


def dependencies_of(ci_ids, max_depth=None, *, using=None) -> dict[int, int]:
    """Walk downward (reverse edges: parent -> child along propagating types, service -> its offerings);
    pk -> smallest depth, the given CIs at depth 0. Used by availability: which CIs below a service can
    take it down.

    Same rules as `impacted_by`: ids of no CI are ignored, `max_depth` in 1..HARD_MAX_DEPTH, one query
    for the sources plus at most one per level.
    """
    max_depth = validated_depth(max_depth)
    sources = _unique_ids(ci_ids)
    if not sources:
        return {}
    connection = connections[using or router.db_for_read(ConfigurationItem)]
    sql = _DownwardSql(connection)
    graph = cached_graph(connection)

    condition, params = id_in(sql.ci_pk, sources, connection)
    query = sql.sources + condition
    if graph is not None:  # the graph at hand, checked in the same query
        query = f"SELECT 0, {sql.ci_pk} FROM {sql.ci} WHERE {condition} UNION ALL {sql.version}"
    rows = _fetch(connection, query, params)
    if graph is not None:
        versions = [pk for (kind, pk) in rows if kind == 1]
        rows = [(pk,) for (kind, pk) in rows if kind == 0]
        if versions != [graph.version]:
            graph = graph_for(connection)
    elif settings.IMPACT_GRAPH_MAX_MB:
        graph = graph_for(connection)
    existing = {pk for (pk,) in rows}
    existing = [pk for pk in sources if pk in existing]
    with cyclic_gc_paused():
        if graph is not None:
            from impact.graph_answers import dependencies_of_graph  # it builds on this module's types

            return dependencies_of_graph(graph, existing, max_depth)
        depth_of, _via_of = _walk(connection, sql.level, existing, max_depth)
    return depth_of


def _recursive_impact(connection, sql, sources, max_depth, row_limit):
    """The whole impact in one recursive query, or None when the walk would exceed `row_limit` rows
    (or the database cannot run it).

    Most CIs impact a few dozen others: one round trip instead of one per level, plus details and
    subscribers, is what keeps the median call near a millisecond. The walk yields every
    (CI, depth, predecessor) reachable within the depth cap (UNION drops repeats; a cycle is
    re-entered until the cap, which is why the rows are capped and hubs go breadth first). A CI's
    smallest depth among them is its distance, and its predecessors at that depth are exactly the
    CIs one step closer at their own smallest depth, so the smallest of them is the `via` that
    `_walk` would pick. The same query returns the detail row of every walked CI and the subscribers
    of the walked offerings.
    """
    query = sql.recursive_impact(sources, max_depth, row_limit) if row_limit else None
    if query is None:
        return None
    walk, details, subscriber_rows = [], {}, []
    for kind, pk, sys_id, name, class_or_last_name, user_name, depth, via, parent_id in _fetch(
        connection, *query
    ):
        if kind == "":
            walk.append((pk, depth, via))
            details[pk] = (pk, sys_id, name, class_or_last_name, parent_id)
        else:
            subscriber_rows.append((kind, pk, sys_id, name, class_or_last_name, user_name))
    if len(walk) > row_limit:
        return None
    # Sources first, in the order given, as _walk lists them; then by depth.
    depth_of = {pk: 0 for pk in sources if pk in details}
    via_of = {}
    for pk, depth, via in sorted(walk, key=lambda row: (row[1], row[2] is not None, row[2] or 0)):
        if pk not in depth_of:
            depth_of[pk] = depth
            via_of[pk] = via
    result = _result(sources, depth_of, via_of, details, max_depth)
    result.subscribers = _collect_subscribers(subscriber_rows)
    return result


def _walk(connection, level, sources, max_depth):
    """Breadth-first walk from `sources` (depth 0): (pk -> smallest depth, pk -> via), one query per level.

    `level(frontier ids)` gives the (query, params) whose rows are (reached pk, predecessor pk) for
    the CIs one step away from the frontier. A CI is settled when first reached, so later (longer)
    routes to it and cycles back into the settled set are dropped; of the predecessors reaching a CI
    at the same level the smallest pk wins, so that equal inputs give equal paths.
    """
    depth_of = dict.fromkeys(sources, 0)
    via_of = {}
    frontier = list(depth_of)
    for depth in range(1, max_depth + 1):
        if not frontier:
            break
        query, params = level(frontier)
        reached = {}
        for pk, via in _fetch(connection, query, params):
            if pk in depth_of:
                continue
            known = reached.get(pk)
            if known is None or via < known:
                reached[pk] = via
        for pk, via in reached.items():
            depth_of[pk] = depth
            via_of[pk] = via
        frontier = list(reached)
    return depth_of, via_of


def validated_depth(max_depth):
    """The depth cap to use: settings.IMPACT_MAX_DEPTH when None; ValueError outside 1..HARD_MAX_DEPTH."""
    if max_depth is None:
        max_depth = settings.IMPACT_MAX_DEPTH
    if isinstance(max_depth, bool):
        raise ValueError(f"max_depth must be an integer, not {max_depth!r}")
    try:
        max_depth = operator.index(max_depth)
    except TypeError:
        raise ValueError(f"max_depth must be an integer, not {max_depth!r}") from None
    if not 1 <= max_depth <= HARD_MAX_DEPTH:
        raise ValueError(f"max_depth must be between 1 and {HARD_MAX_DEPTH}, not {max_depth}")
    return max_depth


def _unique_ids(ci_ids):
    if isinstance(ci_ids, (str, bytes, int)):
        raise TypeError("ci_ids must be an iterable of CI ids")
    unique = {}
    for value in ci_ids:
        value = value.pk if isinstance(value, ConfigurationItem) else value
        unique[operator.index(value)] = None
    return list(unique)


def _fetch(connection, query, params):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _uuid_from_text(text, _new=uuid.UUID.__new__, _set=object.__setattr__, _unknown=uuid.SafeUUID.unknown):
    """uuid.UUID(text) for trusted database text (32 hex digits, hyphens or not), ten times faster.

    A hub's closure holds hundreds of thousands of CIs and uuid.UUID()'s validation was 40 % of the
    walk; this sets the two slots that UUID's own constructor sets (`int`, `is_safe`).
    """
    value = _new(uuid.UUID)
    _set(value, "int", int(text.replace("-", ""), 16))
    _set(value, "is_safe", _unknown)
    return value


_SAMPLE_UUID = "6f1d8a52-3f4e-4c1a-9d0b-52756e737461"
if _uuid_from_text(_SAMPLE_UUID) != uuid.UUID(_SAMPLE_UUID) or "is_safe" not in uuid.UUID.__slots__:
    _uuid_from_text = uuid.UUID  # a Python whose UUID is built differently: take the safe road


def _no_subscribers():
    return {key: [] for key in SUBSCRIBER_KEYS.values()}


class _UpwardSql(EdgeSql):
    """SQL of `impacted_by`: level rows are (reached pk, via pk); detail rows are
    (pk, sys_id, name, sys_class_name, offering parent pk)."""

    def __init__(self, connection):
        super().__init__(connection)
        self.details = (
            # sys_id as text: _uuid_from_text is much faster than psycopg2's uuid typecaster.
            f"SELECT ci.{self.ci_pk}, CAST(ci.{self.ci_sys_id} AS text), ci.{self.ci_name},"
            f" ci.{self.ci_class}, so.{self.offering_parent}"
            f" FROM {self.ci} ci"
            f" LEFT OUTER JOIN {self.offering} so ON so.{self.offering_pk} = ci.{self.ci_pk}"
            f" WHERE "
        )

    def recursive_impact(self, source_ids, max_depth, row_limit):
        """(query, params) of the whole impact, or None when this database cannot run it. Rows are
        (kind, pk, sys_id, name, class or last name, user name, depth, via, offering parent): kind ""
        for a walked CI (one row per (CI, depth, predecessor), at most row_limit + 1 of them), else a
        key of ImpactResult.subscribers for a subscriber of a walked offering.

        The recursive step needs two kinds of edge (relationships, offering -> parent) from one
        reference to the walk, which each database spells its own way:
        - PostgreSQL: a LATERAL subquery per walked CI, so that both edge lookups are index probes
          (joined to a UNION ALL of the two edge tables instead, the planner hashes whole tables);
        - SQLite (3.34+): two recursive SELECTs, which PostgreSQL refuses.
        """
        sources, source_params = id_in(f"ci.{self.ci_pk}", source_ids, self.connection)
        start = f"SELECT ci.{self.ci_pk}, 0, CAST(NULL AS bigint) FROM {self.ci} ci WHERE {sources}"
        if self.connection.vendor == "postgresql":
            steps = (
                f"SELECT e.parent, w.depth + 1, w.id FROM walk w CROSS JOIN LATERAL ("
                f"SELECT r.{self.rel_parent} FROM {self.rel} r"
                f" WHERE r.{self.rel_child} = w.id AND {self.propagates}"
                f" UNION ALL SELECT o.{self.offering_parent} FROM {self.offering} o"
                f" WHERE o.{self.offering_pk} = w.id AND o.{self.offering_parent} IS NOT NULL"
                f") e(parent) WHERE w.depth < %s"
            )
            step_params = [True, max_depth]
        elif self.connection.vendor == "sqlite" and self.connection.Database.sqlite_version_info >= (3, 34):
            steps = (
                f"SELECT r.{self.rel_parent}, w.depth + 1, w.id FROM walk w"
                f" INNER JOIN {self.rel} r ON r.{self.rel_child} = w.id"
                f" WHERE w.depth < %s AND {self.propagates}"
                f" UNION SELECT o.{self.offering_parent}, w.depth + 1, w.id FROM walk w"
                f" INNER JOIN {self.offering} o ON o.{self.offering_pk} = w.id"
                f" WHERE w.depth < %s AND o.{self.offering_parent} IS NOT NULL"
            )
            step_params = [max_depth, True, max_depth]
        else:
            return None
        walked = (
            f"SELECT '', ci.{self.ci_pk}, CAST(ci.{self.ci_sys_id} AS text), ci.{self.ci_name},"
            f" ci.{self.ci_class}, '', w.depth, w.via,"
            # Probes, not joins: the planner takes `walked` for row_limit rows and would otherwise
            # hash whole tables (service_offering here, the subscriber tables below) for a few CIs.
            f" (SELECT so.{self.offering_parent} FROM {self.offering} so WHERE so.{self.offering_pk} = w.id)"
            f" FROM walked w INNER JOIN {self.ci} ci ON ci.{self.ci_pk} = w.id"
        )
        subscribers, _params = _subscriber_branches(
            self.connection,
            lambda column: (in_subquery(column, "SELECT id FROM walked", self.connection), []),
            padding=", CAST(NULL AS integer), CAST(NULL AS bigint), CAST(NULL AS bigint)",
        )
        query = (
            f"WITH RECURSIVE walk(id, depth, via) AS ({start} UNION {steps}),"
            # The LIMIT stops the recursion itself: both databases produce recursive rows on demand.
            f" walked(id, depth, via) AS (SELECT id, depth, via FROM walk LIMIT %s)"
            f" {' UNION ALL '.join([walked, *subscribers])}"
        )
        return query, [*source_params, *step_params, row_limit + 1]

    def level(self, frontier_ids):
        """The CIs one step above the frontier: parents along propagating relationships and the parent
        services of the offerings among them."""
        return self.edges_leaving(
            frontier_ids, self.rel_child, self.rel_parent, self.offering_pk, self.offering_parent
        )


class _DownwardSql(EdgeSql):
    """SQL of `dependencies_of`: level rows are (reached pk, via pk), one step below the frontier."""

    def __init__(self, connection):
        super().__init__(connection)
        self.sources = f"SELECT {self.ci_pk} FROM {self.ci} WHERE "
        self.version = f"SELECT 1, version FROM {VERSION_TABLE} WHERE id = 1"

    def level(self, frontier_ids):
        """The CIs one step below the frontier: children along propagating relationships and the
        offerings of the services among them."""
        return self.edges_leaving(
            frontier_ids, self.rel_parent, self.rel_child, self.offering_parent, self.offering_pk
        )


def _subscribers(connection, offering_ids):
    """Subscribers of the offerings, by kind, each once, sorted by name: one query over the five tables."""
    branches, params = _subscriber_branches(
        connection, lambda column: id_in(column, offering_ids, connection)
    )
    return _collect_subscribers(_fetch(connection, " UNION ALL ".join(branches), params))


def _subscriber_branches(connection, offering_condition, padding=""):
    """One SELECT per subscribe-by table, yielding (kind, pk, sys_id, name, last name, user name
    `padding`) for the subscriptions whose offering column meets `offering_condition(column)`, which
    returns (sql, params). The last two are empty but for users, whose display name is built in Python
    so that no vendor-specific concatenation is needed. Returns (branches, params)."""
    q = connection.ops.quote_name
    branches, params = [], []
    for model, field_name in SUBSCRIPTION_MODELS:
        field = model._meta.get_field(field_name)
        subscriber = field.related_model._meta
        condition, condition_params = offering_condition(
            f"x.{q(model._meta.get_field('service_offering').column)}"
        )
        if subscriber.model is User:
            name_columns = ("first_name", "last_name", "username")
            names = ", ".join(f"s.{q(subscriber.get_field(name).column)}" for name in name_columns)
        else:
            names = f"s.{q(subscriber.get_field('name').column)}, '', ''"
        subscriber_pk = q(subscriber.pk.column)
        # Each subscriber once: the distinct ids of the subscriptions first, then one row per id.
        subscribed = f"SELECT DISTINCT x.{q(field.column)} FROM {q(model._meta.db_table)} x WHERE {condition}"
        if connection.vendor == "postgresql":
            # One index probe per subscribed id, whatever the planner guesses: a prepared statement's
            # generic plan cannot know how many offerings it gets, and for a guessed ten it hashed
            # whole tables of locations or departments for the one subscriber of a typical CI.
            # OFFSET 0 keeps the lateral subquery from being merged into a join.
            source = (
                f"({subscribed}) d (id) CROSS JOIN LATERAL"
                f" (SELECT * FROM {q(subscriber.db_table)} t WHERE t.{subscriber_pk} = d.id OFFSET 0) s"
            )
        else:
            source = f"{q(subscriber.db_table)} s WHERE s.{subscriber_pk} IN ({subscribed})"
        branches.append(
            f"SELECT '{SUBSCRIBER_KEYS[subscriber.model]}', s.{subscriber_pk},"
            f" CAST(s.{q(subscriber.get_field('sys_id').column)} AS text), {names}{padding} FROM {source}"
        )
        params += condition_params
    return branches, params


def _collect_subscribers(rows):
    to_uuid = _uuid_from_text
    subscribers = _no_subscribers()
    for key, pk, sys_id, name, last_name, user_name in rows:
        if key == "users":
            full_name = f"{name} {last_name}".strip()
            subscribers[key].append(Subscriber(pk, to_uuid(sys_id), full_name or user_name, user_name))
        else:
            subscribers[key].append(Subscriber(pk, to_uuid(sys_id), name))
    for found in subscribers.values():
        found.sort(key=lambda subscriber: (subscriber.name.casefold(), subscriber.id))
    return subscribers
