"""The portfolio tree admin: subtree counts without a query per node, safe drag-and-drop moves."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.models import Initiative, PortfolioNode
from tests.admin_helpers import change_form_data
from tests.factories.cmdb import BusinessServiceFactory, TechnicalServiceFactory
from tests.factories.offerings import ServiceOfferingFactory
from tests.factories.portfolio import PortfolioNodeFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:portfolio_portfolionode_changelist"


def rows_by_name(response):
    return {node.name: node for node in response.context["cl"].result_list}


def move(client, node, target, position):
    return client.post(
        reverse(CHANGELIST),
        {"cmd": "move_node", "cut_item": node.pk, "pasted_on": target.pk, "position": position},
    )


@pytest.fixture
def tree():
    root = PortfolioNodeFactory(name="Enterprise")
    finance = PortfolioNodeFactory(name="Finance", parent=root)
    payroll = PortfolioNodeFactory(name="Payroll", parent=finance)
    return root, finance, payroll


def test_business_services_are_counted_with_descendants(admin_client, tree):
    root, finance, payroll = tree
    BusinessServiceFactory(portfolio=finance)
    BusinessServiceFactory(portfolio=payroll)
    BusinessServiceFactory(portfolio=payroll)
    rows = rows_by_name(admin_client.get(reverse(CHANGELIST)))
    counts = {name: rows[name].business_service_count for name in ("Enterprise", "Finance", "Payroll")}
    assert counts == {"Enterprise": 3, "Finance": 3, "Payroll": 2}


def test_other_services_in_a_node_are_not_counted_as_business_services(admin_client, tree):
    TechnicalServiceFactory(portfolio=tree[2])
    rows = rows_by_name(admin_client.get(reverse(CHANGELIST)))
    assert rows["Payroll"].business_service_count == 0


def test_offerings_of_the_business_services_are_counted_with_descendants(admin_client, tree):
    root, finance, payroll = tree
    service = BusinessServiceFactory(portfolio=payroll)
    ServiceOfferingFactory(parent=service)
    ServiceOfferingFactory(parent=service)
    ServiceOfferingFactory(parent=BusinessServiceFactory(portfolio=finance))
    ServiceOfferingFactory(parent=TechnicalServiceFactory(portfolio=finance))
    rows = rows_by_name(admin_client.get(reverse(CHANGELIST)))
    counts = {name: rows[name].offering_count for name in ("Enterprise", "Finance", "Payroll")}
    assert counts == {"Enterprise": 3, "Finance": 3, "Payroll": 2}


def test_tree_page_query_count_does_not_grow_with_nodes(admin_client):
    root = PortfolioNodeFactory(name="Root")
    BusinessServiceFactory(portfolio=root)
    admin_client.get(reverse(CHANGELIST))  # warm per-process caches (content types)
    with CaptureQueriesContext(connection) as captured:
        admin_client.get(reverse(CHANGELIST))
    with_one_node = len(captured)
    parent = root
    for depth in range(29):  # a deep chain, each node with a service and an offering
        parent = PortfolioNodeFactory(name=f"Level {depth}", parent=parent)
        ServiceOfferingFactory(parent=BusinessServiceFactory(portfolio=parent))
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 30
    assert len(captured) == with_one_node


def test_moving_a_node_below_its_own_descendant_is_refused(admin_client, tree):
    root, finance, payroll = tree
    response = move(admin_client, finance, payroll, "last-child")
    assert response.content == b"FAIL, invalid move."
    assert PortfolioNode.objects.get(pk=finance.pk).parent_id == root.pk


def test_a_refused_move_tells_the_user_why(admin_client, tree):
    root, finance, payroll = tree
    move(admin_client, finance, payroll, "last-child")
    response = admin_client.get(reverse(CHANGELIST))
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "Finance was not moved: A node cannot move below itself or one of its own descendants."
    ]


def test_moving_a_node_next_to_a_sibling_of_the_same_name_is_refused(admin_client, tree):
    root, finance, payroll = tree
    PortfolioNodeFactory(name="Payroll", parent=root)
    response = move(admin_client, payroll, root, "last-child")
    assert response.content == b"FAIL, invalid move."
    assert PortfolioNode.objects.get(pk=payroll.pk).parent_id == finance.pk


def test_a_valid_move_is_performed(admin_client, tree):
    root, finance, payroll = tree
    response = move(admin_client, payroll, root, "last-child")
    assert response.content == b"OK, moved."
    assert PortfolioNode.objects.get(pk=payroll.pk).parent_id == root.pk


def test_the_change_form_refuses_a_descendant_as_parent(admin_client, tree):
    root, finance, payroll = tree
    response = admin_client.post(
        reverse("admin:portfolio_portfolionode_change", args=[finance.pk]),
        {"name": "Finance", "parent": payroll.pk, "node_type": "category"},
    )
    assert response.status_code == 200
    assert PortfolioNode.objects.get(pk=finance.pk).parent_id == root.pk


def test_node_page_lists_its_business_services(admin_client, tree):
    BusinessServiceFactory(name="Payslips", portfolio=tree[2])
    response = admin_client.get(reverse("admin:portfolio_portfolionode_change", args=[tree[2].pk]))
    assert "Payslips" in response.content.decode()


def test_initiative_admin_refuses_a_transition_the_workflow_forbids(admin_client):
    initiative = Initiative.objects.create(service=BusinessServiceFactory(), title="Faster payslips")
    response = admin_client.post(
        reverse("admin:portfolio_initiative_change", args=[initiative.pk]),
        {"service": initiative.service_id, "title": "Faster payslips", "state": "done"},
    )
    assert response.status_code == 200
    assert Initiative.objects.get(pk=initiative.pk).state == "proposed"


def test_initiative_admin_allows_a_transition_the_workflow_allows(admin_client):
    initiative = Initiative.objects.create(service=BusinessServiceFactory(), title="Faster payslips")
    admin_client.post(
        reverse("admin:portfolio_initiative_change", args=[initiative.pk]),
        {"service": initiative.service_id, "title": "Faster payslips", "state": "approved"},
    )
    assert Initiative.objects.get(pk=initiative.pk).state == "approved"


def autocomplete(client, term, app_label="cmdb", model_name="businessservice", field_name="portfolio"):
    query = {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term}
    return client.get(reverse("admin:autocomplete"), query).json()


@pytest.fixture
def two_claims():
    insurance = PortfolioNodeFactory(name="Insurance Services")
    banking = PortfolioNodeFactory(name="Banking")
    motor_claims = PortfolioNodeFactory(name="Claims", parent=insurance)
    PortfolioNodeFactory(name="Motor", parent=motor_claims)
    PortfolioNodeFactory(name="Claims", parent=banking)
    return motor_claims


def test_autocomplete_tells_nodes_of_the_same_name_apart_by_their_path(admin_client, two_claims):
    body = autocomplete(admin_client, "Claims")
    assert sorted(result["text"] for result in body["results"]) == [
        "Banking › Claims",
        "Insurance Services › Claims",
    ]


def test_autocomplete_results_keep_the_primary_key_as_id(admin_client, two_claims):
    body = autocomplete(admin_client, "Motor")
    assert body["results"] == [
        {"id": str(PortfolioNode.objects.get(name="Motor").pk), "text": "Insurance Services › Claims › Motor"}
    ]


def test_parent_autocomplete_of_the_node_form_shows_paths_too(admin_client, two_claims):
    body = autocomplete(
        admin_client, "Motor", app_label="portfolio", model_name="portfolionode", field_name="parent"
    )
    assert [result["text"] for result in body["results"]] == ["Insurance Services › Claims › Motor"]


def test_autocomplete_query_count_does_not_grow_with_results(admin_client, two_claims):
    autocomplete(admin_client, "Claims")  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        autocomplete(admin_client, "Claims")
    with_two = len(captured)
    for number in range(10):
        portfolio = PortfolioNodeFactory(name=f"Portfolio {number}")
        PortfolioNodeFactory(name="Claims", parent=PortfolioNodeFactory(name="Retail", parent=portfolio))
    with CaptureQueriesContext(connection) as captured:
        body = autocomplete(admin_client, "Claims")
    assert len(body["results"]) == 12
    assert len(captured) == with_two


def test_the_node_form_labels_the_current_parent_with_its_path(admin_client, two_claims):
    motor = PortfolioNode.objects.get(name="Motor")
    response = admin_client.get(reverse("admin:portfolio_portfolionode_change", args=[motor.pk]))
    assert "Insurance Services › Claims</option>" in response.content.decode()


def test_the_node_list_still_shows_names(admin_client, two_claims):
    rows = admin_client.get(reverse(CHANGELIST)).context["cl"].result_list
    assert sorted(str(node) for node in rows) == [
        "Banking",
        "Claims",
        "Claims",
        "Insurance Services",
        "Motor",
    ]


def test_the_change_form_moves_a_node(admin_client, tree):
    root, finance, payroll = tree
    url = reverse("admin:portfolio_portfolionode_change", args=[payroll.pk])
    data = change_form_data(admin_client.get(url))
    data["parent"] = str(root.pk)
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert [node.name for node in PortfolioNode.objects.get(pk=root.pk).get_children()] == [
        "Finance",
        "Payroll",
    ]


def test_business_service_page_labels_its_portfolio_by_path(admin_client):
    insurance = PortfolioNodeFactory(name="Insurance Services")
    claims = PortfolioNodeFactory(name="Claims", parent=insurance)
    service = BusinessServiceFactory(portfolio=claims)
    response = admin_client.get(reverse("admin:cmdb_businessservice_change", args=[service.pk]))
    assert "Insurance Services › Claims" in response.content.decode()
