"""Exports as ServiceNow writes them load without loss (issue 16, point 1)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from catalog.approvals import approve, may_approve
from catalog.cart import add_to_cart, get_cart
from catalog.errors import ItemUnavailable
from catalog.models import CatalogItem, Request, RequestedItem, RequestedItemAnswer
from catalog.ordering import place_order
from cmdb.models import DatabaseInstance, NumberCounter, Server, User
from cmdb.servicenow.exporter import export_folder
from cmdb.servicenow.importer import ImportFailure, import_folder
from impact.models import Outage, Task
from offerings.models import ServiceCommitment
from tests.fixtures.servicenow.helpers import SAMPLE, copy_sample, empty_every_table, read_table, write_table

pytestmark = pytest.mark.django_db

DEMO = SAMPLE.parents[3] / "demo"
COMMITMENT = "0b9edc8ef3a45d75bb9192e5b541266c"
DATABASE = "3c7d4c1851905b30b7337336cd8689e2"


def change_row(folder, table, index, **changes):
    rows = read_table(folder, table)
    rows[index].update(changes)
    write_table(folder, table, rows)
    return rows[index]


# --- choices -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given", ["Response time", "Response Time", "RESPONSE TIME", " response  time ", "response_time"]
)
def test_a_choice_loads_from_its_label_in_any_case_and_spacing(tmp_path, given):
    folder = copy_sample(tmp_path)
    change_row(folder, "service_commitment", 0, type=given)

    import_folder(folder)

    assert ServiceCommitment.objects.get(sys_id=COMMITMENT).type == "response_time"


def test_an_integer_choice_loads_from_its_label(tmp_path):
    folder = copy_sample(tmp_path)
    change_row(folder, "cmdb_ci_db_instance", 0, operational_status="Repair in Progress")

    import_folder(folder)

    assert DatabaseInstance.objects.get(sys_id=DATABASE).operational_status == 3


def test_an_unknown_choice_names_file_row_field_and_the_allowed_values(tmp_path):
    folder = copy_sample(tmp_path)
    change_row(folder, "service_commitment", 0, type="Uptime")

    with pytest.raises(ImportFailure) as error:
        import_folder(folder)

    message = str(error.value)
    assert "service_commitment.json, row 1, field type" in message
    assert "'Uptime'" in message
    assert "availability (Availability)" in message and "response_time (Response time)" in message
    assert not ServiceCommitment.objects.exists()


# --- sysparm_display_value=all -------------------------------------------------------------------


def display_value_all(row, labels):
    """A row as `sysparm_display_value=all` writes it: every field {"value", "display_value"}."""
    return {
        name: {"value": value, "display_value": labels.get(name, value)}
        | ({"link": f"https://example.service-now.com/api/now/table/x/{value}"} if len(value) == 32 else {})
        for name, value in row.items()
    }


def test_rows_exported_with_display_value_all_load_as_their_values(tmp_path):
    folder = copy_sample(tmp_path)
    for table in ("service_commitment", "cmdb_ci_db_instance"):
        rows = read_table(folder, table)
        write_table(folder, table, [display_value_all(row, {"type": "Nonsense label"}) for row in rows])

    result = import_folder(folder)

    assert result.tables["service_commitment"].created == 1
    database = DatabaseInstance.objects.get(sys_id=DATABASE)
    assert (database.type, database.tcp_port, database.model.name) == ("PostgreSQL", "5432", "PostgreSQL 15")
    assert ServiceCommitment.objects.get(sys_id=COMMITMENT).type == "availability"


def test_a_reference_with_display_value_and_link_loads(tmp_path):
    folder = copy_sample(tmp_path)
    model = read_table(folder, "cmdb_ci_db_instance")[0]["model_id"]
    change_row(
        folder,
        "cmdb_ci_db_instance",
        0,
        model_id={"value": model, "display_value": "PostgreSQL 15", "link": "x"},
    )

    import_folder(folder)

    assert DatabaseInstance.objects.get(sys_id=DATABASE).model.sys_id.hex == model


# --- business criticality ------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["busines_criticality", "business_criticality"])
def test_both_spellings_of_business_criticality_load(tmp_path, spelling):
    folder = copy_sample(tmp_path)
    rows = read_table(folder, "cmdb_ci_db_instance")
    rows[0].pop("business_criticality")
    rows[0][spelling] = "2 - somewhat critical"
    write_table(folder, "cmdb_ci_db_instance", rows)

    import_folder(folder)

    assert DatabaseInstance.objects.get(sys_id=DATABASE).business_criticality == "2 - somewhat critical"


def test_two_spellings_that_disagree_are_refused(tmp_path):
    folder = copy_sample(tmp_path)
    change_row(folder, "cmdb_ci_db_instance", 0, busines_criticality="4 - not critical")

    with pytest.raises(ImportFailure, match="cmdb_ci_db_instance.json, row 1, field busines_criticality"):
        import_folder(folder)


def test_export_writes_servicenows_spelling_of_business_criticality(tmp_path):
    import_folder(SAMPLE)

    export_folder(tmp_path)

    row = read_table(tmp_path, "cmdb_ci_db_instance")[0]
    assert row["busines_criticality"] == "1 - most critical"
    assert "business_criticality" not in row


# --- timestamps and authors ----------------------------------------------------------------------

STAMPS = {
    "sys_created_on": "2019-04-02 08:15:00",
    "sys_updated_on": "2025-12-06 18:24:00",
    "sys_created_by": "admin",
    "sys_updated_by": "maria.lopez",
}


def test_created_and_updated_stamps_are_kept_on_import(tmp_path):
    folder = copy_sample(tmp_path)
    change_row(folder, "service_commitment", 0, **STAMPS)

    import_folder(folder)

    commitment = ServiceCommitment.objects.get(sys_id=COMMITMENT)
    assert commitment.sys_created_on == datetime.datetime(2019, 4, 2, 8, 15, tzinfo=datetime.UTC)
    assert commitment.sys_updated_on == datetime.datetime(2025, 12, 6, 18, 24, tzinfo=datetime.UTC)
    assert (commitment.sys_created_by, commitment.sys_updated_by) == ("admin", "maria.lopez")


def test_stamps_are_exported_in_servicenows_utc_form(tmp_path):
    folder = copy_sample(tmp_path)
    change_row(folder, "service_commitment", 0, **STAMPS | {"sys_updated_on": "2025-12-06T19:24:00+01:00"})
    import_folder(folder)

    export_folder(tmp_path / "out")

    row = read_table(tmp_path / "out", "service_commitment")[0]
    assert {name: row[name] for name in STAMPS} == STAMPS


def test_an_update_keeps_the_imported_updated_stamp(tmp_path):
    folder = copy_sample(tmp_path)
    import_folder(folder)
    change_row(folder, "service_commitment", 0, target_value="99.5", **STAMPS)

    result = import_folder(folder)

    commitment = ServiceCommitment.objects.get(sys_id=COMMITMENT)
    assert result.tables["service_commitment"].updated == 1
    assert commitment.sys_updated_on == datetime.datetime(2025, 12, 6, 18, 24, tzinfo=datetime.UTC)


def test_an_update_without_a_stamp_is_stamped_now(tmp_path):
    folder = copy_sample(tmp_path)
    import_folder(folder)
    change_row(folder, "service_commitment", 0, target_value="99.5")
    before = datetime.datetime.now(datetime.UTC)

    import_folder(folder)

    assert ServiceCommitment.objects.get(sys_id=COMMITMENT).sys_updated_on >= before.replace(microsecond=0)


# --- the demo with orders, outages and tasks ------------------------------------------------------


def place_demo_orders():
    """Orders from the demo catalog: items with answered variables, one approved, one delivered."""
    user, manager = User.objects.get(username="emma.clark"), User.objects.get(username="david.morgan")
    placed = 0
    for item in CatalogItem.objects.filter(active=True).order_by("name"):
        answers = {}
        for variable in item.variables.all():
            choice = variable.choices.order_by("order").first()
            answers[variable.name] = choice.value if choice else (variable.default_value or "2030-01-15")
        try:
            add_to_cart(user, item, 1, answers)
        except (ValidationError, ItemUnavailable):
            continue
        placed += 1
        if placed == 4:
            break
    request = place_order(get_cart(user), user)
    for item in request.items.all():
        if item.approval == "requested" and may_approve(manager, item):
            approve(item, manager)
    return request


def empty_everything():
    empty_every_table()


def test_demo_with_orders_outages_and_tasks_round_trips_to_identical_files(tmp_path):
    import_folder(DEMO)
    place_demo_orders()
    assert RequestedItemAnswer.objects.exists() and Outage.objects.exists() and Task.objects.exists()
    export_folder(tmp_path / "first")
    requests, items = Request.objects.count(), RequestedItem.objects.count()
    empty_everything()

    import_folder(tmp_path / "first")
    export_folder(tmp_path / "second")

    first = {file.name: file.read_text() for file in sorted((tmp_path / "first").glob("*.json"))}
    second = {file.name: file.read_text() for file in sorted((tmp_path / "second").glob("*.json"))}
    assert second == first
    assert (Request.objects.count(), RequestedItem.objects.count()) == (requests, items)


def test_imported_orders_move_the_request_counters_past_their_numbers(tmp_path):
    import_folder(DEMO)
    request = place_demo_orders()
    export_folder(tmp_path)
    empty_everything()

    import_folder(tmp_path)

    number = int(request.number.removeprefix("REQ"))
    assert NumberCounter.objects.get(prefix="REQ").next_value == number + 1


# --- writing changed rows ------------------------------------------------------------------------

SERVER = "f3972b8d5d71541ab2180c5939f37948"


def test_a_change_to_base_and_class_fields_of_a_ci_is_written_to_both_tables(tmp_path):
    folder = copy_sample(tmp_path)
    import_folder(folder)
    rows = read_table(folder, "cmdb_ci")
    server = next(row for row in rows if row["sys_id"] == SERVER)
    server.update(name="srv-001-renamed", cpu_count="16", sys_updated_by="maria.lopez")
    write_table(folder, "cmdb_ci", rows)

    result = import_folder(folder)

    stored = Server.objects.get(sys_id=SERVER)
    assert (stored.name, stored.cpu_count, stored.sys_updated_by) == ("srv-001-renamed", 16, "maria.lopez")
    assert result.tables["cmdb_ci_server"].updated == 1
    assert import_folder(folder).tables["cmdb_ci_server"].updated == 0
