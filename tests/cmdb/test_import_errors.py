"""A bad file or row aborts the whole import: non-zero exit, file/row/field named, nothing changed."""

import pytest
from django.core.management import CommandError, call_command

from cmdb.servicenow.importer import import_folder
from tests.fixtures.servicenow.helpers import SAMPLE, copy_sample, database_snapshot, read_table, write_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    """The sample imported once, so a failed re-import could damage existing rows too."""
    import_folder(SAMPLE)
    return database_snapshot()


@pytest.fixture
def folder(tmp_path):
    """The sample with one change in an early table, so a half-done load would be visible."""
    folder = copy_sample(tmp_path)
    companies = read_table(folder, "core_company")
    companies[0]["name"] = "Renamed by the failed import"
    write_table(folder, "core_company", companies)
    return folder


def break_row(folder, table, index, **changes):
    rows = read_table(folder, table)
    rows[index].update(changes)
    write_table(folder, table, rows)


def run_import(folder):
    with pytest.raises(CommandError) as error:
        call_command("import_servicenow", str(folder))
    return str(error.value)


def test_malformed_json_aborts(loaded, folder):
    (folder / "cmdb_rel_ci.json").write_text('{"result": [ {"sys_id": ')

    message = run_import(folder)

    assert "cmdb_rel_ci.json" in message
    assert "malformed JSON" in message
    assert database_snapshot() == loaded


def test_unknown_reference_aborts(loaded, folder):
    break_row(folder, "cmdb_rel_ci", 2, child="f" * 32)

    message = run_import(folder)

    assert "cmdb_rel_ci.json, row 3, field child" in message
    assert "f" * 32 in message
    assert database_snapshot() == loaded


def test_bad_choice_value_aborts(loaded, folder):
    break_row(folder, "cmdb_ci_db_instance", 0, operational_status="9")

    message = run_import(folder)

    assert "cmdb_ci_db_instance.json, row 1, field operational_status" in message
    assert database_snapshot() == loaded


def test_bad_boolean_aborts(loaded, folder):
    break_row(folder, "sys_user", 1, active="maybe")

    message = run_import(folder)

    assert "sys_user.json, row 2, field active" in message
    assert database_snapshot() == loaded


def test_bad_number_aborts(loaded, folder):
    break_row(folder, "cmdb_ci", 1, cpu_count="eight")

    message = run_import(folder)

    assert "cmdb_ci.json, row 2, field cpu_count" in message
    assert database_snapshot() == loaded


def test_bad_sys_id_aborts(loaded, folder):
    break_row(folder, "service_offering", 1, sys_id="not-a-sys-id")

    message = run_import(folder)

    assert "service_offering.json, row 2, field sys_id" in message
    assert database_snapshot() == loaded


def test_bad_sys_id_in_a_reference_aborts(loaded, folder):
    break_row(folder, "sys_user", 0, manager="12345")

    message = run_import(folder)

    assert "sys_user.json, row 1, field manager" in message
    assert database_snapshot() == loaded


def test_row_that_is_not_an_object_aborts(loaded, folder):
    rows = read_table(folder, "service_commitment")
    write_table(folder, "service_commitment", [*rows, ["not", "an", "object"]])

    message = run_import(folder)

    assert "service_commitment.json, row 2" in message
    assert "JSON object" in message
    assert database_snapshot() == loaded


def test_missing_required_field_aborts(loaded, folder):
    rows = read_table(folder, "cmdb_rel_ci")
    write_table(folder, "cmdb_rel_ci", [*rows, {"sys_id": "e" * 32, "parent": rows[0]["parent"], "type": ""}])

    message = run_import(folder)

    assert "cmdb_rel_ci.json, row 5, field type" in message
    assert database_snapshot() == loaded


def test_missing_name_on_a_new_row_aborts(loaded, folder):
    rows = read_table(folder, "cmdb_ci_service_business")
    write_table(folder, "cmdb_ci_service_business", [*rows, {"sys_id": "d" * 32}])

    message = run_import(folder)

    assert "cmdb_ci_service_business.json, row 2, field name" in message
    assert database_snapshot() == loaded


def test_file_without_result_list_aborts(loaded, folder):
    (folder / "sys_user_group.json").write_text('[{"sys_id": "x"}]')

    message = run_import(folder)

    assert "sys_user_group.json" in message
    assert database_snapshot() == loaded


def test_class_that_is_not_a_ci_class_aborts(loaded, folder):
    break_row(folder, "cmdb_ci", 0, sys_class_name="sys_user")

    message = run_import(folder)

    assert "cmdb_ci.json, row 1, field sys_class_name" in message
    assert database_snapshot() == loaded


def test_existing_ci_cannot_change_class(loaded, folder):
    break_row(folder, "cmdb_ci", 0, sys_class_name="cmdb_ci_server")

    message = run_import(folder)

    assert "cmdb_ci.json, row 1, field sys_class_name" in message
    assert "already exists as cmdb_ci_win_server" in message
    assert database_snapshot() == loaded


def test_relationship_of_a_ci_with_itself_aborts(loaded, folder):
    rows = read_table(folder, "cmdb_rel_ci")
    break_row(folder, "cmdb_rel_ci", 0, child=rows[0]["parent"])

    message = run_import(folder)

    assert "cmdb_rel_ci.json" in message
    assert "refused rows 1-4" in message
    assert database_snapshot() == loaded


def test_portfolio_parent_cycle_aborts(loaded, folder):
    nodes = read_table(folder, "service_portfolio")
    break_row(folder, "service_portfolio", 2, parent=nodes[1]["sys_id"])

    message = run_import(folder)

    assert "service_portfolio.json" in message
    assert "field parent" in message
    assert "cycle" in message
    assert database_snapshot() == loaded


def test_failed_import_into_an_empty_database_leaves_it_empty(folder):
    before = database_snapshot()
    break_row(folder, "service_subscribe_sys_user_grp", 0, sys_user_group="a" * 32)

    message = run_import(folder)

    assert "service_subscribe_sys_user_grp.json, row 1, field sys_user_group" in message
    assert database_snapshot() == before
