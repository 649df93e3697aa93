import datetime
import json

import pytest

from catalog.models import Catalog, CatalogItem, CatalogItemOffering, Category, ItemVariable, VariableChoice
from cmdb.servicenow.exporter import SYSTEM_FIELDS, export_folder
from cmdb.servicenow.importer import ImportFailure, import_folder
from tests.factories.catalog import (
    CatalogFactory,
    CatalogItemFactory,
    CatalogItemOfferingFactory,
    CategoryFactory,
    ItemVariableFactory,
    VariableChoiceFactory,
)

pytestmark = pytest.mark.django_db

CATALOG_TABLES = (
    "sc_catalog",
    "sc_category",
    "sc_cat_item",
    "sc_cat_item_subscribe_mtom",
    "item_option_new",
    "question_choice",
)


def delete_catalog():
    VariableChoice.objects.all().delete()
    ItemVariable.objects.all().delete()
    CatalogItemOffering.objects.all().delete()
    CatalogItem.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Catalog.objects.all().delete()


@pytest.fixture
def exported(tmp_path):
    """A catalog with a nested category, an item with its offering and questions, exported then deleted."""
    root = CategoryFactory(title="Hardware")
    # Same title as a root: only loads if parents come first (sibling-uniqueness constraints).
    CategoryFactory(catalog=root.catalog, parent=root, title="Hardware")
    item = CatalogItemFactory(category=root, price="12.50", approval_required=True, catalogs=[root.catalog])
    CatalogItemOfferingFactory(catalog_item=item)
    size = ItemVariableFactory(
        catalog_item=item,
        name="size",
        question_text="Screen size",
        type="choice",
        mandatory=True,
        order=10,
        help_text="Bigger is heavier.",
        default_value="14",
    )
    VariableChoiceFactory(question=size, text="14 inch", value="14", order=1)
    VariableChoiceFactory(question=size, text="16 inch", value="16", order=2)
    ItemVariableFactory(
        catalog_item=item, name="dock", question_text="Docking station", type="checkbox", order=20
    )
    export_folder(tmp_path)
    delete_catalog()
    return tmp_path


def read(folder, table):
    return json.loads((folder / f"{table}.json").read_text())["result"]


def write(folder, table, rows):
    (folder / f"{table}.json").write_text(json.dumps({"result": rows}))


def test_catalog_tables_round_trip_through_export_and_import(exported):
    result = import_folder(exported)
    assert {table: result.tables[table].created for table in CATALOG_TABLES} == {
        "sc_catalog": 1,
        "sc_category": 2,
        "sc_cat_item": 1,
        "sc_cat_item_subscribe_mtom": 1,
        "item_option_new": 2,
        "question_choice": 2,
    }


def test_imported_item_keeps_its_price_approval_category_and_offering(exported):
    import_folder(exported)
    item = CatalogItem.objects.get()
    assert (str(item.price), item.approval_required, item.category.title) == ("12.50", True, "Hardware")
    assert item.item_offerings.count() == 1


def test_imported_subcategory_keeps_its_parent(exported):
    import_folder(exported)
    assert Category.objects.get(parent__isnull=False).parent.title == "Hardware"


def test_imported_variable_keeps_every_field(exported):
    import_folder(exported)
    size = ItemVariable.objects.get(name="size")
    assert (
        size.catalog_item.name,
        size.question_text,
        size.type,
        size.mandatory,
        size.order,
        size.help_text,
        size.default_value,
    ) == (CatalogItem.objects.get().name, "Screen size", "choice", True, 10, "Bigger is heavier.", "14")


def test_imported_choices_keep_their_question_text_value_and_order(exported):
    import_folder(exported)
    choices = VariableChoice.objects.filter(question__name="size").order_by("order")
    assert [(choice.text, choice.value, choice.order) for choice in choices] == [
        ("14 inch", "14", 1),
        ("16 inch", "16", 2),
    ]


def test_variables_export_with_servicenow_names(exported):
    variable = next(row for row in read(exported, "item_option_new") if row["name"] == "size")
    item = read(exported, "sc_cat_item")[0]
    assert (variable["cat_item"], variable["mandatory"], variable["type"]) == (
        item["sys_id"],
        "true",
        "choice",
    )
    # Every row also carries ServiceNow's system stamps (issue 16).
    assert set(read(exported, "question_choice")[0]) == {
        "sys_id",
        "question",
        "text",
        "value",
        "order",
        *SYSTEM_FIELDS,
    }


def test_variables_round_trip_gives_identical_files(exported, tmp_path):
    import_folder(exported)
    export_folder(tmp_path / "again")
    for table in CATALOG_TABLES:
        assert read(tmp_path / "again", table) == read(exported, table)


