"""The impact graph in memory: the impact edges as compressed sparse rows, one copy per process and database.

impacted_by and dependencies_of walk these arrays instead of the database when they can
(impact/graph_answers.py): a typical CI's impact is a few dozen array reads, a core switch's half a
million CIs a few vectorised steps. The database is asked only for what the answer lists.

- Nodes are the CIs, numbered 0..n-1 in pk order (`ids[node]` is the pk), so that the smallest node
  is the smallest pk: the walk picks the same `via` as the SQL engine.
- `up` rows list each node's parents along the impact edges (impact flows child -> parent), `down`
  rows its children; `classes[node]` is a code into `class_names`, for counts by class without
  fetching any CI.
- Never stale: every write to an impact edge advances the graph version in its own transaction
  (impact/graph_version.py). Each call reads the version (one query on the caller's connection, so a
  transaction sees its own writes) and, when it changed, maps the arrays another process saved at
  that version (impact/graph_files.py) or builds them.
- Bounded: a graph bigger than settings.IMPACT_GRAPH_MAX_MB is not kept and the SQL engine answers
  (0 switches the graph off).

Why scipy: building the rows is a sort of millions of (child, parent) pairs by child; numpy's argsort
took 0.9 s per direction on this machine's 2M edges, scipy's counting conversion (COO -> CSR) 0.2 s.
"""

import functools
import io
import logging
import struct
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from cmdb.models import ConfigurationItem
from impact import graph_files
from impact.edges import all_edges_sql
from impact.graph_version import current_version_sql, missing_triggers
from offerings.models import ServiceOffering

logger = logging.getLogger(__name__)

UNKNOWN_CLASS = -1  # a node whose class the build did not see (a CI inserted while it ran)

# A walk stays in plain Python (a few dozen list reads) while its frontier is small, and switches to
# vectorised numpy steps when a level grows past this many CIs (a hub).
VECTORISE_FRONTIER = 256

# The arrays of an ImpactGraph: what it weighs, and what impact/graph_files.py keeps on disk.
_ARRAYS = ("ids", "classes", "up_ptr", "up_idx", "down_ptr", "down_idx", "looped", "loop_labels")


@dataclass(eq=False)
class ImpactGraph:
    """The impact edges of one database at one graph version, as arrays."""

    version: int
    ids: np.ndarray  # int64, sorted: node -> CI pk
    classes: np.ndarray  # int16: node -> index into class_names, or UNKNOWN_CLASS
    class_names: tuple[str, ...]
    up_ptr: np.ndarray  # the parents of node i are up_idx[up_ptr[i]:up_ptr[i + 1]]
    up_idx: np.ndarray
    down_ptr: np.ndarray  # the children of node i are down_idx[down_ptr[i]:down_ptr[i + 1]]
    down_idx: np.ndarray
    # The nodes that lie on a cycle (strongly connected components of more than one node), sorted, and
    # the component of each: found once per build, where scipy is at hand, for the health checks.
    looped: np.ndarray
    loop_labels: np.ndarray
    edge_count: int
    build_seconds: float

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in _ARRAYS)

    @property
    def node_count(self) -> int:
        return len(self.ids)

    def nodes_of(self, pks) -> np.ndarray:
        """Node of each pk, or -1 for a pk that is no node."""
        pks = np.asarray(pks, dtype=np.int64)
        if not len(self.ids):
            return np.full(len(pks), -1, dtype=np.int64)
        found = np.searchsorted(self.ids, pks)
        found[found >= len(self.ids)] = 0
        return np.where(self.ids[found] == pks, found, -1)

    @functools.cached_property
    def offering_codes(self) -> frozenset[int]:
        """Class codes of service offerings (every impact answer looks for their subscribers)."""
        return frozenset(self.class_codes([ServiceOffering._meta.db_table]))

    def class_codes(self, class_names) -> list[int]:
        """Codes of those of `class_names` that some node has."""
        wanted = set(class_names)
        return [code for code, name in enumerate(self.class_names) if name in wanted]


