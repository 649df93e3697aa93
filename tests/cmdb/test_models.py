import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cmdb.models import BusinessService, ConfigurationItem, Relationship, RelationshipType, Server
from tests.factories.cmdb import (
    BusinessServiceFactory,
    ConfigurationItemFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    ServerFactory,
)

pytestmark = pytest.mark.django_db


def test_tables_carry_servicenow_names():
    tables = set(connection.introspection.table_names())
    expected = {
        "sys_user", "sys_user_group", "sys_user_grmember", "core_company", "cmn_location",
        "cmn_department", "cmdb_ci", "cmdb_ci_service", "cmdb_ci_service_business",
        "cmdb_ci_service_technical", "cmdb_ci_service_auto", "cmdb_ci_business_app", "cmdb_ci_appl",
        "cmdb_ci_server", "cmdb_ci_db_instance", "cmdb_rel_type", "cmdb_rel_ci", "cmdb_model",
        "cmdb_application_product_model", "cmdb_service_product_model", "cmdb_software_product_model",
        "service_portfolio", "service_offering",
    }  # fmt: skip
    assert expected <= tables


def test_subclass_keeps_its_class_name_on_the_base_row():
    server = ServerFactory()
    assert ConfigurationItem.objects.get(pk=server.pk).sys_class_name == "cmdb_ci_server"
    assert BusinessServiceFactory().sys_class_name == "cmdb_ci_service_business"


def test_base_row_keeps_a_class_without_subclass():
    ci = ConfigurationItem.objects.create(name="lnx01", sys_class_name="cmdb_ci_linux_server")
    ci.refresh_from_db()
    assert ci.sys_class_name == "cmdb_ci_linux_server"
    assert ConfigurationItem.objects.create(name="thing").sys_class_name == "cmdb_ci"


def test_sys_id_is_written_as_32_hex_characters():
    ci = ConfigurationItemFactory()
    assert len(ci.sys_id_hex) == 32
    assert ci.sys_id_hex == ci.sys_id_hex.lower()
    assert "-" not in ci.sys_id_hex


def test_standard_relationship_types_exist_under_servicenow_sys_ids():
    depends_on = RelationshipType.objects.get(name="Depends on::Used by")
    assert depends_on.sys_id.hex == "1a9cb166f1571100a92eb60da2bce5c5"
    assert depends_on.propagates_impact
    assert depends_on.parent_descriptor == "Depends on"
    assert depends_on.child_descriptor == "Used by"
    assert not RelationshipType.objects.get(name="Connects to::Connected by").propagates_impact


def test_database_refuses_a_duplicate_relationship():
    relationship = RelationshipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(
            parent=relationship.parent, type=relationship.type, child=relationship.child
        )


def test_database_refuses_a_self_relationship():
    ci = ConfigurationItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(parent=ci, type=RelationshipTypeFactory(), child=ci)


def test_validation_explains_a_self_relationship():
    ci = ConfigurationItemFactory()
    relationship = Relationship(parent=ci, type=RelationshipTypeFactory(), child=ci)
    with pytest.raises(ValidationError, match="cannot have a relationship with itself"):
        relationship.full_clean()


def test_validation_explains_a_duplicate_relationship():
    existing = RelationshipFactory()
    duplicate = Relationship(parent=existing.parent, type=existing.type, child=existing.child)
    with pytest.raises(ValidationError, match="already have a relationship of this type"):
        duplicate.full_clean()


def test_relationship_type_name_needs_both_descriptors():
    with pytest.raises(ValidationError):
        RelationshipType(name="Depends on").full_clean()


def test_business_service_is_a_ci_and_a_service():
    service = BusinessServiceFactory(name="Payroll")
    assert BusinessService.objects.get(pk=service.pk).name == "Payroll"
    assert ConfigurationItem.objects.filter(name="Payroll").count() == 1
    assert not Server.objects.filter(pk=service.pk).exists()
