import pytest

from catalog.cart import add_to_cart, get_cart
from catalog.ordering import place_order
from tests.factories.catalog import CatalogItemFactory, ItemVariableFactory, VariableChoiceFactory
from tests.factories.cmdb import UserFactory


@pytest.fixture
def manager(db):
    return UserFactory(username="manager")


@pytest.fixture
def user(db, manager):
    return UserFactory(username="alice", manager=manager)


@pytest.fixture
def item(db):
    return CatalogItemFactory(name="Laptop", price="1200.00")


@pytest.fixture
def laptop_with_questions(item):
    """An item that asks a required choice, a date, an integer and an optional checkbox."""
    size = ItemVariableFactory(
        catalog_item=item, name="size", question_text="Screen size", type="choice", mandatory=True
    )
    VariableChoiceFactory(question=size, text="14 inch", value="14", order=1)
    VariableChoiceFactory(question=size, text="16 inch", value="16", order=2)
    ItemVariableFactory(
        catalog_item=item, name="needed_by", question_text="Needed by", type="date", mandatory=True
    )
    ItemVariableFactory(catalog_item=item, name="monitors", question_text="Monitors", type="integer")
    ItemVariableFactory(catalog_item=item, name="dock", question_text="Docking station", type="checkbox")
    return item


@pytest.fixture
def good_answers():
    return {"size": "16", "needed_by": "2030-01-15", "monitors": "2", "dock": True}


@pytest.fixture
def ordered_item(user, item):
    """A requested item placed through the cart, no approval needed."""
    add_to_cart(user, item, 1, {})
    request = place_order(get_cart(user), user)
    return request.items.get()


@pytest.fixture
def approval_item(db):
    return CatalogItemFactory(name="Admin rights", price="0", approval_required=True)


@pytest.fixture
def waiting_item(user, approval_item):
    """A requested item waiting for the approval of the requester's manager."""
    add_to_cart(user, approval_item, 1, {})
    request = place_order(get_cart(user), user)
    return request.items.get()
