import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portfolio.models import PortfolioNode
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
