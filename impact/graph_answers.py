"""impacted_by and dependencies_of answered from the in-memory impact graph (impact/graph.py).

The walk runs over arrays; the database gives only what the answer lists:
- a walk of up to EAGER_DETAILS_LIMIT CIs fetches every detail and the subscribers in ONE query and
  returns a plain ImpactResult, the same as the SQL engine's;
- a bigger one (a hub) returns a GraphImpactResult: counts by class come from the graph's class array,
  details are fetched for the CIs a caller lists (`of_class(..., limit=)`, their paths, `prefetch`),
  a few queries per list whatever the size of the walk.
"""

import functools
from collections.abc import Iterator, Mapping

import numpy as np

from core.prepared import fetch_prepared, supports_prepared_statements
from core.sql import id_in, int_array_literal
from impact.engine import (
    ImpactedCI,
    ImpactResult,
    _collect_subscribers,
    _fetch,
    _result,
    _subscriber_branches,
    _UpwardSql,
    _uuid_from_text,
)
from impact.graph import UNKNOWN_CLASS, ImpactGraph, walk
from impact.graph_version import VERSION_TABLE
from offerings.models import ServiceOffering

EAGER_DETAILS_LIMIT = 2000

# Subscriber rows are padded to the detail rows' width: (kind, pk, sys_id, name, class or last name,
# user name, offering parent).
_SUBSCRIBER_PADDING = ", CAST(NULL AS bigint)"


def impacted_by_graph(
    connection, graph: ImpactGraph, sources: list[int], max_depth: int, check_version: bool = False
) -> ImpactResult | None:
    """impacted_by's answer, walked over `graph` (see impact.engine.impacted_by for the contract).

    With `check_version`, the details query also reads the graph version, and None is returned when
    it is not `graph`'s (the caller then gets a current graph and asks again).
    """
    source_nodes = graph.nodes_of(sources).tolist()
    walked_sources = list(dict.fromkeys(node for node in source_nodes if node >= 0))
    nodes, depths, vias = walk(graph, walked_sources, max_depth)
    # A source that is no node (a CI inserted after the build, so without edges) is still a source.
    loose = [pk for pk, node in zip(sources, source_nodes, strict=True) if node < 0]
    if len(nodes) + len(loose) <= EAGER_DETAILS_LIMIT:
        return _eager_answer(
            connection, graph, sources, (nodes, depths, vias), loose, max_depth, check_version
        )
    pks = np.concatenate([graph.ids[nodes], np.asarray(loose, dtype=np.int64)])
    depths = np.concatenate([depths, np.zeros(len(loose), dtype=np.int8)])
    vias = np.concatenate([np.where(vias >= 0, graph.ids[np.maximum(vias, 0)], -1), np.full(len(loose), -1)])
    classes = np.concatenate([graph.classes[nodes], np.full(len(loose), UNKNOWN_CLASS, dtype=np.int16)])
    offering_codes = list(graph.offering_codes)
    offerings = pks[np.isin(classes, offering_codes)].tolist() if offering_codes else []

    unknown = pks[classes == UNKNOWN_CLASS].tolist()
    details, subscriber_rows, version = _details_and_subscribers(
        connection, list(dict.fromkeys([*sources, *unknown])), offerings, with_version=True
    )
    if check_version and version != graph.version:
        return None
    gone = [pk for pk in unknown if pk not in details]  # source ids of no CI
    if gone:
        keep = ~np.isin(pks, gone)
        pks, depths, vias, classes = pks[keep], depths[keep], vias[keep], classes[keep]
    impacted = LazyImpacted(connection, pks, depths, vias, classes, graph.class_names)
    # The details just read give the class of each CI the graph does not know (the sources' mostly).
    impacted.add_detail_rows(details.values())
    return GraphImpactResult(
        source_ids=[pk for pk in sources if pk in impacted],
        impacted=impacted,
        max_depth=max_depth,
        subscribers=_collect_subscribers(subscriber_rows),
    )


