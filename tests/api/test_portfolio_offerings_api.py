"""/api/v1/portfolio-nodes/ and /api/v1/offerings/."""

import pytest
from django.urls import reverse

from offerings.models import ServiceOffering
from tests.api.helpers import client_for, user_with_perms
from tests.factories.cmdb import BusinessServiceFactory
from tests.factories.offerings import ServiceOfferingFactory
from tests.factories.portfolio import PortfolioNodeFactory

pytestmark = pytest.mark.django_db

NODE_PERMS = ("portfolio.view_portfolionode", "portfolio.add_portfolionode", "portfolio.change_portfolionode")
OFFERING_PERMS = ("offerings.view_serviceoffering", "offerings.add_serviceoffering")


@pytest.fixture
def node_client():
    return client_for(user_with_perms(*NODE_PERMS))


def test_create_a_child_node(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    response = node_client.post(
        reverse("portfolio-api:portfolio-node-list"),
        {"name": "Finance", "parent": root.sys_id.hex},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["parent"], response.json()["level"]) == (root.sys_id.hex, 1)


def test_moving_a_node_below_its_descendant_is_a_400(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    child = PortfolioNodeFactory(name="Finance", parent=root)
    response = node_client.patch(
        reverse("portfolio-api:portfolio-node-detail", args=[root.sys_id.hex]),
        {"parent": child.sys_id.hex},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["parent"]


def test_duplicate_root_name_is_a_400(node_client):
    PortfolioNodeFactory(name="Enterprise")
    response = node_client.post(
        reverse("portfolio-api:portfolio-node-list"), {"name": "Enterprise"}, format="json"
    )
    assert response.json() == {"non_field_errors": ["A top-level portfolio with this name already exists."]}


def test_nodes_count_their_services(node_client):
    node = PortfolioNodeFactory()
    BusinessServiceFactory.create_batch(2, portfolio=node)
    body = node_client.get(reverse("portfolio-api:portfolio-node-detail", args=[node.sys_id.hex])).json()
    assert body["service_count"] == 2


def test_deleting_a_node_with_children_is_a_409():
    root = PortfolioNodeFactory()
    PortfolioNodeFactory(parent=root)
    client = client_for(user_with_perms("portfolio.view_portfolionode", "portfolio.delete_portfolionode"))
    response = client.delete(reverse("portfolio-api:portfolio-node-detail", args=[root.sys_id.hex]))
    assert response.status_code == 409


def test_create_an_offering_of_a_service():
    billing = BusinessServiceFactory(business_criticality="1 - most critical")
    client = client_for(user_with_perms(*OFFERING_PERMS))
    response = client.post(
        reverse("offerings-api:offering-list"),
        {"name": "Billing Gold", "parent": billing.sys_id.hex},
        format="json",
    )
    assert response.status_code == 201
    assert ServiceOffering.objects.get(name="Billing Gold").business_criticality == "1 - most critical"


def test_offerings_filter_by_parent():
    billing = BusinessServiceFactory()
    ServiceOfferingFactory(name="Gold", parent=billing)
    ServiceOfferingFactory(name="Other")
    client = client_for(user_with_perms(*OFFERING_PERMS))
    response = client.get(reverse("offerings-api:offering-list"), {"parent": billing.sys_id.hex})
    assert [row["name"] for row in response.json()["results"]] == ["Gold"]
