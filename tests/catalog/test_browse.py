import uuid

import pytest
from django.urls import reverse

from catalog.browse import browse_catalog
from catalog.models import Catalog, Category
from tests.factories.catalog import CatalogFactory, CatalogItemFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def names(listing):
    return [item.name for item in listing.items]


def test_without_filters_every_orderable_item_is_listed_by_name(user):
    CatalogItemFactory(name="Monitor")
    CatalogItemFactory(name="Desk lamp")
    CatalogItemFactory(name="Retired phone", active=False)
    assert names(browse_catalog(user)) == ["Desk lamp", "Monitor"]


def test_a_catalog_narrows_the_items_to_its_own(user):
    hardware, facilities = CatalogFactory(title="Hardware"), CatalogFactory(title="Facilities")
    CatalogItemFactory(name="Monitor", catalogs=[hardware])
    CatalogItemFactory(name="Desk lamp", catalogs=[facilities])
    listing = browse_catalog(user, catalog=hardware.sys_id)
    assert (names(listing), listing.catalog) == (["Monitor"], hardware)


def test_an_inactive_or_unknown_catalog_is_refused(user):
    closed = CatalogFactory(active=False)
    for sys_id in (closed.sys_id, uuid.uuid4()):
        with pytest.raises(Catalog.DoesNotExist):
            browse_catalog(user, catalog=sys_id)


def test_an_unknown_category_is_refused(user):
    with pytest.raises(Category.DoesNotExist):
        browse_catalog(user, category=uuid.uuid4())


def test_the_search_is_trimmed_and_matches_name_or_descriptions(user):
    CatalogItemFactory(name="Monitor", description="A 27-inch screen")
    CatalogItemFactory(name="Desk lamp")
    listing = browse_catalog(user, query="  screen ")
    assert (names(listing), listing.query) == (["Monitor"], "screen")


def test_the_tree_holds_each_active_catalog_with_its_top_categories_and_their_children(user):
    it = CatalogFactory(title="IT", order=1)
    empty = CatalogFactory(title="Empty", order=2)
    hardware = CategoryFactory(catalog=it, title="Hardware")
    laptops = CategoryFactory(catalog=it, parent=hardware, title="Laptops")
    CategoryFactory(catalog=it, title="Retired", active=False)
    CatalogFactory(title="Closed", active=False)
    assert browse_catalog(user).tree == [(it, [(hardware, [laptops])]), (empty, [])]


def test_browsing_takes_three_queries_whatever_the_filters(user, django_assert_num_queries):
    category = CategoryFactory()
    for _ in range(3):
        CatalogItemFactory(category=category, catalogs=[category.catalog])
    with django_assert_num_queries(3):
        browse_catalog(user, catalog=category.catalog.sys_id, category=category.sys_id, query="Item")


def test_the_index_page_answers_404_for_an_unknown_catalog(client, user):
    client.force_login(user)
    assert client.get(reverse("catalog:index"), {"catalog": uuid.uuid4().hex}).status_code == 404