# --- ServiceNow's own value forms ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1", "checkbox"),
        ("2", "multi_line_text"),
        ("3", "choice"),
        ("5", "choice"),
        ("6", "single_line_text"),
        ("7", "checkbox"),
        ("9", "date"),
        (6, "single_line_text"),  # a number rather than a string in the JSON
    ],
)
def test_servicenow_variable_type_codes_load_as_runstage_types(exported, code, expected):
    rows = read(exported, "item_option_new")
    rows[1]["type"] = code
    write(exported, "item_option_new", rows)

    import_folder(exported)

    assert ItemVariable.objects.get(name=rows[1]["name"]).type == expected


def test_runstage_variable_type_names_still_load(exported):
    rows = read(exported, "item_option_new")
    rows[1]["type"] = "integer"  # no ServiceNow code of its own
    write(exported, "item_option_new", rows)

    import_folder(exported)

    assert ItemVariable.objects.get(name=rows[1]["name"]).type == "integer"


def test_delivery_time_exports_as_servicenow_writes_durations(exported):
    assert read(exported, "sc_cat_item")[0]["delivery_time"] == "1970-01-03 00:00:00"  # two days


def test_servicenow_delivery_time_loads_as_a_duration(exported):
    items = read(exported, "sc_cat_item")
    items[0]["delivery_time"] = "1970-01-03 04:30:00"
    write(exported, "sc_cat_item", items)

    import_folder(exported)

    assert CatalogItem.objects.get().delivery_time == datetime.timedelta(days=2, hours=4, minutes=30)


def test_empty_delivery_time_loads_as_none(exported):
    items = read(exported, "sc_cat_item")
    items[0]["delivery_time"] = ""
    write(exported, "sc_cat_item", items)

    import_folder(exported)

    assert CatalogItem.objects.get().delivery_time is None


def test_imported_item_without_catalogs_is_placed_in_its_category_catalog(exported):
    import_folder(exported)
    item = CatalogItem.objects.get()
    assert list(item.catalogs.all()) == [item.category.catalog]


def test_import_leaves_the_catalogs_of_an_item_that_has_some(exported):
    import_folder(exported)
    item = CatalogItem.objects.get()
    other = CatalogFactory(title="Elsewhere")
    item.catalogs.set([other])
    CatalogItem.objects.filter(pk=item.pk).update(name="Renamed, so the import updates it")

    import_folder(exported)

    assert list(item.catalogs.all()) == [other]


# --- bad rows -------------------------------------------------------------------------------------


def assert_import_fails(folder, *expected):
    with pytest.raises(ImportFailure) as failure:
        import_folder(folder)
    message = str(failure.value)
    assert all(part in message for part in expected), message
    assert (CatalogItem.objects.count(), ItemVariable.objects.count(), VariableChoice.objects.count()) == (
        0,
        0,
        0,
    )


def test_variable_of_unknown_type_aborts_naming_row_and_field(exported):
    rows = read(exported, "item_option_new")
    rows[1]["type"] = "slider"
    write(exported, "item_option_new", rows)

    assert_import_fails(exported, "item_option_new.json, row 2, field type", "'slider'")


def test_variable_of_a_servicenow_type_runstage_lacks_aborts_naming_it(exported):
    rows = read(exported, "item_option_new")
    rows[1]["type"] = "10"
    write(exported, "item_option_new", rows)

    assert_import_fails(
        exported, "item_option_new.json, row 2, field type", "ServiceNow variable type 10 (Date/Time)"
    )


def test_item_with_a_bad_delivery_time_aborts_naming_row_and_field(exported):
    items = read(exported, "sc_cat_item")
    items[0]["delivery_time"] = "soon"
    write(exported, "sc_cat_item", items)

    assert_import_fails(exported, "sc_cat_item.json, row 1, field delivery_time", "'soon'")


def test_variable_with_a_bad_name_aborts(exported):
    rows = read(exported, "item_option_new")
    rows[0]["name"] = "Screen Size"
    write(exported, "item_option_new", rows)

    assert_import_fails(exported, "item_option_new.json, row 1, field name", "Lowercase letters")


def test_variable_of_unknown_item_aborts(exported):
    rows = read(exported, "item_option_new")
    rows[0]["cat_item"] = {
        "value": "f" * 32,
        "link": "https://example.service-now.com/api/now/table/sc_cat_item",
    }
    write(exported, "item_option_new", rows)

    assert_import_fails(exported, "item_option_new.json, row 1, field cat_item", "no sc_cat_item row")


def test_variable_without_item_aborts(exported):
    rows = read(exported, "item_option_new")
    del rows[0]["cat_item"]
    write(exported, "item_option_new", rows)

    assert_import_fails(exported, "item_option_new.json, row 1, field cat_item", "missing")


def test_choice_of_unknown_question_aborts(exported):
    rows = read(exported, "question_choice")
    rows[1]["question"] = "e" * 32
    write(exported, "question_choice", rows)

    assert_import_fails(exported, "question_choice.json, row 2, field question", "no item_option_new row")


def test_two_choices_with_the_same_value_abort(exported):
    rows = read(exported, "question_choice")
    rows[1]["value"] = rows[0]["value"]
    write(exported, "question_choice", rows)

    assert_import_fails(exported, "question_choice.json", "refused")
