"""The catalog app's ServiceNow tables: catalogs, categories, items, the offerings they order, and
the items' variables (`item_option_new`) with their choices (`question_choice`).

Converted on the way in and out:
- `sc_cat_item.delivery_time`: ServiceNow writes durations as a date after the epoch
  ("1970-01-03 04:00:00" is 2 days 4 hours); Runstage stores a duration and exports the date form.
- `item_option_new.type`: ServiceNow's numeric codes (6, 5, ...) load as Runstage's type names;
  Runstage's names load as they are and are what an export writes, so Runstage files round-trip
  unchanged.

Not mapped:
- `sc_cat_item.sc_catalogs`: a comma-separated list in ServiceNow, a many-to-many here
  (`CatalogItem.catalogs`). An imported item without catalogs is placed in its category's
  catalog instead (ServiceNow keeps the two in step the same way), so the catalog pages list it.
Orders round-trip: requests (`sc_request`), requested items (`sc_req_item`) and their answers
(`sc_item_option_mtom`) keep their numbers, states and prices; the REQ and RITM counters are then
moved past the highest number imported. Carts are a user's scratch pad and are not exported.
"""

from catalog.models import (
    Catalog,
    CatalogItem,
    CatalogItemOffering,
    Category,
    ItemVariable,
    Request,
    RequestedItem,
    RequestedItemAnswer,
    VariableChoice,
    VariableType,
)
from cmdb.models.numbers import highest_number, move_counter_past
from cmdb.servicenow.converters import DURATION
from cmdb.servicenow.spec import Converter, TableSpec, field_map

# item_option_new.type codes -> Runstage's variable types, for the types Runstage models. Yes/No
# (1) is a checkbox here; Runstage's integer type has no ServiceNow code of its own.
SERVICENOW_VARIABLE_TYPES = {
    "1": VariableType.CHECKBOX,  # Yes / No
    "2": VariableType.MULTI_LINE_TEXT,
    "3": VariableType.CHOICE,  # Multiple Choice
    "5": VariableType.CHOICE,  # Select Box
    "6": VariableType.SINGLE_LINE_TEXT,
    "7": VariableType.CHECKBOX,
    "9": VariableType.DATE,
}
# Named in the error for the codes a ServiceNow catalog commonly uses that Runstage cannot model.
UNSUPPORTED_VARIABLE_TYPES = {
    "4": "Numeric Scale",
    "8": "Reference",
    "10": "Date/Time",
    "11": "Label",
    "18": "Lookup Select Box",
    "21": "List Collector",
}


def variable_type_from_servicenow(value):
    """ServiceNow's numeric variable type as Runstage's type name; Runstage's names pass through."""
    text = str(value).strip()
    if not text.isdigit():
        return text  # a Runstage name, validated against the model's choices
    if text in SERVICENOW_VARIABLE_TYPES:
        return SERVICENOW_VARIABLE_TYPES[text].value
    known = UNSUPPORTED_VARIABLE_TYPES.get(text)
    name = f"ServiceNow variable type {text}" + (f" ({known})" if known else "")
    codes = ", ".join(sorted(SERVICENOW_VARIABLE_TYPES, key=int))
    raise ValueError(f"{name} has no Runstage equivalent; types {codes} can be imported")


# Exports write Runstage's stored name, so that Runstage-to-Runstage round trips stay identical.
VARIABLE_TYPE = Converter(to_runstage=variable_type_from_servicenow)


def place_items_in_their_category_catalog():
    """Put every item that has a category but no catalog in its category's catalog (one INSERT)."""
    membership = CatalogItem.catalogs.through
    homeless = CatalogItem.objects.filter(category__isnull=False, catalogs__isnull=True).values_list(
        "pk", "category__catalog_id"
    )
    membership.objects.bulk_create(
        [membership(catalogitem_id=item_id, catalog_id=catalog_id) for item_id, catalog_id in homeless]
    )


def settle_order_numbers():
    """After an order import: the REQ and RITM counters past every imported number."""
    for model, prefix in ((Request, "REQ"), (RequestedItem, "RITM")):
        highest = highest_number(model._base_manager.all(), prefix)
        if highest is not None:
            move_counter_past(prefix, highest)


TABLES = [
    TableSpec(Catalog, field_map("title", "description", "active", "order")),
    # Categories are unique by title among siblings, so they load parents first.
    TableSpec(
        Category,
        {"sc_catalog": "catalog"} | field_map("parent", "title", "description", "active", "order"),
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
            "price_currency",
            "recurring_price",
            "recurring_frequency",
            "active",
            "approval_required",
            "available_to_all",
            "delivery_time",
        ),
        converters={"delivery_time": DURATION},
        after_load=place_items_in_their_category_catalog,
    ),
    TableSpec(CatalogItemOffering, {"sc_cat_item": "catalog_item"} | field_map("service_offering")),
    TableSpec(
        ItemVariable,
        {"cat_item": "catalog_item"}
        | field_map(
            "name",
            "question_text",
            "type",
            "mandatory",
            "order",
            "help_text",
            "default_value",
            "min_value",
            "max_value",
        ),
        converters={"type": VARIABLE_TYPE},
    ),
    TableSpec(VariableChoice, field_map("question", "text", "value", "order")),
    TableSpec(
        Request,
        field_map(
            "number",
            "requested_for",
            "opened_by",
            "request_state",
            "approval",
            "price",
            "price_currency",
            "opened_at",
            "closed_at",
        ),
        after_load=settle_order_numbers,
        ordering=("number", "sys_id"),
    ),
    TableSpec(
        RequestedItem,
        field_map(
            "number",
            "request",
            "quantity",
            "price",
            "price_currency",
            "recurring_price",
            "recurring_frequency",
            "state",
            "stage",
            "approval",
            "approver",
            "approved_by",
            "approval_decided_at",
            "rejection_reason",
            "closed_at",
            cat_item="catalog_item",
        ),
        after_load=settle_order_numbers,
        ordering=("number", "sys_id"),
    ),
    TableSpec(
        RequestedItemAnswer,
        field_map("request_item", "question", "value", "display_value", "order", sc_item_option="variable"),
        ordering=("request_item__number", "order", "sys_id"),
    ),
]
