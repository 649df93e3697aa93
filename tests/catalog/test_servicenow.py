import pytest

from catalog.models import Catalog, CatalogItem, CatalogItemOffering, Category
from cmdb.servicenow.exporter import export_folder
from cmdb.servicenow.importer import import_folder
from tests.factories.catalog import CatalogItemFactory, CatalogItemOfferingFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(tmp_path):
    """A catalog with a nested category, an item and its offering, exported then deleted."""
    root = CategoryFactory(title="Hardware")
    # Same title as a root: only loads if parents come first (sibling-uniqueness constraints).
    CategoryFactory(sc_catalog=root.sc_catalog, parent=root, title="Hardware")
    CatalogItemOfferingFactory(
        sc_cat_item=CatalogItemFactory(category=root, price="12.50", approval_required=True)
    )
    export_folder(tmp_path)
    CatalogItemOffering.objects.all().delete()
    CatalogItem.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Catalog.objects.all().delete()
    return tmp_path


def test_catalog_tables_round_trip_through_export_and_import(exported):
    result = import_folder(exported)
    assert {
        table: result.tables[table].created for table in ("sc_catalog", "sc_category", "sc_cat_item")
    } == {
        "sc_catalog": 1,
        "sc_category": 2,
        "sc_cat_item": 1,
    }


def test_imported_item_keeps_its_price_approval_category_and_offering(exported):
    import_folder(exported)
    item = CatalogItem.objects.get()
    assert (str(item.price), item.approval_required, item.category.title) == ("12.50", True, "Hardware")
    assert item.item_offerings.count() == 1


def test_imported_subcategory_keeps_its_parent(exported):
    import_folder(exported)
    assert Category.objects.get(parent__isnull=False).parent.title == "Hardware"
