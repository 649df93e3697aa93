"""A first load on PostgreSQL sets the secondary indexes and foreign keys aside and rebuilds them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmdb.models import Relationship
from cmdb.servicenow import importer
from cmdb.servicenow.importer import ImportFailure, import_folder
from tests.fixtures.servicenow.helpers import SAMPLE, copy_sample, database_snapshot, read_table, write_table

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bulk loads are a PostgreSQL path"),
]

TABLES = ("cmdb_ci", "cmdb_ci_server", "cmdb_rel_ci", "sys_user")


@pytest.fixture
def small_bulk_loads(monkeypatch):
    """Any load that triples a table counts as a bulk load, so that the sample is one."""
    monkeypatch.setattr(importer, "BULK_LOAD_MIN_ROWS", 1)


def index_and_key_definitions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s) "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(TABLES), list(TABLES)],
        )
        return cursor.fetchall()


def test_a_first_load_rebuilds_every_index_and_key(small_bulk_loads):
    before = index_and_key_definitions()

    with CaptureQueriesContext(connection) as queries:
        result = import_folder(SAMPLE)

    assert any(query["sql"].startswith("DROP INDEX") for query in queries.captured_queries)
    assert index_and_key_definitions() == before
    assert result.tables["cmdb_rel_ci"].created == Relationship.objects.count() == 4


def test_a_plain_reimport_finds_nothing_to_change_after_a_bulk_load(small_bulk_loads, monkeypatch):
    import_folder(SAMPLE)
    bulk = database_snapshot()
    monkeypatch.setattr(importer, "BULK_LOAD_MIN_ROWS", 10**9)

    result = import_folder(SAMPLE)

    assert sum(counts.created + counts.updated for counts in result.tables.values()) == 0
    assert database_snapshot() == bulk


def test_a_reimport_keeps_the_indexes_in_place(small_bulk_loads):
    import_folder(SAMPLE)

    with CaptureQueriesContext(connection) as queries:
        import_folder(SAMPLE)

    assert not any(
        query["sql"].startswith(("DROP INDEX", "ALTER TABLE")) for query in queries.captured_queries
    )


def test_a_failed_bulk_load_leaves_indexes_and_rows_as_they_were(small_bulk_loads, tmp_path):
    folder = copy_sample(tmp_path)
    rows = read_table(folder, "service_subscribe_sys_user_grp")
    rows[0]["sys_user_group"] = "a" * 32
    write_table(folder, "service_subscribe_sys_user_grp", rows)
    before = index_and_key_definitions(), database_snapshot()

    with pytest.raises(ImportFailure, match="row 1, field sys_user_group"):
        import_folder(folder)

    assert (index_and_key_definitions(), database_snapshot()) == before


def test_a_duplicate_relationship_is_still_refused_by_its_batch(small_bulk_loads, tmp_path):
    folder = copy_sample(tmp_path)
    rows = read_table(folder, "cmdb_rel_ci")
    rows.append(rows[0] | {"sys_id": "b" * 32})
    write_table(folder, "cmdb_rel_ci", rows)

    with pytest.raises(ImportFailure, match="cmdb_rel_ci.json: the database refused rows 1-5"):
        import_folder(folder)
