import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import VariableType
from cmdb.models import (
    Company,
    ConfigurationItem,
    DatabaseInstance,
    Department,
    GroupMembership,
    Location,
    ProductModel,
    Relationship,
    RelationshipType,
    Server,
    SoftwareModel,
    User,
)
from cmdb.servicenow import importer
from cmdb.servicenow.converters import DURATION
from cmdb.servicenow.database import copy_text
from cmdb.servicenow.importer import ImportFailure, import_folder
from cmdb.servicenow.sources import RowsSource
from cmdb.servicenow.spec import TableSpec
from impact.models import ChangeRequest, Incident
from offerings.models import ServiceOffering
from portfolio.models import PortfolioNode
from tests.fixtures.servicenow.helpers import (
    SAMPLE,
    copy_sample,
    database_snapshot,
    read_table,
    row_counts,
    write_table,
)

pytestmark = pytest.mark.django_db

DEPENDS_ON = "1a9cb166f1571100a92eb60da2bce5c5"


def test_sample_folder_creates_every_row():
    result = import_folder(SAMPLE)

    assert result.tables["cmdb_rel_ci"].created == 4
    assert result.tables["service_offering"].created == 2
    assert Relationship.objects.count() == 4


def test_reimport_reports_every_row_unchanged():
    import_folder(SAMPLE)

    result = import_folder(SAMPLE)

    assert sum(counts.created + counts.updated for counts in result.tables.values()) == 0
    assert result.tables["sys_user"].unchanged == 3


def test_changed_value_is_reported_as_updated(tmp_path):
    import_folder(SAMPLE)
    folder = copy_sample(tmp_path)
    users = read_table(folder, "sys_user")
    users[0]["title"] = "Head of Operations"
    write_table(folder, "sys_user", users)

    result = import_folder(folder)

    assert (result.tables["sys_user"].updated, result.tables["sys_user"].unchanged) == (1, 2)
    assert User.objects.get(username="ops.head").title == "Head of Operations"


def test_changed_self_reference_is_reported_as_updated(tmp_path):
    import_folder(SAMPLE)
    folder = copy_sample(tmp_path)
    users = read_table(folder, "sys_user")
    users[2]["manager"] = users[1]["sys_id"]
    write_table(folder, "sys_user", users)

    result = import_folder(folder)

    assert result.tables["sys_user"].updated == 1
    assert User.objects.get(username="retired.user").manager.username == "cio"


def test_unknown_fields_are_ignored_and_counted():
    result = import_folder(SAMPLE)

    # sys_created_on is kept since issue 16; the rest are unknown to Runstage.
    assert set(result.tables["core_company"].ignored_fields) == {"sys_mod_count", "u_tier"}


def test_empty_reference_is_null():
    import_folder(SAMPLE)

    assert Company.objects.get(name="Acme Group").parent is None


def test_empty_reference_clears_an_existing_reference(tmp_path):
    import_folder(SAMPLE)
    folder = copy_sample(tmp_path)
    locations = read_table(folder, "cmn_location")
    locations[0]["company"] = ""
    write_table(folder, "cmn_location", locations)

    import_folder(folder)

    assert Location.objects.get(name="London").company is None


def test_reference_given_as_value_and_link():
    import_folder(SAMPLE)

    row = read_table(SAMPLE, "sys_user_grmember")[1]
    assert isinstance(row["user"], dict)
    membership = GroupMembership.objects.get(sys_id=row["sys_id"])
    assert (membership.user.username, membership.group.name) == ("cio", "Infrastructure")


def test_hyphenated_sys_id_is_accepted():
    import_folder(SAMPLE)

    hyphenated = next(row["sys_id"] for row in read_table(SAMPLE, "sys_user") if row["user_name"] == "cio")
    assert "-" in hyphenated
    assert User.objects.get(username="cio").sys_id.hex == hyphenated.replace("-", "")


def test_unknown_ci_class_loads_as_base_row_keeping_its_class():
    import_folder(SAMPLE)

    ci = ConfigurationItem.objects.get(name="win-001")
    assert ci.sys_class_name == "cmdb_ci_win_server"
    assert not Server.objects.filter(name="win-001").exists()


def test_rows_without_class_take_the_class_of_their_file_name():
    import_folder(SAMPLE)

    assert ConfigurationItem.objects.get(name="lnx-001").sys_class_name == "cmdb_ci_linux_server"
    assert DatabaseInstance.objects.get(name="pg-claims").sys_class_name == "cmdb_ci_db_instance"


def test_row_of_a_known_class_in_base_file_loads_into_its_subclass():
    import_folder(SAMPLE)

    server = Server.objects.get(name="srv-001")
    assert (server.cpu_count, server.ram, server.virtual) == (8, None, True)


def test_product_model_classes_follow_the_same_rules():
    import_folder(SAMPLE)

    assert ProductModel.objects.get(name="PowerEdge R640").sys_class_name == "cmdb_hardware_product_model"
    assert SoftwareModel.objects.get(name="PostgreSQL 15").version == "15"