def walk(graph: ImpactGraph, sources: list[int], max_depth: int, *, upward: bool = True):
    """Breadth-first walk from the source nodes: (nodes, depths, vias) as arrays in walk order.

    Sources first in the given order (depth 0, via -1), then level by level in node (= pk) order. A
    node is settled at the first level that reaches it; of its predecessors on that level the
    smallest node is its `via`. Exactly the SQL engine's rules, so both give the same answers.
    """
    ptr, idx = (graph.up_ptr, graph.up_idx) if upward else (graph.down_ptr, graph.down_idx)
    settled = dict.fromkeys(sources, 0)
    levels = [(list(settled), [-1] * len(settled))]
    frontier = levels[0][0]
    depth = 1
    # Plain Python while the frontier is small: most walks end here after a few dozen reads.
    while frontier and depth <= max_depth and len(frontier) <= VECTORISE_FRONTIER:
        reached = {}
        for node in frontier:
            start, end = ptr[node], ptr[node + 1]
            if start == end:
                continue
            for parent in idx[start:end].tolist():
                if parent in settled:
                    continue
                known = reached.get(parent)
                if known is None or node < known:
                    reached[parent] = node
        frontier = sorted(reached)
        for node in frontier:
            settled[node] = depth
        if frontier:
            levels.append((frontier, [reached[node] for node in frontier]))
        depth += 1
    # The Python levels as one array each (one conversion, not three per level).
    nodes = [np.asarray([node for level, _ in levels for node in level], dtype=np.int64)]
    vias = [np.asarray([via for _, level_vias in levels for via in level_vias], dtype=np.int64)]
    depths = [np.asarray([number for number, (level, _) in enumerate(levels) for _ in level], dtype=np.int8)]
    if frontier and depth <= max_depth:
        seen = np.zeros(graph.node_count, dtype=bool)
        seen[np.fromiter(settled, dtype=np.int64, count=len(settled))] = True
        current = np.asarray(frontier, dtype=np.int64)
        while len(current) and depth <= max_depth:
            current, level_vias = _vectorised_step(ptr, idx, current, seen)
            if len(current):
                nodes.append(current)
                vias.append(level_vias)
                depths.append(np.full(len(current), depth, dtype=np.int8))
            depth += 1
    if len(nodes) == 1:
        return nodes[0], depths[0], vias[0]
    return np.concatenate(nodes), np.concatenate(depths), np.concatenate(vias)


def _vectorised_step(ptr, idx, frontier, seen):
    """One level of the walk over a big frontier (sorted nodes): the newly reached nodes, sorted, and
    the smallest frontier node reaching each; marks them seen."""
    starts = ptr[frontier].astype(np.int64)
    counts = ptr[frontier + 1].astype(np.int64) - starts
    total = int(counts.sum())
    if not total:
        return frontier[:0], frontier[:0]
    # Positions of every out-edge of the frontier, grouped by frontier node in frontier order.
    group_start = np.cumsum(counts) - counts
    positions = np.repeat(starts - group_start, counts) + np.arange(total, dtype=np.int64)
    reached = idx[positions]
    predecessors = np.repeat(frontier, counts)  # non-decreasing: the frontier is sorted
    fresh = ~seen[reached]
    reached, predecessors = reached[fresh], predecessors[fresh]
    if not len(reached):
        return frontier[:0], frontier[:0]
    # A stable sort by reached node keeps each node's predecessors in increasing order: the first is
    # the smallest.
    order = np.argsort(reached, kind="stable")
    reached, predecessors = reached[order], predecessors[order]
    first = np.empty(len(reached), dtype=bool)
    first[0] = True
    np.not_equal(reached[1:], reached[:-1], out=first[1:])
    new, new_vias = reached[first].astype(np.int64), predecessors[first]
    seen[new] = True
    return new, new_vias


# --- the per-process cache -------------------------------------------------------------------------

_graphs: dict[str, ImpactGraph] = {}  # by database alias
_refused: dict[str, object] = {}  # alias -> the version whose graph was too big (or untrusted)
_build_lock = threading.Lock()


