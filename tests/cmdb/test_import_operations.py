"""ServiceNow import/export of operations history: outages, initiatives, incidents, changes, their CIs."""

import datetime

import pytest

from cmdb.models import NumberCounter
from cmdb.servicenow.exporter import SYSTEM_FIELDS, export_folder
from cmdb.servicenow.importer import ImportFailure, import_folder
from impact.models import AffectedCI, ChangeRequest, ImpactedService, Incident, Outage, Task, TaskState
from impact.services import create_task
from portfolio.models import Initiative
from tests.factories.cmdb import BusinessServiceFactory, GroupFactory, ServerFactory, UserFactory
from tests.factories.impact import (
    AffectedCIFactory,
    ChangeRequestFactory,
    ImpactedServiceFactory,
    IncidentFactory,
)
from tests.factories.owners import InitiativeFactory, OutageFactory
from tests.fixtures.servicenow.helpers import database_snapshot, read_table, write_table

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
OPERATIONS_TABLES = (
    "task",
    "incident",
    "change_request",
    "task_ci",
    "task_cmdb_ci_service",
    "cmdb_ci_outage",
    "service_improvement_initiative",
)


@pytest.fixture
def history():
    """One of each operations record, every field filled, around one server and one business service."""
    server = ServerFactory(name="srv-quote-01")
    service = BusinessServiceFactory(name="Online Quote & Buy")
    engineer, owner = UserFactory(username="anna.novak"), UserFactory(username="sofia.berg")
    group = GroupFactory(name="Linux Platform")
    incident = IncidentFactory(
        short_description="srv-quote-01 unresponsive",
        description="Root file system full.",
        state=TaskState.CLOSED,
        priority=1,
        cmdb_ci=server,
        opened_by=engineer,
        assigned_to=engineer,
        assignment_group=group,
        caller=owner,
        opened_at=datetime.datetime(2026, 3, 12, 7, 55, tzinfo=UTC),
    )
    change = ChangeRequestFactory(
        short_description="Patch srv-quote-01",
        type=ChangeRequest.Type.STANDARD,
        state=TaskState.SCHEDULED,
        cmdb_ci=server,
        start_date=datetime.datetime(2026, 12, 13, 2, 0, tzinfo=UTC),
        end_date=datetime.datetime(2026, 12, 13, 6, 0, tzinfo=UTC),
    )
    AffectedCIFactory(task=incident, ci=server)
    ImpactedServiceFactory(task=incident, service=service, manually_added=True)
    OutageFactory(cmdb_ci=server, task=incident, short_description="srv-quote-01 down")
    OutageFactory(
        cmdb_ci=server,
        type=Outage.Type.DEGRADATION,
        end=None,
        begin=datetime.datetime(2026, 11, 26, tzinfo=UTC),
    )
    InitiativeFactory(
        service=service,
        owner=owner,
        state="in_progress",
        target_date=datetime.date(2027, 3, 31),
        description="Active-active across both data centres.",
        expected_benefit="No outage when one server fails.",
    )
    return {"incident": incident, "change": change, "server": server, "owner": owner}


def delete_operations():
    Outage.objects.all().delete()
    Initiative.objects.all().delete()
    Task.objects.all().delete()  # affected CIs and impacted services go with their task


def contents(folder, tables=OPERATIONS_TABLES):
    return {table: (folder / f"{table}.json").read_text() for table in tables}


def task_row(**fields):
    """An incident row as a ServiceNow export writes it, with only the fields a test cares about."""
    return {"sys_id": "a" * 32, "number": "INC0012345", "short_description": "Broken", **fields}


# --- round trip ------------------------------------------------------------------------------------


def test_round_trip_gives_identical_files(history, tmp_path):
    export_folder(tmp_path / "first")
    delete_operations()

    import_folder(tmp_path / "first")
    export_folder(tmp_path / "second")

    assert contents(tmp_path / "second") == contents(tmp_path / "first")