def _eager_answer(connection, graph, sources, walked, loose, max_depth, check_version):
    """impacted_by_graph's answer for a walk small enough to fetch every detail: a plain ImpactResult,
    built from lists (numpy's per-call overhead outweighs its speed on a dozen CIs)."""
    nodes, depths, vias = walked
    ids = graph.ids
    pks = [*ids[nodes].tolist(), *loose]
    via_nodes = vias.tolist()
    via_pks = ids[[max(via, 0) for via in via_nodes]].tolist() if via_nodes else []
    offering_codes = graph.offering_codes
    offerings = [
        pk for pk, code in zip(pks, graph.classes[nodes].tolist(), strict=False) if code in offering_codes
    ]
    details, subscriber_rows, version = _details_and_subscribers(
        connection, pks, offerings, with_version=True
    )
    if check_version and version != graph.version:
        return None
    # Sources first in the order given, as the SQL engine lists them.
    depth_of = dict.fromkeys([pk for pk in sources if pk in details], 0)
    depth_of.update(zip(pks, [*depths.tolist(), *[0] * len(loose)], strict=True))
    via_of = {pk: via for pk, node, via in zip(pks, via_nodes, via_pks, strict=False) if node >= 0}
    result = _result(sources, depth_of, via_of, details, max_depth)
    result.subscribers = _collect_subscribers(subscriber_rows)
    return result


def dependencies_of_graph(graph: ImpactGraph, sources: list[int], max_depth: int) -> dict[int, int]:
    """dependencies_of's answer for existing `sources`, walked down `graph`."""
    source_nodes = graph.nodes_of(sources).tolist()
    nodes, depths, _vias = walk(graph, [node for node in source_nodes if node >= 0], max_depth, upward=False)
    depth_of = {pk: 0 for pk, node in zip(sources, source_nodes, strict=True) if node < 0}
    depth_of.update(zip(graph.ids[nodes].tolist(), depths.tolist(), strict=True))
    return depth_of


def _details_and_subscribers(connection, ci_ids, offering_ids, with_version=False):
    """({pk: detail row}, subscriber rows, graph version or None) in one query: the details of `ci_ids`,
    the subscribers of `offering_ids` and, `with_version`, the graph version. Detail rows are
    (pk, sys_id text, name, class, offering parent).

    On PostgreSQL the query with the version is a prepared statement (core/prepared.py): it is every
    impact call's one query, and planning its seven branches took several times as long as running them.
    """
    if with_version and supports_prepared_statements(connection):
        rows = fetch_prepared(
            connection,
            "runstage_impact_answer",
            functools.partial(_answer_sql, connection),
            ("bigint[]", "bigint[]"),
            [int_array_literal(ci_ids), int_array_literal(offering_ids)],
        )
    else:

        def ids_in(ids):
            return (lambda column: id_in(column, ids, connection)) if ids else None

        branches, params = _answer_branches(
            connection,
            ci_condition=ids_in(ci_ids),
            offering_condition=ids_in(offering_ids),
            with_version=with_version,
        )
        if not branches:
            return {}, [], None
        rows = _fetch(connection, " UNION ALL ".join(branches), params)
    details, subscriber_rows, version = {}, [], None
    for kind, pk, sys_id, name, class_or_last_name, user_name, parent_id in rows:
        if kind == "":
            details[pk] = (pk, sys_id, name, class_or_last_name, parent_id)
        elif kind == "#":
            version = pk
        else:
            subscriber_rows.append((kind, pk, sys_id, name, class_or_last_name, user_name))
    return details, subscriber_rows, version


def _answer_sql(connection):
    """The prepared statement's text: the version, the details of the CIs in $1, the subscribers of
    the offerings in $2 (both bigint[])."""
    branches, _ = _answer_branches(
        connection,
        ci_condition=lambda column: (f"{column} = ANY($1)", []),
        offering_condition=lambda column: (f"{column} = ANY($2)", []),
        with_version=True,
    )
    return " UNION ALL ".join(branches)


