"""/api/v1/cis/, /business-services/, /relationships/: sys_id lookups, filters, writes, errors."""

import uuid

import pytest
from django.urls import reverse

from cmdb.models import ConfigurationItem, Relationship
from tests.api.helpers import client_for, rel_type, user_with_perms
from tests.factories.cmdb import (
    BusinessServiceFactory,
    CompanyFactory,
    ConfigurationItemFactory,
    RelationshipFactory,
    ServerFactory,
)
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db

CI_PERMS = (
    "cmdb.view_configurationitem",
    "cmdb.add_configurationitem",
    "cmdb.change_configurationitem",
    "cmdb.delete_configurationitem",
)
REL_PERMS = ("cmdb.view_relationship", "cmdb.add_relationship", "cmdb.change_relationship")


@pytest.fixture
def ci_client():
    return client_for(user_with_perms(*CI_PERMS))


@pytest.fixture
def rel_client():
    return client_for(user_with_perms(*REL_PERMS))


def ci_url(ci):
    return reverse("cmdb-api:ci-detail", args=[ci.sys_id.hex])


def test_ci_detail_by_sys_id(ci_client):
    server = ServerFactory(name="srv-1")
    body = ci_client.get(ci_url(server)).json()
    assert (body["sys_id"], body["name"], body["sys_class_name"]) == (
        server.sys_id.hex,
        "srv-1",
        "cmdb_ci_server",
    )


def test_ci_detail_accepts_a_hyphenated_sys_id(ci_client):
    server = ServerFactory()
    response = ci_client.get(reverse("cmdb-api:ci-detail", args=[str(server.sys_id)]))
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["not-a-sys-id", "12345", "g" * 32])
def test_malformed_sys_id_is_404(ci_client, value):
    assert ci_client.get(reverse("cmdb-api:ci-detail", args=[value])).status_code == 404


def test_unknown_sys_id_is_404(ci_client):
    assert ci_client.get(reverse("cmdb-api:ci-detail", args=[uuid.uuid4().hex])).status_code == 404


def test_references_are_written_as_sys_ids(ci_client):
    company = CompanyFactory()
    server = ServerFactory(company=company)
    assert ci_client.get(ci_url(server)).json()["company"] == company.sys_id.hex


def test_filter_by_class(ci_client):
    ServerFactory(name="srv")
    BusinessServiceFactory(name="Billing")
    response = ci_client.get(reverse("cmdb-api:ci-list"), {"sys_class_name": "cmdb_ci_server"})
    assert [row["name"] for row in response.json()["results"]] == ["srv"]


def test_filter_by_several_classes(ci_client):
    ServerFactory(name="srv")
    BusinessServiceFactory(name="Billing")
    ConfigurationItemFactory(name="plain")
    response = ci_client.get(
        reverse("cmdb-api:ci-list"), {"sys_class_name": "cmdb_ci_server,cmdb_ci_service_business"}
    )
    assert [row["name"] for row in response.json()["results"]] == ["Billing", "srv"]


def test_filter_by_name_and_status(ci_client):
    ServerFactory(name="srv-a", operational_status=1)
    ServerFactory(name="srv-b", operational_status=2)
    response = ci_client.get(reverse("cmdb-api:ci-list"), {"name__ic": "srv", "operational_status": 2})
    assert [row["name"] for row in response.json()["results"]] == ["srv-b"]


def test_filter_by_company_sys_id(ci_client):
    company = CompanyFactory()
    ServerFactory(name="theirs", company=company)
    ServerFactory(name="other")
    response = ci_client.get(reverse("cmdb-api:ci-list"), {"company": company.sys_id.hex})
    assert [row["name"] for row in response.json()["results"]] == ["theirs"]


def test_malformed_filter_value_is_a_400(ci_client):
    response = ci_client.get(reverse("cmdb-api:ci-list"), {"company": "nope"})
    assert response.status_code == 400
    assert list(response.json()) == ["company"]


def test_list_is_paginated_with_limit_and_offset(ci_client):
    ServerFactory.create_batch(3)
    body = ci_client.get(reverse("cmdb-api:ci-list"), {"limit": 2, "offset": 1}).json()
    assert (body["count"], len(body["results"])) == (3, 2)


def test_create_a_ci_of_an_unmodelled_class(ci_client):
    response = ci_client.post(
        reverse("cmdb-api:ci-list"),
        {"name": "lnx-1", "sys_class_name": "cmdb_ci_linux_server"},
        format="json",
    )
    assert response.status_code == 201
    assert ConfigurationItem.objects.get(name="lnx-1").sys_class_name == "cmdb_ci_linux_server"