def test_round_trip_recreates_every_row(history, tmp_path):
    export_folder(tmp_path)
    delete_operations()

    result = import_folder(tmp_path)

    created = {table: result.tables[table].created for table in OPERATIONS_TABLES if table in result.tables}
    assert created == {
        "incident": 1,
        "change_request": 1,
        "task_ci": 1,
        "task_cmdb_ci_service": 1,
        "cmdb_ci_outage": 2,
        "service_improvement_initiative": 1,
    }


def test_reimport_of_an_export_changes_nothing(history, tmp_path):
    export_folder(tmp_path)
    before = database_snapshot()

    result = import_folder(tmp_path)

    changed = {
        table: str(counts) for table, counts in result.tables.items() if counts.created or counts.updated
    }
    assert changed == {}
    assert database_snapshot() == before


def test_imported_tasks_keep_class_number_and_references(history, tmp_path):
    export_folder(tmp_path)
    delete_operations()

    import_folder(tmp_path)

    incident = Incident.objects.get(sys_id=history["incident"].sys_id)
    assert (incident.number, incident.sys_class_name) == (history["incident"].number, "incident")
    assert (incident.caller_id, incident.cmdb_ci_id) == (history["owner"].pk, history["server"].pk)
    # Exports write ServiceNow's date-time form, to the second.
    assert incident.closed_at == history["incident"].closed_at.replace(microsecond=0)
    assert Outage.objects.get(task__isnull=False).task.pk == incident.pk
    assert ImpactedService.objects.get().manually_added is True
    assert AffectedCI.objects.get().ci_id == history["server"].pk


def test_export_writes_the_service_now_field_names(history, tmp_path):
    export_folder(tmp_path)

    affected = read_table(tmp_path, "task_ci")[0]
    impacted = read_table(tmp_path, "task_cmdb_ci_service")[0]
    assert affected["ci_item"] == history["server"].sys_id.hex
    assert impacted["manually_added"] == "true"
    assert set(impacted) == {"sys_id", "task", "cmdb_ci_service", "manually_added", *SYSTEM_FIELDS}


def test_an_incident_in_the_task_file_loads_as_an_incident(history, tmp_path):
    server = history["server"]
    write_table(tmp_path, "task", [task_row(sys_class_name="incident", cmdb_ci=server.sys_id.hex)])

    import_folder(tmp_path)

    assert Incident.objects.get(number="INC0012345").cmdb_ci_id == server.pk


# --- numbers ---------------------------------------------------------------------------------------


def test_new_incidents_are_numbered_after_the_highest_imported_one(tmp_path):
    write_table(tmp_path, "incident", [task_row(number="INC0012345")])

    import_folder(tmp_path)
    incident = create_task(Incident, short_description="Printer on fire")

    assert incident.number == "INC0012346"


def test_new_changes_are_numbered_after_the_highest_imported_one(tmp_path):
    rows = [
        task_row(sys_id="c" * 32, number="CHG0030009"),
        task_row(sys_id="d" * 32, number="CHG0031000"),
    ]
    write_table(tmp_path, "change_request", rows)

    import_folder(tmp_path)

    assert create_task(ChangeRequest, short_description="Reboot").number == "CHG0031001"


def test_an_import_never_moves_a_counter_back(tmp_path):
    for _ in range(3):
        IncidentFactory()  # INC0010001 .. INC0010003
    write_table(tmp_path, "incident", [task_row(number="INC0000042")])

    import_folder(tmp_path)

    assert NumberCounter.objects.get(prefix="INC").next_value == 10004


def test_an_imported_number_a_local_task_has_is_refused(tmp_path):
    local = IncidentFactory()
    write_table(tmp_path, "incident", [task_row(number=local.number)])

    with pytest.raises(ImportFailure) as error:
        import_folder(tmp_path)

    assert "incident.json: the database refused rows 1-1" in str(error.value)
    assert Incident.objects.get() == local


def test_a_task_imported_without_a_number_gets_one(tmp_path):
    row = task_row()
    del row["number"]
    write_table(tmp_path, "incident", [row])

    import_folder(tmp_path)

    assert Incident.objects.get().number == "INC0010001"