def _answer_branches(connection, *, ci_condition, offering_condition, with_version):
    """(branches, params) of the answer query; a condition is None when there is nothing to ask for,
    else a function of a column returning (sql, params)."""
    sql = _UpwardSql(connection)
    branches, params = [], []
    if with_version:
        branches.append(
            f"SELECT '#', version, CAST(NULL AS text), CAST(NULL AS text), CAST(NULL AS text),"
            f" CAST(NULL AS text), CAST(NULL AS bigint) FROM {VERSION_TABLE} WHERE id = 1"
        )
    if ci_condition is not None:
        condition, params = ci_condition(f"ci.{sql.ci_pk}")
        branches.append(
            f"SELECT '', ci.{sql.ci_pk}, CAST(ci.{sql.ci_sys_id} AS text), ci.{sql.ci_name},"
            f" ci.{sql.ci_class}, '', so.{sql.offering_parent} FROM {sql.ci} ci"
            f" LEFT OUTER JOIN {sql.offering} so ON so.{sql.offering_pk} = ci.{sql.ci_pk} WHERE {condition}"
        )
    if offering_condition is not None:
        subscribers, subscriber_params = _subscriber_branches(
            connection, offering_condition, padding=_SUBSCRIBER_PADDING
        )
        branches += subscribers
        params = [*params, *subscriber_params]
    return branches, params


class LazyImpacted(Mapping):
    """pk -> ImpactedCI for every CI of a walk, whose details are fetched when first asked for.

    Keys, depths, paths and classes come from the walk's arrays; `load(pks)` fetches the details of
    many CIs in one query. Iterating values or items loads everything (one query): callers of a big
    walk list a page through GraphImpactResult instead.
    """

    def __init__(self, connection, pks, depths, vias, classes, class_names):
        self._connection = connection
        self._pks = pks  # walk order
        self._depths = depths
        self._vias = vias  # pk of the via, -1 for sources
        self._classes = classes
        self._class_names = class_names
        self._sorter = np.argsort(pks, kind="stable")
        self._sorted = pks[self._sorter]
        self._details: dict[int, ImpactedCI] = {}
        self._extra_class: dict[int, str] = {}  # classes of unknown-class CIs, from their details
        self._paths: dict[int, list[int]] = {}

    def positions(self, pks) -> np.ndarray:
        """Index in walk order of each of `pks`, -1 for one not walked (vectorised)."""
        pks = np.asarray(pks, dtype=np.int64)
        if not len(self._sorted) or not len(pks):
            return np.full(len(pks), -1, dtype=np.int64)
        found = np.searchsorted(self._sorted, pks)
        found[found >= len(self._sorted)] = 0
        return np.where(self._sorted[found] == pks, self._sorter[found], -1)

    def position(self, pk) -> int | None:
        """Index of `pk` in walk order, None if not walked."""
        found = int(self.positions([pk])[0])
        return None if found < 0 else found

    @property
    def via_positions(self) -> np.ndarray:
        """Walk-order index of each CI's via (-1 for sources), computed once for the paths."""
        if not hasattr(self, "_via_positions"):
            self._via_positions = self.positions(self._vias)
        return self._via_positions

    def path(self, pk) -> list[int]:
        """pks from a source to `pk`, inclusive; KeyError if `pk` was not walked."""
        found = self._paths.get(pk)
        if found is not None:  # a listed CI's path is asked for twice: to prefetch it, to write it
            return found
        position = self.position(pk)
        if position is None:
            raise KeyError(f"CI {pk} is not impacted")
        via_positions, pks = self.via_positions, self._pks
        path = []
        while position >= 0:
            path.append(int(pks[position]))
            position = int(via_positions[position])
        path.reverse()
        self._paths[pk] = path
        return path

    def __getitem__(self, pk):
        found = self._details.get(pk)
        if found is None:
            self.load([pk])
            found = self._details.get(pk)
            if found is None:
                raise KeyError(pk)
        return found

    def __contains__(self, pk):
        return self.position(pk) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(self._pks.tolist())

    def __len__(self):
        return len(self._pks)

    def values(self):
        self.load(self._pks.tolist())
        return [self._details[pk] for pk in self._pks.tolist() if pk in self._details]

    def items(self):
        return [(ci.id, ci) for ci in self.values()]

    def depth(self, pk) -> int:
        return int(self._depths[self.position(pk)])

    def via(self, pk) -> int | None:
        via = int(self._vias[self.position(pk)])
        return None if via < 0 else via

    def positions_of_class(self, sys_class_names) -> np.ndarray:
        """Walk-order positions of the CIs of these classes."""
        wanted = set(sys_class_names)
        codes = [code for code, name in enumerate(self._class_names) if name in wanted]
        mask = np.isin(self._classes, codes)
        for pk, name in self._extra_class.items():
            if name in wanted:
                mask[self.position(pk)] = True
        return np.flatnonzero(mask)

    def add_detail_rows(self, rows) -> None:
        rows = list(rows)
        to_uuid = _uuid_from_text
        positions = self.positions([row[0] for row in rows]).tolist()
        for (pk, sys_id, name, class_name, parent_id), position in zip(rows, positions, strict=True):
            if position < 0:
                continue
            via = int(self._vias[position])
            depth = int(self._depths[position])
            self._details[pk] = ImpactedCI(
                pk, to_uuid(sys_id), name, class_name, depth, None if via < 0 else via, parent_id
            )
            if self._classes[position] == UNKNOWN_CLASS:
                self._extra_class[pk] = class_name

    def load(self, pks) -> None:
        """Fetch, in one query, the details of those of `pks` walked and not yet fetched."""
        unknown = [pk for pk in dict.fromkeys(pks) if pk not in self._details]
        if not unknown:
            return
        missing = [
            pk for pk, found in zip(unknown, self.positions(unknown).tolist(), strict=True) if found >= 0
        ]
        if not missing:
            return
        details, _, _ = _details_and_subscribers(self._connection, missing, [])
        self.add_detail_rows(details.values())

    def load_first_by_name(self, pks, count) -> list[int]:
        """Fetch the details of the first `count` of `pks` by (name, pk), sorted by the database with
        the same order as Python's (code points: UTF-8 bytes); their pks in that order.

        Two queries: the sort reads only names (a hub's cut level holds tens of thousands of CIs, and
        joining each to its offering row had been 40 % of the sort), then the page's details.
        """
        sql = _UpwardSql(self._connection)
        condition, params = id_in(f"ci.{sql.ci_pk}", pks, self._connection)
        collate = ' COLLATE "C"' if self._connection.vendor == "postgresql" else ""
        rows = _fetch(
            self._connection,
            f"SELECT ci.{sql.ci_pk} FROM {sql.ci} ci WHERE {condition}"
            f" ORDER BY ci.{sql.ci_name}{collate}, ci.{sql.ci_pk} LIMIT %s",
            [*params, count],
        )
        first = [pk for (pk,) in rows]
        self.load(first)
        return first


