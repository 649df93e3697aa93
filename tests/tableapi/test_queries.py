"""Encoded queries over HTTP: each operator filters as in ServiceNow; a bad query is a 400 naming the part."""

import pytest

from tests.api.helpers import client_for, user_with_perms
from tests.factories.cmdb import CompanyFactory, ConfigurationItemFactory, GroupFactory, ServerFactory
from tests.factories.offerings import ServiceOfferingFactory
from tests.tableapi.helpers import result_names, table_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def servers():
    acme = CompanyFactory(name="Acme")
    group = GroupFactory(name="Unix")
    ServerFactory(name="app-01", cpu_count=2, company=acme, support_group=group, os="Linux")
    ServerFactory(name="app-02", cpu_count=4, company=acme, os="Linux")
    ServerFactory(name="db-01", cpu_count=8, os="")
    ServerFactory(name="DB-02", cpu_count=16, os="Windows")
    return client_for(user_with_perms("cmdb.view_server", "cmdb.view_configurationitem"))


def names_for(client, query, table="cmdb_ci_server"):
    return result_names(client.get(table_url(table), {"sysparm_query": query}))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=app-01", ["app-01"]),
        ("name!=app-01", ["DB-02", "app-02", "db-01"]),
        ("cpu_count>4", ["DB-02", "db-01"]),
        ("cpu_count>=4", ["DB-02", "app-02", "db-01"]),
        ("cpu_count<4", ["app-01"]),
        ("cpu_count<=4", ["app-01", "app-02"]),
        ("nameINapp-01,db-01", ["app-01", "db-01"]),
        ("nameNOT INapp-01,db-01", ["DB-02", "app-02"]),
        ("nameSTARTSWITHdb", ["DB-02", "db-01"]),
        ("nameENDSWITH01", ["app-01", "db-01"]),
        ("nameLIKEpp", ["app-01", "app-02"]),
        ("nameCONTAINSpp", ["app-01", "app-02"]),
        ("nameNOT LIKEpp", ["DB-02", "db-01"]),
        ("nameDOES NOT CONTAINpp", ["DB-02", "db-01"]),
        ("osISEMPTY", ["db-01"]),
        ("osISNOTEMPTY", ["DB-02", "app-01", "app-02"]),
        ("support_groupISEMPTY", ["DB-02", "app-02", "db-01"]),
        ("company.name=Acme", ["app-01", "app-02"]),
        ("company.nameSTARTSWITHAc^cpu_count>2", ["app-02"]),
        ("name=app-01^ORname=db-01", ["app-01", "db-01"]),
        ("cpu_count>2^cpu_count<16", ["app-02", "db-01"]),
        ("name=app-01^NQcpu_count>8", ["DB-02", "app-01"]),
        ("os=", ["db-01"]),
    ],
)
def test_operators_and_connectors(servers, query, expected):
    assert names_for(servers, query) == expected


def test_a_reference_compares_by_sys_id(servers):
    acme = CompanyFactory._meta.model.objects.get(name="Acme")
    assert names_for(servers, f"company={acme.sys_id.hex}") == ["app-01", "app-02"]


def test_orderby_and_orderbydesc(servers):
    response = servers.get(table_url("cmdb_ci_server"), {"sysparm_query": "ORDERBYDESCcpu_count"})
    assert [row["name"] for row in response.json()["result"]] == ["DB-02", "db-01", "app-02", "app-01"]
    response = servers.get(table_url("cmdb_ci_server"), {"sysparm_query": "ORDERBYcpu_count"})
    assert [row["name"] for row in response.json()["result"]] == ["app-01", "app-02", "db-01", "DB-02"]


def test_base_table_filters_on_class_and_instanceof(servers):
    ConfigurationItemFactory(name="linux-01", sys_class_name="cmdb_ci_linux_server")
    ServiceOfferingFactory(name="Gold")
    client = client_for(user_with_perms("cmdb.view_configurationitem"))

    assert names_for(client, "sys_class_name=cmdb_ci_linux_server", "cmdb_ci") == ["linux-01"]
    assert names_for(client, "sys_class_nameINSTANCEOFcmdb_ci_server", "cmdb_ci") == [
        "DB-02",
        "app-01",
        "app-02",
        "db-01",
    ]
    # Offerings are services: INSTANCEOF includes the classes below the one named.
    service_names = names_for(client, "sys_class_nameINSTANCEOFcmdb_ci_service", "cmdb_ci")
    assert "Gold" in service_names
    assert "app-01" not in service_names
    assert names_for(client, "", "cmdb_ci_linux_server") == ["linux-01"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("colour=red", "colour"),
        ("company.colour=red", "colour"),
        ("name.length=3", "'name' is not a reference"),
        ("nameBETWEEN1@2", "BETWEEN"),
        ("cpu_count>lots", "cpu_count"),
        ("company=not-a-sys-id", "not-a-sys-id"),
        ("nameINSTANCEOFcmdb_ci_server", "sys_class_name only"),
        ("sys_class_nameINSTANCEOFsys_user", "sys_user"),
        ("ORDERBYcolour", "colour"),
        ("ORname=a", "ORname=a"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_offending_part(servers, query, named):
    response = servers.get(table_url("cmdb_ci_server"), {"sysparm_query": query})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "failure"
    assert named in body["error"]["message"] + " " + body["error"]["detail"]


def test_unknown_field_in_sysparm_fields_is_a_400(servers):
    response = servers.get(table_url("cmdb_ci_server"), {"sysparm_fields": "name,colour"})
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["message"]
