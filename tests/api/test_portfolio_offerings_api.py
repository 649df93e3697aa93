"""/api/v1/portfolio-nodes/ and /api/v1/offerings/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offerings.models import ServiceOffering
from portfolio.models import PortfolioNode
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


def node_url(node):
    return reverse("portfolio-api:portfolio-node-detail", args=[node.sys_id.hex])


def test_a_node_cannot_become_its_own_parent(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    response = node_client.patch(node_url(root), {"parent": root.sys_id.hex}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["parent"])


def test_a_refused_move_leaves_the_node_where_it_was(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    child = PortfolioNodeFactory(name="Finance", parent=root)
    grandchild = PortfolioNodeFactory(name="Payroll", parent=child)
    node_client.patch(node_url(root), {"parent": grandchild.sys_id.hex}, format="json")
    assert PortfolioNode.objects.get(pk=root.pk).parent_id is None
    assert [node.name for node in PortfolioNode.objects.get(pk=root.pk).get_descendants()] == [
        "Finance",
        "Payroll",
    ]


def test_moving_next_to_a_sibling_of_the_same_name_is_a_400(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    finance = PortfolioNodeFactory(name="Finance", parent=root)
    payroll = PortfolioNodeFactory(name="Payroll", parent=finance)
    PortfolioNodeFactory(name="Payroll", parent=root)
    response = node_client.patch(node_url(payroll), {"parent": root.sys_id.hex}, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["A sibling with this name already exists."]},
    )
    assert PortfolioNode.objects.get(pk=payroll.pk).parent_id == finance.pk


def test_creating_a_sibling_of_the_same_name_is_a_400(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    PortfolioNodeFactory(name="Finance", parent=root)
    response = node_client.post(
        reverse("portfolio-api:portfolio-node-list"),
        {"name": "Finance", "parent": root.sys_id.hex},
        format="json",
    )
    assert response.json() == {"non_field_errors": ["A sibling with this name already exists."]}


def test_a_valid_move_keeps_the_tree_consistent(node_client):
    a = PortfolioNodeFactory(name="A")
    b = PortfolioNodeFactory(name="B")
    a1 = PortfolioNodeFactory(name="A1", parent=a)
    PortfolioNodeFactory(name="A1x", parent=a1)
    response = node_client.patch(node_url(a1), {"parent": b.sys_id.hex}, format="json")
    assert (response.status_code, response.json()["path"]) == (200, ["B", "A1"])
    assert [node.name for node in PortfolioNode.objects.get(pk=b.pk).get_descendants()] == ["A1", "A1x"]
    assert PortfolioNode.objects.get(pk=a.pk).get_descendant_count() == 0


def test_writes_take_the_tree_lock(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    with CaptureQueriesContext(connection) as captured:
        node_client.post(
            reverse("portfolio-api:portfolio-node-list"),
            {"name": "Finance", "parent": root.sys_id.hex},
            format="json",
        )
    locks = [query["sql"] for query in captured if "pg_advisory_xact_lock" in query["sql"]]
    assert bool(locks) is (connection.vendor == "postgresql")


def test_a_node_shows_its_path(node_client):
    root = PortfolioNodeFactory(name="Insurance Services")
    motor = PortfolioNodeFactory(name="Motor", parent=PortfolioNodeFactory(name="Claims", parent=root))
    assert node_client.get(node_url(motor)).json()["path"] == ["Insurance Services", "Claims", "Motor"]


def test_path_is_read_only(node_client):
    root = PortfolioNodeFactory(name="Enterprise")
    response = node_client.patch(node_url(root), {"path": ["Elsewhere", "Enterprise"]}, format="json")
    assert (response.status_code, response.json()["path"]) == (200, ["Enterprise"])


def test_node_list_query_count_does_not_grow_with_paths(node_client):
    PortfolioNodeFactory(name="Root")
    url = reverse("portfolio-api:portfolio-node-list")
    node_client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        node_client.get(url)
    with_one_node = len(captured)
    parent = PortfolioNodeFactory(name="Other")
    for depth in range(10):
        parent = PortfolioNodeFactory(name=f"Level {depth}", parent=parent)
    with CaptureQueriesContext(connection) as captured:
        body = node_client.get(url).json()
    paths = {row["name"]: row["path"] for row in body["results"]}
    assert paths["Level 9"] == ["Other", *[f"Level {depth}" for depth in range(10)]]
    assert len(captured) == with_one_node


def test_a_refused_delete_leaves_the_tree_untouched():
    root = PortfolioNodeFactory(name="Enterprise")
    finance = PortfolioNodeFactory(name="Finance", parent=root)
    PortfolioNodeFactory(name="Payroll", parent=finance)
    PortfolioNodeFactory(name="Sales", parent=root)
    before = list(PortfolioNode.objects.order_by("pk").values_list("tree_id", "lft", "rght", "level"))
    client = client_for(user_with_perms("portfolio.view_portfolionode", "portfolio.delete_portfolionode"))
    assert client.delete(node_url(finance)).status_code == 409
    assert list(PortfolioNode.objects.order_by("pk").values_list("tree_id", "lft", "rght", "level")) == before


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