def test_relationship_type_with_existing_name_merges_into_local_type():
    import_folder(SAMPLE)

    assert RelationshipType.objects.filter(name="Depends on::Used by").count() == 1
    foreign = read_table(SAMPLE, "cmdb_rel_type")[0]["sys_id"]
    assert not RelationshipType.objects.filter(sys_id=foreign).exists()


def test_relationships_of_a_merged_type_point_at_the_local_type():
    import_folder(SAMPLE)

    relationship = Relationship.objects.get(child__name="pg-claims")
    assert relationship.type.sys_id.hex == DEPENDS_ON


def test_new_relationship_type_is_created():
    import_folder(SAMPLE)

    assert RelationshipType.objects.get(name="Replicates to::Replicated by").propagates_impact


def test_self_references_may_point_forward():
    import_folder(SAMPLE)

    assert User.objects.get(username="ops.head").manager.username == "cio"
    assert Location.objects.get(name="London").parent.name == "United Kingdom"
    assert Company.objects.get(name="Acme UK").parent.name == "Acme Group"


def test_cyclic_references_between_tables_are_set():
    import_folder(SAMPLE)

    department = Department.objects.get(code="ITOPS")
    assert (department.parent.code, department.dept_head.username) == ("IT", "ops.head")
    assert User.objects.get(username="ops.head").department == department


def test_offering_parent_points_at_its_service():
    import_folder(SAMPLE)

    assert ServiceOffering.objects.get(name="Claims - Gold").parent.name == "Claims"


def test_portfolio_tree_is_valid_after_import():
    import_folder(SAMPLE)
    imported = list(PortfolioNode.objects.order_by("pk").values_list("lft", "rght", "tree_id", "level"))

    PortfolioNode.objects.rebuild()

    assert (
        list(PortfolioNode.objects.order_by("pk").values_list("lft", "rght", "tree_id", "level")) == imported
    )
    insurance = PortfolioNode.objects.get(name="Insurance")
    assert [node.name for node in insurance.get_descendants()] == ["Claims", "Digital"]


def test_siblings_names_may_repeat_across_parents():
    import_folder(SAMPLE)

    assert PortfolioNode.objects.filter(name="Digital").count() == 2


def test_imported_users_cannot_log_in_until_given_a_password():
    import_folder(SAMPLE)

    assert not User.objects.get(username="cio").has_usable_password()


def test_inactive_user_keeps_active_flag():
    import_folder(SAMPLE)

    assert not User.objects.get(username="retired.user").is_active


def test_command_prints_a_summary_per_table(capsys):
    call_command("import_servicenow", str(SAMPLE))

    output = capsys.readouterr().out
    assert "cmdb_rel_ci: 4 created, 0 updated, 0 unchanged" in output
    assert "core_company: 3 created, 0 updated, 0 unchanged; 2 unknown fields ignored" in output


def test_dry_run_changes_nothing():
    before = row_counts()

    call_command("import_servicenow", str(SAMPLE), "--dry-run")

    assert row_counts() == before


def test_file_of_a_table_runstage_does_not_have_is_skipped(tmp_path):
    folder = copy_sample(tmp_path)
    write_table(folder, "sys_audit", [{"sys_id": "0" * 32}])

    result = import_folder(folder)

    assert result.skipped_files == ["sys_audit.json"]


def build_servers(folder, count):
    servers = [
        {"sys_id": f"{index:032x}", "name": f"srv-{index}", "operational_status": "1", "os": "Linux"}
        for index in range(1, count + 1)
    ]
    relationships = [
        {
            "sys_id": f"{index + 10**6:032x}",
            "parent": f"{index:032x}",
            "type": DEPENDS_ON,
            "child": f"{index + 1:032x}",
        }
        for index in range(1, count)
    ]
    folder.mkdir()
    write_table(folder, "cmdb_ci_server", servers)
    write_table(folder, "cmdb_rel_ci", relationships)
    return folder


def count_import_queries(folder):
    with CaptureQueriesContext(connection) as queries:
        import_folder(folder)
    return len(queries)


def test_query_count_does_not_grow_with_rows(tmp_path):
    few = count_import_queries(build_servers(tmp_path / "few", 10))
    ConfigurationItem.objects.all().delete()

    many = count_import_queries(build_servers(tmp_path / "many", 200))

    assert many == few
    assert Relationship.objects.count() == 199


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("1970-01-01 00:00:00", datetime.timedelta(0)),
        ("1970-01-03 04:00:00", datetime.timedelta(days=2, hours=4)),
        ("1971-01-01 00:00:01", datetime.timedelta(days=365, seconds=1)),
    ],
)
def test_servicenow_durations_convert_both_ways(text, duration):
    assert DURATION.to_runstage(text) == duration
    assert DURATION.to_servicenow(duration) == text


def test_django_duration_forms_are_read_too():
    assert (
        DURATION.to_runstage("2 04:00:00")
        == DURATION.to_runstage("P2DT4H")
        == datetime.timedelta(days=2, hours=4)
    )