class GraphImpactResult(ImpactResult):
    """An ImpactResult over a big walk: counts from the graph, details only for what is listed."""

    impacted: LazyImpacted

    def of_class(self, *sys_class_names, limit: int | None = None) -> list[ImpactedCI]:
        impacted = self.impacted
        positions = impacted.positions_of_class(sys_class_names)  # walk order: by depth
        pks = impacted._pks[positions]
        depths = impacted._depths[positions]
        if limit is None or len(positions) <= limit:
            chosen = pks.tolist()
            impacted.load(chosen)
        else:
            # Sorted by depth first: only the levels up to the one the page ends in are needed, and of
            # that level only the first names, which the database sorts.
            cut = depths[limit - 1]
            chosen = pks[depths < cut].tolist()
            impacted.load(chosen)
            chosen += impacted.load_first_by_name(pks[depths == cut].tolist(), limit - len(chosen))
        found = sorted(
            (impacted._details[pk] for pk in chosen if pk in impacted._details),
            key=lambda ci: (ci.depth, ci.name, ci.id),
        )
        found = found if limit is None else found[:limit]
        self.prefetch([step for ci in found for step in self.path(ci.id)])
        return found

    def count_of_class(self, *sys_class_names) -> int:
        return len(self.impacted.positions_of_class(sys_class_names))

    def ids_of_class(self, *sys_class_names) -> list[int]:
        impacted = self.impacted
        return impacted._pks[impacted.positions_of_class(sys_class_names)].tolist()

    def prefetch(self, ci_ids) -> None:
        self.impacted.load(ci_ids)

    def impacted_among(self, ci_ids) -> list[int]:
        ci_ids = np.asarray(ci_ids, dtype=np.int64)
        return ci_ids[self.impacted.positions(ci_ids) >= 0].tolist()

    def path(self, ci_id) -> list[int]:
        return self.impacted.path(ci_id)

    def path_sys_ids(self, ci_id) -> list[str]:
        path = self.path(ci_id)
        self.prefetch(path)
        return [self.impacted[pk].sys_id.hex for pk in path]

    @property
    def offering_ids(self) -> list[int]:
        return self.ids_of_class(ServiceOffering._meta.db_table)