def graph_version(connection):
    """The database's current graph version (None when it has none: no trigger-maintained row)."""
    with connection.cursor() as cursor:
        cursor.execute(current_version_sql())
        row = cursor.fetchone()
    return None if row is None else row[0]


def cached_graph(connection) -> ImpactGraph | None:
    """The graph this process last built for `connection`'s database, without asking whether it is
    current: callers that use it must check its version in their own query (graph_answers does, in the
    query that fetches the details, so that a typical impact call is one round trip)."""
    if not getattr(settings, "IMPACT_GRAPH_MAX_MB", 0):
        return None
    return _graphs.get(connection.alias)


def graph_for(connection) -> ImpactGraph | None:
    """The impact graph of `connection`'s database at its current version, built if needed; None when
    the SQL engine must answer (graph switched off or too big, version row or triggers missing).

    One query when the graph is current: the version, read in the caller's transaction.
    """
    max_mb = getattr(settings, "IMPACT_GRAPH_MAX_MB", 0)
    if not max_mb or connection.vendor not in ("postgresql", "sqlite"):
        return None
    version = graph_version(connection)
    if version is None:
        return None
    alias = connection.alias
    graph = _graphs.get(alias)
    if graph is not None and graph.version == version:
        return graph
    if _refused.get(alias) == (version, max_mb):
        return None
    with _build_lock:
        graph = _graphs.get(alias)
        if graph is not None and graph.version == version:
            return graph
        _graphs.pop(alias, None)  # let the old arrays go before the new ones are allocated
        missing = missing_triggers(connection)
        if missing:
            logger.warning("impact graph off: version triggers missing (%s)", ", ".join(missing))
            _refused[alias] = (version, max_mb)
            return None
        graph = stored_or_built_graph(connection, version)
        if graph.nbytes > max_mb * 1024 * 1024:
            logger.warning(
                "impact graph off: %.0f MB exceeds IMPACT_GRAPH_MAX_MB=%s", graph.nbytes / 2**20, max_mb
            )
            _refused[alias] = (version, max_mb)
            return None
        _graphs[alias] = graph
        return graph


def forget_graphs() -> None:
    """Drop every cached graph (tests, benchmarks)."""
    with _build_lock:
        _graphs.clear()
        _refused.clear()


def stored_or_built_graph(connection, version) -> ImpactGraph:
    """The graph at `version`: mapped from the files another process saved, or built and saved."""
    folder = graph_files.database_folder(connection)
    if folder is None:
        return build_graph(connection, version)
    with graph_files.building(folder):  # a process building this version is waited for, then read
        started = time.perf_counter()
        stored = graph_files.load(folder, version, _ARRAYS)
        if stored is not None:
            arrays, meta = stored
            graph = ImpactGraph(
                version=version,
                class_names=tuple(meta["class_names"]),
                edge_count=meta["edge_count"],
                build_seconds=time.perf_counter() - started,
                **arrays,
            )
            if _shapes_agree(graph):
                return graph
            logger.warning(
                "impact graph files: version %s in %s is inconsistent; building again", version, folder
            )
        graph = build_graph(connection, version)
        graph_files.save(
            folder,
            version,
            {name: getattr(graph, name) for name in _ARRAYS},
            {"class_names": graph.class_names, "edge_count": graph.edge_count},
        )
        return graph


def _shapes_agree(graph: ImpactGraph) -> bool:
    """Whether the arrays have the lengths one graph's arrays have (a walk would fail on others)."""
    nodes, edges = len(graph.ids), graph.edge_count
    return (
        len(graph.classes) == nodes
        and len(graph.up_ptr) == len(graph.down_ptr) == nodes + 1
        and len(graph.up_idx) == len(graph.down_idx) == edges
        and int(graph.up_ptr[-1]) == int(graph.down_ptr[-1]) == edges
        and len(graph.looped) == len(graph.loop_labels)
    )


