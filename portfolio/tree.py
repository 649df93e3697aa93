"""Writes to the portfolio tree, serialised; node paths ("Insurance Services › Claims › Motor") in bulk.

django-mptt reads the tree before it writes it: a new root takes MAX(tree_id) + 1, a move reads the
node's and the target's lft/rght. Two transactions doing that at once both read the same state, so
two new roots get the same tree_id and concurrent moves overwrite each other's lft/rght shifts
(django-mptt takes no lock itself; DESIGN.md, "Known pitfalls"). Every path that changes the tree
(PortfolioNode.save() and delete(), the tree manager's move_node() and rebuilds, the admin and the
API) therefore calls lock_tree() first, inside the transaction that writes.
"""

from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from mptt.forms import TreeNodeChoiceField

# pg_advisory_xact_lock() key of the portfolio tree: zlib.crc32(b"service_portfolio"). A constant so
# that every process agrees on it; no other advisory lock in Runstage uses it.
TREE_LOCK_KEY = 4051446312

PATH_SEPARATOR = " › "


def lock_tree(using=DEFAULT_DB_ALIAS):
    """Hold the portfolio tree's write lock until the current transaction ends.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback. It serialises
    tree writers only; readers and writes elsewhere in the table (a description) are not held up.
    Taking it again in the same transaction is free, so nested writes (a move that then saves) are
    fine.

    SQLite: nothing to do. SQLite lets one connection write at a time, and a transaction that read
    the tree and then wants to write after another one wrote it fails ("database is locked")
    instead of writing from stale values, so the tree cannot be corrupted; at worst a writer retries.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError(
            "lock_tree() only makes sense inside transaction.atomic(): the lock ends with the transaction."
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])


@contextmanager
def tree_write(using=DEFAULT_DB_ALIAS):
    """A transaction that holds the tree lock from its start: validate and write inside it."""
    with transaction.atomic(using=using):
        lock_tree(using)
        yield


def attach_paths(nodes):
    """Fill `path` on every node (names from its top-level portfolio down to itself) in one query.

    The ancestors of a node are the nodes of its tree whose (lft, rght) contain its own, so the
    ancestors of a whole page of nodes are one OR of those ranges. Returns the nodes as a list.
    Meant for a page of nodes (an autocomplete page, an API page): the query has one condition
    per node.
    """
    nodes = list(nodes)
    missing = [node for node in nodes if node._path is None]
    if not missing:
        return nodes
    condition = Q()
    for node in missing:
        condition |= Q(tree_id=node.tree_id, lft__lte=node.lft, rght__gte=node.rght)
    model = missing[0]._meta.model
    by_tree = {}
    rows = model._default_manager.using(missing[0]._state.db).filter(condition).order_by("tree_id", "lft")
    for tree_id, lft, rght, name in rows.values_list("tree_id", "lft", "rght", "name"):
        by_tree.setdefault(tree_id, []).append((lft, rght, name))
    for node in missing:
        node._path = [
            name for lft, rght, name in by_tree.get(node.tree_id, ()) if lft <= node.lft and rght >= node.rght
        ]
    return nodes


class PortfolioNodeChoiceField(TreeNodeChoiceField):
    """Offers nodes by their path ("Insurance Services › Claims"): two "Claims" are told apart.

    For any form that chooses a PortfolioNode: pass it as form_class to formfield_for_foreignkey.
    """

    def label_from_instance(self, obj):
        return obj.path_label
