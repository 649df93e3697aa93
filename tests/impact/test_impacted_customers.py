"""Impact reaches customers: accounts and consumers through sold products and install base items,
on all three impact endpoints, at a bounded query cost."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.impacted import impacted_customers
from tests.api.helpers import build_impact_graph, client_for, user_with_perms
from tests.factories.customers import (
    ConsumerFactory,
    CustomerAccountFactory,
    InstallBaseItemFactory,
    SoldProductFactory,
)
from tests.factories.impact import AffectedCIFactory, ChangeRequestFactory, IncidentFactory
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["ids sent", "install base matched"])
def install_base_matching(request, monkeypatch):
    """Every test twice: the impacted CIs sent to the database (a typical outage), and the install
    base's CIs read and matched in memory (a hub's)."""
    if request.param == "install base matched":
        monkeypatch.setattr("impact.customers.MATCH_INSTALL_BASE_ABOVE", 0)
    return request.param


@pytest.fixture
def graph():
    return build_impact_graph()


@pytest.fixture
def client():
    return client_for(
        user_with_perms("cmdb.view_configurationitem", "impact.view_incident", "impact.view_changerequest")
    )


def impact_of(client, graph):
    return client.get(reverse("impact-api:impact"), {"ci": graph.server.sys_id.hex}).json()


def ref(record):
    return {"sys_id": record.sys_id.hex, "name": record.name}


def test_an_account_is_impacted_through_an_active_sold_product_only(client, graph):
    account = CustomerAccountFactory(name="Acme Retail")
    sold = SoldProductFactory(account=account, name="Billing Gold for Acme", service_offering=graph.gold)

    document = impact_of(client, graph)

    assert document["impacted_customers"] == {
        "accounts": [
            {
                "sys_id": account.sys_id.hex,
                "number": account.number,
                "name": "Acme Retail",
                "sold_products": [
                    {
                        "sys_id": sold.sys_id.hex,
                        "name": "Billing Gold for Acme",
                        "service_offering": ref(graph.gold),
                    }
                ],
                "install_base_items": [],
            }
        ],
        "consumers": [],
    }
    assert document["counts"]["customer_accounts"] == 1
    assert document["counts"]["consumers"] == 0


def test_a_consumer_is_impacted_through_an_install_base_item_only(client, graph):
    consumer = ConsumerFactory(name="Dana Home")
    item = InstallBaseItemFactory(
        account=None, consumer=consumer, name="Dana's billing", configuration_item=graph.app_service
    )

    document = impact_of(client, graph)

    assert document["impacted_customers"]["accounts"] == []
    assert document["impacted_customers"]["consumers"] == [
        {
            "sys_id": consumer.sys_id.hex,
            "number": consumer.number,
            "name": "Dana Home",
            "sold_products": [],
            "install_base_items": [
                {
                    "sys_id": item.sys_id.hex,
                    "name": "Dana's billing",
                    "configuration_item": ref(graph.app_service),
                }
            ],
        }
    ]
    assert document["counts"]["consumers"] == 1


def test_a_source_ci_counts_for_install_base_items(client, graph):
    InstallBaseItemFactory(configuration_item=graph.server)

    assert impact_of(client, graph)["counts"]["customer_accounts"] == 1


def test_a_customer_impacted_both_ways_is_listed_once_with_both(client, graph):
    account = CustomerAccountFactory()
    SoldProductFactory(account=account, service_offering=graph.gold)
    SoldProductFactory(account=account, service_offering=graph.standard)
    InstallBaseItemFactory(account=account, configuration_item=graph.app_service)

    accounts = impact_of(client, graph)["impacted_customers"]["accounts"]

    assert [entry["sys_id"] for entry in accounts] == [account.sys_id.hex]
    assert len(accounts[0]["sold_products"]) == 2
    assert len(accounts[0]["install_base_items"]) == 1


def test_expired_future_and_inactive_sold_products_are_ignored(client, graph):
    today = datetime.date.today()
    SoldProductFactory(service_offering=graph.gold, end_date=today - datetime.timedelta(days=1))
    SoldProductFactory(service_offering=graph.gold, start_date=today + datetime.timedelta(days=1))
    SoldProductFactory(service_offering=graph.gold, state="inactive")
    InstallBaseItemFactory(configuration_item=graph.app_service, state="retired")

    document = impact_of(client, graph)

    assert document["impacted_customers"] == {"accounts": [], "consumers": []}
    assert document["counts"]["customer_accounts"] == 0


def test_a_customer_of_an_unimpacted_offering_is_absent(client, graph):
    SoldProductFactory(service_offering=ServiceOfferingFactory(name="Unrelated"))
    InstallBaseItemFactory(configuration_item=graph.monitoring)  # not reached: Connects to

    assert impact_of(client, graph)["impacted_customers"] == {"accounts": [], "consumers": []}


def test_only_the_products_and_items_through_which_the_customer_is_impacted_are_listed(client, graph):
    account = CustomerAccountFactory()
    wanted = SoldProductFactory(account=account, service_offering=graph.gold)
    SoldProductFactory(account=account, service_offering=ServiceOfferingFactory())
    InstallBaseItemFactory(account=account, configuration_item=graph.monitoring)

    entry = impact_of(client, graph)["impacted_customers"]["accounts"][0]

    assert [product["sys_id"] for product in entry["sold_products"]] == [wanted.sys_id.hex]
    assert entry["install_base_items"] == []


def test_customers_are_sorted_by_name(client, graph):
    for name in ("Zeta", "Alpha", "Mid"):
        SoldProductFactory(account=CustomerAccountFactory(name=name), service_offering=graph.gold)

    accounts = impact_of(client, graph)["impacted_customers"]["accounts"]

    assert [entry["name"] for entry in accounts] == ["Alpha", "Mid", "Zeta"]


def test_limit_cuts_the_customer_lists_but_not_their_counts(client, graph):
    for _ in range(3):
        SoldProductFactory(service_offering=graph.gold)

    document = client.get(reverse("impact-api:impact"), {"ci": graph.server.sys_id.hex, "limit": 2}).json()

    assert len(document["impacted_customers"]["accounts"]) == 2
    assert document["counts"]["customer_accounts"] == 3
    assert document["truncated"] is True


@pytest.mark.parametrize("task_factory", [IncidentFactory, ChangeRequestFactory])
def test_task_impact_endpoints_carry_the_customers(client, graph, task_factory):
    account = CustomerAccountFactory()
    SoldProductFactory(account=account, service_offering=graph.gold)
    consumer = ConsumerFactory()
    InstallBaseItemFactory(account=None, consumer=consumer, configuration_item=graph.application)
    task = task_factory(cmdb_ci=None)
    AffectedCIFactory(task=task, ci=graph.server)
    basename = "incident" if task_factory is IncidentFactory else "change"

    document = client.get(reverse(f"impact-api:{basename}-impact", args=[task.number])).json()

    assert [entry["sys_id"] for entry in document["impacted_customers"]["accounts"]] == [account.sys_id.hex]
    assert [entry["sys_id"] for entry in document["impacted_customers"]["consumers"]] == [consumer.sys_id.hex]
    assert document["counts"]["customer_accounts"] == 1
    assert document["counts"]["consumers"] == 1


def test_customers_cost_two_queries_whatever_their_number(client, graph):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            impact_of(client, graph)
        return len(captured)

    impact_of(client, graph)  # warm up: permissions
    without = queries()
    for _ in range(10):
        account = CustomerAccountFactory()
        SoldProductFactory(account=account, service_offering=graph.gold)
        InstallBaseItemFactory(account=account, configuration_item=graph.app_service)
        SoldProductFactory(account=None, consumer=ConsumerFactory(), service_offering=graph.standard)

    assert queries() == without


def test_nothing_impacted_means_no_customer_query():
    with CaptureQueriesContext(connection) as captured:
        customers = impacted_customers([], [], describe=dict)
    assert len(captured) == 0
    assert len(customers) == 0