def build_graph(connection, version) -> ImpactGraph:
    """Read the impact edges and every CI's class from the database into an ImpactGraph.

    Run after reading `version`: the arrays are then at least as new as the version they carry (a
    write committed meanwhile only makes the next call rebuild).
    """
    started = time.perf_counter()
    children, parents = _edge_arrays(connection)
    class_ids, class_codes, class_names = _class_arrays(connection)
    order = np.argsort(class_ids)
    ids, classes = class_ids[order], class_codes[order]
    child_nodes, parent_nodes = _nodes_of(ids, children), _nodes_of(ids, parents)
    if (child_nodes < 0).any() or (parent_nodes < 0).any():
        # A CI deleted between the two queries leaves edges to a pk the classes lack (its deletion
        # bumped the version, so the next call rebuilds): keep it, of unknown class.
        stray = np.unique(np.concatenate([children[child_nodes < 0], parents[parent_nodes < 0]]))
        ids = np.concatenate([ids, stray])
        classes = np.concatenate([classes, np.full(len(stray), UNKNOWN_CLASS, dtype=np.int16)])
        order = np.argsort(ids)
        ids, classes = ids[order], classes[order]
        child_nodes, parent_nodes = _nodes_of(ids, children), _nodes_of(ids, parents)
    n = len(ids)
    del children, parents
    from scipy import sparse  # here, not at the top: a process that maps a stored graph never needs it

    up = sparse.csr_array(
        (np.ones(len(child_nodes), dtype=np.int8), (child_nodes, parent_nodes)), shape=(n, n)
    )
    down = up.T.tocsr()
    looped, loop_labels = _loops(down)
    return ImpactGraph(
        version=version,
        ids=ids,
        classes=classes,
        class_names=class_names,
        up_ptr=up.indptr,
        up_idx=up.indices,
        down_ptr=down.indptr,
        down_idx=down.indices,
        looped=looped,
        loop_labels=loop_labels,
        edge_count=int(up.nnz),
        build_seconds=time.perf_counter() - started,
    )


def _loops(matrix):
    """(nodes, component labels) of the nodes on a cycle of the directed graph `matrix` (scipy CSR).

    scipy's component search runs in C: tens of milliseconds at a million CIs, where a Python Tarjan
    over the edges took tens of seconds.
    """
    from scipy.sparse.csgraph import connected_components

    if not matrix.shape[0]:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    _count, labels = connected_components(matrix, directed=True, connection="strong")
    looped = np.flatnonzero(np.bincount(labels)[labels] > 1).astype(np.int32)
    return looped, labels[looped].astype(np.int32)


def _nodes_of(ids, pks):
    """int32 node of each pk in the sorted `ids`, -1 where absent."""
    if not len(ids):
        return np.full(len(pks), -1, dtype=np.int32)
    found = np.searchsorted(ids, pks)
    found[found >= len(ids)] = 0
    return np.where(ids[found] == pks, found, -1).astype(np.int32)


