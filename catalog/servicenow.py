"""The catalog app's ServiceNow tables: catalogs, categories, items and the offerings they order.

Not mapped: `sc_cat_item.sc_catalogs` (a comma-separated list in ServiceNow, a many-to-many
here, which the table specs do not express) and `delivery_time` (ServiceNow writes durations as
"1970-01-03 00:00:00"); carts, requests and requested items are operational data, not imported.
"""

from catalog.models import Catalog, CatalogItem, CatalogItemOffering, Category
from cmdb.servicenow.spec import TableSpec, field_map

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
    ),
    TableSpec(CatalogItemOffering, field_map("sc_cat_item", "service_offering")),
]