# --- bad rows --------------------------------------------------------------------------------------

BAD_ROWS = [
    pytest.param(
        "incident",
        task_row(state="on fire"),
        "incident.json, row {row}, field state",
        id="task-state-not-a-number",
    ),
    pytest.param(
        "change_request",
        task_row(number="CHG0030001", type="whenever"),
        "change_request.json, row {row}, field type",
        id="change-type-unknown",
    ),
    pytest.param(
        "task",
        task_row(sys_class_name="problem"),
        "task.json, row {row}, field sys_class_name",
        id="task-class-unknown",
    ),
    pytest.param(
        "task_ci",
        {"sys_id": "b" * 32, "task": "f" * 32, "ci_item": "f" * 32},
        "task_ci.json, row {row}, field task",
        id="affected-ci-of-unknown-task",
    ),
    pytest.param(
        "cmdb_ci_outage",
        {"sys_id": "b" * 32, "cmdb_ci": "SERVER", "type": "blackout", "begin": "2026-03-12 07:00:00+00:00"},
        "cmdb_ci_outage.json, row {row}, field type",
        id="outage-type-unknown",
    ),
    pytest.param(
        "cmdb_ci_outage",
        {
            "sys_id": "b" * 32,
            "cmdb_ci": "SERVER",
            "begin": "2026-03-12 07:00:00+00:00",
            "end": "2026-03-12 06:00:00+00:00",
        },
        "cmdb_ci_outage.json: the database refused rows 1-{row}",
        id="outage-ends-before-it-begins",
    ),
    pytest.param(
        "service_improvement_initiative",
        {"sys_id": "b" * 32, "service": "SERVICE", "title": "Faster", "state": "someday"},
        "service_improvement_initiative.json, row {row}, field state",
        id="initiative-state-unknown",
    ),
]


@pytest.mark.parametrize(("table", "row", "message"), BAD_ROWS)
def test_bad_row_aborts_the_import_and_names_it(history, tmp_path, table, row, message):
    placeholders = {
        "SERVER": history["server"].sys_id.hex,
        "SERVICE": Initiative.objects.get().service.sys_id.hex,
    }
    row = {name: placeholders.get(value, value) for name, value in row.items()}
    export_folder(tmp_path)
    rows = [*read_table(tmp_path, table), row]
    write_table(tmp_path, table, rows)
    # A change to an earlier row, so that a half-done load would show.
    incidents = read_table(tmp_path, "incident")
    incidents[0]["short_description"] = "Renamed by the failed import"
    write_table(tmp_path, "incident", incidents)
    before = database_snapshot()

    with pytest.raises(ImportFailure) as error:
        import_folder(tmp_path)

    assert message.format(row=len(rows)) in str(error.value)
    assert database_snapshot() == before


# --- time zones ------------------------------------------------------------------------------------


def test_a_servicenow_datetime_without_zone_is_read_as_utc(tmp_path, recwarn):
    write_table(tmp_path, "incident", [task_row(opened_at="2026-03-12 07:00:00")])

    import_folder(tmp_path)

    assert Incident.objects.get().opened_at == datetime.datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    assert [str(warning.message) for warning in recwarn if warning.category is RuntimeWarning] == []


def test_a_datetime_with_an_offset_keeps_its_instant(tmp_path):
    write_table(tmp_path, "incident", [task_row(opened_at="2026-03-12T09:00:00+02:00")])

    import_folder(tmp_path)

    assert Incident.objects.get().opened_at == datetime.datetime(2026, 3, 12, 7, 0, tzinfo=UTC)


def test_reimporting_a_datetime_without_zone_leaves_the_row_unchanged(tmp_path):
    write_table(tmp_path, "incident", [task_row(opened_at="2026-03-12 07:00:00")])
    import_folder(tmp_path)

    result = import_folder(tmp_path)

    assert (result.tables["incident"].updated, result.tables["incident"].unchanged) == (0, 1)
