import json

import pytest
from django.core.management import call_command

from cmdb.models import (
    Company,
    ConfigurationItem,
    Department,
    Group,
    GroupMembership,
    Location,
    ProductModel,
    Relationship,
    RelationshipType,
    User,
)
from cmdb.relationship_types import STANDARD_RELATIONSHIP_TYPES
from cmdb.servicenow.exporter import export_folder
from cmdb.servicenow.importer import import_folder
from cmdb.servicenow.registry import table_specs
from offerings.models import SUBSCRIPTION_MODELS, OfferingCommitment, ServiceCommitment
from portfolio.models import PortfolioNode
from tests.fixtures.servicenow.helpers import SAMPLE, read_table

pytestmark = pytest.mark.django_db


def empty_database():
    """Delete every imported row, children before parents (the standard relationship types stay)."""
    for model, _ in SUBSCRIPTION_MODELS:
        model.objects.all().delete()
    OfferingCommitment.objects.all().delete()
    ServiceCommitment.objects.all().delete()
    Relationship.objects.all().delete()
    ConfigurationItem.objects.all().delete()
    ProductModel.objects.all().delete()
    for node in PortfolioNode.objects.order_by("-level"):
        node.delete()
    GroupMembership.objects.all().delete()
    Group.objects.all().delete()
    Department.objects.all().delete()
    User.objects.all().delete()
    Location.objects.all().delete()
    Company.objects.all().delete()
    RelationshipType.objects.exclude(name__in=[name for name, _, _ in STANDARD_RELATIONSHIP_TYPES]).delete()


def folder_contents(folder):
    return {file.name: file.read_text() for file in sorted(folder.glob("*.json"))}


def test_round_trip_gives_identical_files(tmp_path):
    import_folder(SAMPLE)
    export_folder(tmp_path / "first")
    empty_database()

    import_folder(tmp_path / "first")
    export_folder(tmp_path / "second")

    assert folder_contents(tmp_path / "second") == folder_contents(tmp_path / "first")


def test_export_writes_one_file_per_table(tmp_path):
    import_folder(SAMPLE)

    export_folder(tmp_path)

    assert {file.stem for file in tmp_path.glob("*.json")} == set(table_specs())


def test_base_ci_rows_are_exported_with_their_class(tmp_path):
    import_folder(SAMPLE)

    export_folder(tmp_path)

    classes = {row["name"]: row["sys_class_name"] for row in read_table(tmp_path, "cmdb_ci")}
    assert classes == {"lnx-001": "cmdb_ci_linux_server", "win-001": "cmdb_ci_win_server"}


def test_each_ci_class_is_exported_to_its_own_file(tmp_path):
    import_folder(SAMPLE)

    export_folder(tmp_path)

    assert [row["name"] for row in read_table(tmp_path, "cmdb_ci_server")] == ["srv-001"]
    assert [row["name"] for row in read_table(tmp_path, "cmdb_ci_service")] == []
    assert {row["sys_class_name"] for row in read_table(tmp_path, "service_offering")} == {"service_offering"}


def test_references_are_plain_sys_ids_and_booleans_are_words(tmp_path):
    import_folder(SAMPLE)

    export_folder(tmp_path)

    user = next(row for row in read_table(tmp_path, "sys_user") if row["user_name"] == "cio")
    cio = User.objects.get(username="cio")
    assert user["sys_id"] == cio.sys_id.hex
    assert user["department"] == cio.department.sys_id.hex
    assert user["manager"] == ""
    assert user["active"] == "true"


def test_merged_relationship_type_is_exported_under_the_local_sys_id(tmp_path):
    import_folder(SAMPLE)

    export_folder(tmp_path)

    types = {row["name"]: row for row in read_table(tmp_path, "cmdb_rel_type")}
    depends_on = types["Depends on::Used by"]
    assert depends_on["sys_id"] == "1a9cb166f1571100a92eb60da2bce5c5"
    assert (depends_on["parent_descriptor"], depends_on["child_descriptor"]) == ("Depends on", "Used by")


def test_export_output_is_the_table_api_shape(tmp_path):
    import_folder(SAMPLE)

    call_command("export_servicenow", str(tmp_path))

    document = json.loads((tmp_path / "service_commitment.json").read_text())
    assert document["result"][0]["target_value"] == "99.9"


def test_demo_round_trip_gives_identical_files(tmp_path):
    demo = SAMPLE.parents[3] / "demo"
    import_folder(demo)
    export_folder(tmp_path / "first")
    empty_database()

    import_folder(tmp_path / "first")
    export_folder(tmp_path / "second")

    assert folder_contents(tmp_path / "second") == folder_contents(tmp_path / "first")
