"""The catalog app's ServiceNow tables: catalogs, categories, items, the offerings they order, and
the items' variables (`item_option_new`) with their choices (`question_choice`).

Not mapped, because the table specs pass values through unconverted:
- `sc_cat_item.sc_catalogs`: a comma-separated list in ServiceNow, a many-to-many here. An
  imported item without catalogs is placed in its category's catalog instead (ServiceNow keeps
  the two in step the same way), so the catalog pages list it.
- `sc_cat_item.delivery_time`: ServiceNow writes durations as a date ("1970-01-03 00:00:00"),
  which a DurationField does not read.
- `item_option_new.type` is Runstage's name of the type ("single_line_text", "choice", ...), not
  ServiceNow's number (6, 5, ...): a file written by ServiceNow needs its types renamed first.
Carts, requests and requested items are operational data, not imported.
"""

from catalog.models import Catalog, CatalogItem, CatalogItemOffering, Category, ItemVariable, VariableChoice
from cmdb.servicenow.spec import TableSpec, field_map


def place_items_in_their_category_catalog():
    """Put every item that has a category but no catalog in its category's catalog (one INSERT)."""
    membership = CatalogItem.sc_catalogs.through
    homeless = CatalogItem.objects.filter(category__isnull=False, sc_catalogs__isnull=True).values_list(
        "pk", "category__sc_catalog_id"
    )
    membership.objects.bulk_create(
        [membership(catalogitem_id=item_id, catalog_id=catalog_id) for item_id, catalog_id in homeless]
    )


TABLES = [
    TableSpec(Catalog, field_map("title", "description", "active", "order")),
    # Categories are unique by title among siblings, so they load parents first.
    TableSpec(
        Category,
        field_map("sc_catalog", "parent", "title", "description", "active", "order"),
        tree_parent="parent",
    ),
    TableSpec(
        CatalogItem,
        field_map(
            "name",
            "short_description",
            "description",
            "category",
            "price",
            "recurring_price",
            "recurring_frequency",
            "active",
            "approval_required",
            "available_to_all",
        ),
        after_load=place_items_in_their_category_catalog,
    ),
    TableSpec(CatalogItemOffering, field_map("sc_cat_item", "service_offering")),
    TableSpec(
        ItemVariable,
        field_map(
            "cat_item", "name", "question_text", "type", "mandatory", "order", "help_text", "default_value"
        ),
    ),
    TableSpec(VariableChoice, field_map("question", "text", "value", "order")),
]