def test_create_a_ci_of_a_modelled_class_is_refused(ci_client):
    response = ci_client.post(
        reverse("cmdb-api:ci-list"), {"name": "srv", "sys_class_name": "cmdb_ci_server"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["sys_class_name"]


def test_unknown_reference_is_a_400_naming_it(ci_client):
    unknown = uuid.uuid4().hex
    response = ci_client.post(reverse("cmdb-api:ci-list"), {"name": "x", "company": unknown}, format="json")
    assert response.json() == {"company": [f"Unknown sys_id {unknown}."]}


def test_malformed_reference_is_a_400_naming_it(ci_client):
    response = ci_client.post(reverse("cmdb-api:ci-list"), {"name": "x", "company": "acme"}, format="json")
    assert response.json() == {"company": ["'acme' is not a sys_id."]}


def test_update_a_ci(ci_client):
    server = ServerFactory()
    response = ci_client.patch(ci_url(server), {"short_description": "web tier"}, format="json")
    assert response.json()["short_description"] == "web tier"


def test_business_services_count_their_offerings(ci_client):
    billing = BusinessServiceFactory()
    ServiceOfferingFactory.create_batch(2, parent=billing)
    client = client_for(user_with_perms("cmdb.view_businessservice"))
    body = client.get(reverse("cmdb-api:business-service-detail", args=[billing.sys_id.hex])).json()
    assert body["offering_count"] == 2


# --- relationships ------------------------------------------------------------------------------


def post_relationship(client, parent, child, type_name="Depends on::Used by"):
    data = {"parent": parent.sys_id.hex, "child": child.sys_id.hex, "type": rel_type(type_name).sys_id.hex}
    return client.post(reverse("cmdb-api:relationship-list"), data, format="json")


def test_create_relationship(rel_client):
    app, server = ConfigurationItemFactory(), ServerFactory()
    response = post_relationship(rel_client, app, server)
    assert response.status_code == 201
    assert response.json()["type_name"] == "Depends on::Used by"


def test_duplicate_relationship_is_a_400_with_the_constraint_message(rel_client):
    app, server = ConfigurationItemFactory(), ServerFactory()
    RelationshipFactory(parent=app, child=server, type=rel_type("Depends on::Used by"))
    response = post_relationship(rel_client, app, server)
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["These two CIs already have a relationship of this type."]
    }


def test_relationship_to_itself_is_a_400_with_the_constraint_message(rel_client):
    server = ServerFactory()
    response = post_relationship(rel_client, server, server)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A CI cannot have a relationship with itself."]}
    assert not Relationship.objects.exists()


def test_relationship_with_unknown_child_is_a_400(rel_client):
    app = ConfigurationItemFactory()
    unknown = uuid.uuid4().hex
    data = {"parent": app.sys_id.hex, "child": unknown, "type": rel_type("Runs on::Runs").sys_id.hex}
    response = rel_client.post(reverse("cmdb-api:relationship-list"), data, format="json")
    assert response.json() == {"child": [f"Unknown sys_id {unknown}."]}


def test_relationships_filter_by_parent_child_and_type(rel_client):
    app, server, db = ConfigurationItemFactory(), ServerFactory(), ServerFactory()
    wanted = RelationshipFactory(parent=app, child=server, type=rel_type("Runs on::Runs"))
    RelationshipFactory(parent=app, child=db, type=rel_type("Runs on::Runs"))
    RelationshipFactory(parent=app, child=server, type=rel_type("Depends on::Used by"))
    params = {
        "parent": app.sys_id.hex,
        "child": str(server.sys_id),
        "type": rel_type("Runs on::Runs").sys_id.hex,
    }
    response = rel_client.get(reverse("cmdb-api:relationship-list"), params)
    assert [row["sys_id"] for row in response.json()["results"]] == [wanted.sys_id.hex]


def test_relationships_filter_by_type_name(rel_client):
    app, server = ConfigurationItemFactory(), ServerFactory()
    RelationshipFactory(parent=app, child=server, type=rel_type("Runs on::Runs"))
    response = rel_client.get(reverse("cmdb-api:relationship-list"), {"type_name": "Depends on::Used by"})
    assert response.json()["count"] == 0


def test_create_a_business_service_in_a_portfolio():
    from tests.factories.portfolio import PortfolioNodeFactory

    node = PortfolioNodeFactory()
    client = client_for(user_with_perms("cmdb.view_businessservice", "cmdb.add_businessservice"))
    response = client.post(
        reverse("cmdb-api:business-service-list"),
        {"name": "Payments", "portfolio": str(node.sys_id), "sys_class_name": "ignored"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["sys_class_name"], body["portfolio"], body["offering_count"]) == (
        "cmdb_ci_service_business",
        node.sys_id.hex,
        0,
    )