def _edge_arrays(connection):
    """(children, parents) int64 arrays of every impact edge."""
    query = all_edges_sql(connection)
    if connection.vendor == "postgresql":
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            copy_expert = getattr(cursor.cursor, "copy_expert", None)  # psycopg2
            if copy_expert is not None:
                copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT binary)", buffer)
                parsed = _parse_binary_pairs(buffer.getbuffer())
                if parsed is not None:
                    return parsed
    with connection.cursor() as cursor:
        cursor.execute(query)
        rows = np.asarray(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
    return rows[:, 0].copy(), rows[:, 1].copy()


# One binary COPY tuple of two non-null bigints: field count, then (length, value) per field.
_PAIR = np.dtype([("fields", ">i2"), ("len_a", ">i4"), ("a", ">i8"), ("len_b", ">i4"), ("b", ">i8")])


def _parse_binary_pairs(data):
    """PostgreSQL's binary COPY of (bigint, bigint) rows as two arrays; None if not that shape.

    The binary format: an 11-byte signature, 32-bit flags, a 32-bit header extension length and the
    extension, the tuples, then a 16-bit -1. With two non-null bigints every tuple is 26 bytes, so
    numpy reads them all in one structured view instead of Python parsing 4 million values.
    """
    if len(data) < 21 or bytes(data[:11]) != b"PGCOPY\n\xff\r\n\x00":
        return None
    (extension,) = struct.unpack_from(">I", data, 15)
    body = data[19 + extension : len(data) - 2]
    if len(body) % _PAIR.itemsize:
        return None
    rows = np.frombuffer(body, dtype=_PAIR)
    if len(rows) and not (
        (rows["fields"] == 2).all() and (rows["len_a"] == 8).all() and (rows["len_b"] == 8).all()
    ):
        return None
    return rows["a"].astype(np.int64), rows["b"].astype(np.int64)


def _class_arrays(connection):
    """(pks int64, class codes int16, class names) of every CI."""
    q = connection.ops.quote_name
    ci = ConfigurationItem._meta
    table, pk, class_column = q(ci.db_table), q(ci.pk.column), q(ci.get_field("sys_class_name").column)
    names, id_parts, code_parts = [], [], []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One row per class with its pks as one text: a million pks come back in a few strings
            # that numpy parses, instead of a million Python tuples.
            cursor.execute(
                f"SELECT {class_column}, string_agg(CAST({pk} AS text), ',')"
                f" FROM {table} GROUP BY {class_column}"
            )
            for code, (name, pks) in enumerate(cursor.fetchall()):
                names.append(name)
                id_parts.append(np.fromstring(pks, dtype=np.int64, sep=","))
                code_parts.append(np.full(len(id_parts[-1]), code, dtype=np.int16))
        else:
            cursor.execute(f"SELECT {pk}, {class_column} FROM {table}")
            code_of = {}
            pks, codes = [], []
            for row_pk, name in cursor.fetchall():
                code = code_of.get(name)
                if code is None:
                    code = code_of[name] = len(names)
                    names.append(name)
                pks.append(row_pk)
                codes.append(code)
            id_parts.append(np.asarray(pks, dtype=np.int64))
            code_parts.append(np.asarray(codes, dtype=np.int16))
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int16), ()
    return np.concatenate(id_parts), np.concatenate(code_parts), tuple(names)


def unlinked_ids(graph: ImpactGraph) -> np.ndarray:
    """pks of the CIs with no impact edge at all: the only CIs that can be related to nothing (a
    relationship of a type that does not propagate is not an edge, so these still need checking)."""
    degree = np.diff(graph.up_ptr) + np.diff(graph.down_ptr)
    return graph.ids[degree == 0]


def ids_without_child_of_class(graph: ImpactGraph, parent_class: str, child_class: str) -> np.ndarray:
    """pks of the CIs of `parent_class` none of whose impact children (the CIs it depends on along
    propagating relationships) is of `child_class`."""
    codes = {name: code for code, name in enumerate(graph.class_names)}
    parents = graph.classes == codes.get(parent_class, UNKNOWN_CLASS - 1)
    if child_class in codes:
        edge_parents = np.repeat(np.arange(graph.node_count), np.diff(graph.down_ptr))
        has_child = np.zeros(graph.node_count, dtype=bool)
        has_child[edge_parents[graph.classes[graph.down_idx] == codes[child_class]]] = True
        parents &= ~has_child
    return graph.ids[parents]


def cycles_of(graph: ImpactGraph) -> tuple[list[list[int]], dict[int, list[int]]]:
    """The groups of CIs that rely on each other in a loop (strongly connected components of more than
    one CI, as pk lists) and, for their members, the members each one relies on (parent -> children)."""
    groups: dict[int, list[int]] = {}
    member_label = dict(zip(graph.looped.tolist(), graph.loop_labels.tolist(), strict=True))
    pks = graph.ids[graph.looped].tolist()
    for pk, label in zip(pks, member_label.values(), strict=True):
        groups.setdefault(label, []).append(pk)
    successors = {}
    for pk, (node, label) in zip(pks, member_label.items(), strict=True):
        children = graph.down_idx[graph.down_ptr[node] : graph.down_ptr[node + 1]].tolist()
        successors[pk] = [int(graph.ids[child]) for child in children if member_label.get(child) == label]
    return list(groups.values()), successors