def test_a_value_that_is_no_duration_is_refused():
    with pytest.raises(ValueError, match="'next week' is not a duration"):
        DURATION.to_runstage("next week")


def test_text_with_tabs_newlines_and_backslashes_is_stored_as_is(tmp_path):
    # PostgreSQL loads new rows with COPY, whose text format escapes these characters.
    description = "line one\nline\ttwo\r\\N and C:\\temp\\"
    folder = tmp_path / "folder"
    folder.mkdir()
    # A column is escaped as a whole when any of its values needs it: one plain row beside.
    write_table(
        folder,
        "cmdb_ci_server",
        [
            {"sys_id": "1" * 32, "name": "srv", "short_description": description},
            {"sys_id": "2" * 32, "name": "plain", "short_description": "no escapes"},
        ],
    )

    import_folder(folder)

    assert dict(Server.objects.values_list("name", "short_description")) == {
        "srv": description,
        "plain": "no escapes",
    }


def test_reference_to_a_row_of_another_class_is_refused(tmp_path):
    folder = copy_sample(tmp_path)
    offerings = read_table(folder, "service_offering")
    offerings[1]["parent"] = read_table(folder, "cmdb_ci_db_instance")[0]["sys_id"]  # not a service
    write_table(folder, "service_offering", offerings)

    with pytest.raises(ImportFailure) as error:
        import_folder(folder)

    assert "service_offering.json, row 2, field parent" in str(error.value)
    assert "no cmdb_ci_service row" in str(error.value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        ("", ""),
        ("a\tb\\", "a\\tb\\\\"),
        (True, "t"),
        (False, "f"),
        (42, "42"),
        (Decimal("12.50"), "12.50"),
        (datetime.datetime(2026, 3, 12, 7, tzinfo=datetime.UTC), "2026-03-12T07:00:00+00:00"),
        (datetime.date(2026, 3, 12), "2026-03-12"),
        (datetime.timedelta(days=2, hours=4), "2 days 14400 seconds 0 microseconds"),
        (VariableType.CHOICE, "choice"),
        (["Backups", 'Say "hi"\tthen'], '["Backups", "Say \\\\"hi\\\\"\\\\tthen"]'),
    ],
)
def test_copy_text_writes_postgresql_copy_format(value, text):
    assert copy_text(value) == text


def test_copy_text_refuses_a_type_it_does_not_know():
    with pytest.raises(TypeError, match="COPY cannot write a set"):
        copy_text({"a"})


def test_an_after_load_hook_shared_by_several_tables_runs_once(monkeypatch):
    calls = []

    def hook():
        calls.append("hook")

    specs = (TableSpec(Incident, {}, after_load=hook), TableSpec(ChangeRequest, {}, after_load=hook))
    monkeypatch.setattr(importer, "load_order", lambda: specs)
    loader = importer.Importer("default")
    for spec in specs:
        loader.result.counts(spec.table).created = 1

    loader.load(RowsSource({}))

    assert calls == ["hook"]


def test_small_batches_load_what_one_batch_loads(monkeypatch):
    import_folder(SAMPLE)
    one_batch = database_snapshot()
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)

    result = import_folder(SAMPLE)

    assert sum(counts.created + counts.updated for counts in result.tables.values()) == 0
    assert database_snapshot() == one_batch


def test_a_sys_id_repeated_in_a_later_batch_of_a_first_load_updates_the_row(monkeypatch, tmp_path):
    # The table is empty when the load begins, so its batches are looked up only for the sys_ids
    # the load may have written already: a repeat must still be found, not inserted twice.
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    folder = copy_sample(tmp_path)
    servers = read_table(folder, "cmdb_ci_linux_server")
    others = [servers[0] | {"sys_id": f"{number:032x}", "name": f"server {number}"} for number in (1, 2)]
    repeat = servers[0] | {"name": "renamed by a later row"}
    # Batches of two: [servers..., the others], then the repeat.
    write_table(folder, "cmdb_ci_linux_server", [*servers, *others, repeat])
    assert not ConfigurationItem.objects.exists()

    result = import_folder(folder)

    assert sum(counts.updated for counts in result.tables.values()) == 1
    assert ConfigurationItem.objects.get(sys_id=servers[0]["sys_id"]).name == "renamed by a later row"
    assert ConfigurationItem.objects.filter(sys_id__in=[row["sys_id"] for row in others]).count() == 2


def test_a_refused_batch_is_named_when_batches_overlap(monkeypatch, tmp_path):
    # Batches of two: batch 2 (rows 3-4) is written while batch 3 is parsed and looked up.
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    folder = copy_sample(tmp_path)
    relationships = read_table(folder, "cmdb_rel_ci")
    relationships[2]["child"] = relationships[2]["parent"]
    write_table(folder, "cmdb_rel_ci", relationships)

    with pytest.raises(ImportFailure, match="cmdb_rel_ci.json: the database refused rows 3-4"):
        import_folder(folder)
