import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from portfolio.models import PortfolioNode
from portfolio.tree import lock_tree
from tests.factories.portfolio import PortfolioNodeFactory

pytestmark = pytest.mark.django_db


def test_node_cannot_move_below_its_own_descendant():
    root = PortfolioNodeFactory(name="Enterprise")
    child = PortfolioNodeFactory(name="Finance", parent=root)
    grandchild = PortfolioNodeFactory(name="Payroll", parent=child)
    root.parent = grandchild
    with pytest.raises(ValidationError, match="descendants"):
        root.full_clean()


def test_moving_a_subtree_keeps_the_tree_consistent():
    a = PortfolioNodeFactory(name="A")
    b = PortfolioNodeFactory(name="B")
    a1 = PortfolioNodeFactory(name="A1", parent=a)
    PortfolioNodeFactory(name="A1x", parent=a1)
    a1.move_to(b, "last-child")
    b.refresh_from_db()
    assert [node.name for node in b.get_descendants()] == ["A1", "A1x"]
    assert PortfolioNode.objects.get(name="A").get_descendant_count() == 0


def test_sibling_names_are_unique_per_parent():
    root = PortfolioNodeFactory(name="Enterprise")
    PortfolioNodeFactory(name="Finance", parent=root)
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioNodeFactory(name="Finance", parent=root)


def test_root_names_are_unique():
    PortfolioNodeFactory(name="Enterprise")
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioNodeFactory(name="Enterprise")


def tree_rows():
    return list(
        PortfolioNode.objects.order_by("pk").values_list("pk", "parent_id", "tree_id", "lft", "rght", "level")
    )


def assert_valid_tree():
    """Every tree numbers 1..2n without gaps, children nest inside their parent, roots own their tree_id."""
    rows = {
        pk: (parent_id, tree_id, lft, rght, level) for pk, parent_id, tree_id, lft, rght, level in tree_rows()
    }
    trees = {}
    for pk, (parent_id, tree_id, lft, rght, level) in rows.items():
        trees.setdefault(tree_id, []).extend((lft, rght))
        if parent_id is None:
            assert (lft, level) == (1, 0), f"root {pk}"
        else:
            p_parent, p_tree, p_lft, p_rght, p_level = rows[parent_id]
            assert (p_tree, p_level + 1) == (tree_id, level), f"node {pk}"
            assert p_lft < lft < rght < p_rght, f"node {pk}"
    for tree_id, edges in trees.items():
        assert sorted(edges) == list(range(1, len(edges) + 1)), f"tree {tree_id}"
    roots = [tree_id for parent_id, tree_id, *_ in rows.values() if parent_id is None]
    assert len(roots) == len(set(roots)) == len(trees)


def assert_rebuild_changes_nothing():
    before = tree_rows()
    PortfolioNode.objects.rebuild()
    assert tree_rows() == before


def test_a_move_from_a_stale_instance_keeps_the_tree_consistent():
    a = PortfolioNodeFactory(name="A")
    b = PortfolioNodeFactory(name="B")
    stale = PortfolioNodeFactory(name="X", parent=a)
    PortfolioNodeFactory(name="M", parent=a)  # sorts before X: X's lft/rght in the database shift by 2
    stale.parent = b
    stale.save()
    assert_valid_tree()
    assert_rebuild_changes_nothing()


def test_move_node_from_stale_instances_keeps_the_tree_consistent():
    a = PortfolioNodeFactory(name="A")
    b = PortfolioNodeFactory(name="B")
    stale = PortfolioNodeFactory(name="X", parent=a)
    PortfolioNodeFactory(name="M", parent=a)
    PortfolioNodeFactory(name="B1", parent=b)  # b's rght in the database moves too
    PortfolioNode.objects.move_node(stale, b, "last-child")
    assert_valid_tree()
    assert [node.name for node in PortfolioNode.objects.get(pk=b.pk).get_children()] == ["B1", "X"]


def test_a_refused_delete_leaves_the_tree_untouched():
    root = PortfolioNodeFactory(name="Enterprise")
    finance = PortfolioNodeFactory(name="Finance", parent=root)
    PortfolioNodeFactory(name="Payroll", parent=finance)
    PortfolioNodeFactory(name="Sales", parent=root)
    before = tree_rows()
    with pytest.raises(ProtectedError):
        finance.delete()  # Payroll PROTECTs it, after django-mptt closed its gap (shifting Sales)
    assert tree_rows() == before


def test_deleting_a_leaf_closes_the_gap():
    root = PortfolioNodeFactory(name="Enterprise")
    PortfolioNodeFactory(name="Finance", parent=root).delete()
    PortfolioNodeFactory(name="Sales", parent=root)
    assert_valid_tree()


@pytest.mark.django_db(transaction=True)
def test_lock_tree_needs_a_transaction():
    with pytest.raises(TransactionManagementError):
        lock_tree()


def locking_queries(action):
    with CaptureQueriesContext(connection) as captured:
        action()
    return [query["sql"] for query in captured if "pg_advisory_xact_lock" in query["sql"]]


@pytest.mark.parametrize("write", ["create", "move", "move_node", "delete", "rebuild"])
def test_every_tree_write_takes_the_lock_on_postgresql_only(write):
    root = PortfolioNodeFactory(name="Enterprise")
    other = PortfolioNodeFactory(name="Sales")
    node = PortfolioNodeFactory(name="Finance", parent=root)
    actions = {
        "create": lambda: PortfolioNodeFactory(name="Payroll", parent=node),
        "move": lambda: (setattr(node, "parent", other), node.save()),
        "move_node": lambda: node.move_to(other),
        "delete": node.delete,
        "rebuild": PortfolioNode.objects.rebuild,
    }
    taken = locking_queries(actions[write])
    # SQLite lets one writer at a time in (see lock_tree()), so there is nothing to take there.
    assert bool(taken) is (connection.vendor == "postgresql")
