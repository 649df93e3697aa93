"""The incident and change pages list the businesses and customers an outage of their CIs reaches."""

import pytest
from django.urls import reverse

from impact.customers import open_proactive_cases_for
from tests.api.helpers import build_impact_graph
from tests.factories.customers import ConsumerFactory, InstallBaseItemFactory, SoldProductFactory
from tests.factories.impact import ChangeRequestFactory, IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph():
    return build_impact_graph()


@pytest.mark.parametrize(
    ("factory", "url_name"),
    [
        (IncidentFactory, "admin:impact_incident_change"),
        (ChangeRequestFactory, "admin:impact_changerequest_change"),
    ],
)
def test_task_page_lists_impacted_customers_and_subscribers(admin_client, graph, factory, url_name):
    SoldProductFactory(account__name="Acme Retail", name="Gold for Acme", service_offering=graph.gold)
    InstallBaseItemFactory(
        account=None,
        consumer=ConsumerFactory(name="Dana Home"),
        name="Dana's stack",
        configuration_item=graph.app_service,
    )
    SoldProductFactory(account__name="Unaffected Ltd")
    task = factory(cmdb_ci=graph.server)

    html = admin_client.get(reverse(url_name, args=[task.pk])).content.decode()

    assert "Impacted customers" in html
    assert "Acme Retail" in html
    assert "Gold for Acme" in html
    assert "Dana Home" in html
    assert "Dana&#x27;s stack" in html
    assert "Unaffected Ltd" not in html
    # The subscribers of the impacted offerings (consumers inside the business) are there too.
    assert "Impacted businesses (subscribers)" in html
    for name in ("Acme", "Finance", "Berlin", "Ops", "Jane Doe"):
        assert name in html


def test_task_without_cis_has_no_customer_section(admin_client):
    incident = IncidentFactory(cmdb_ci=None)

    html = admin_client.get(reverse("admin:impact_incident_change", args=[incident.pk])).content.decode()

    assert "Impacted customers" not in html


def test_incident_page_names_each_customers_proactive_case(admin_client, graph):
    SoldProductFactory(account__name="Acme Retail", service_offering=graph.gold)
    SoldProductFactory(account__name="Later Buyer", service_offering=graph.gold)
    incident = IncidentFactory(cmdb_ci=graph.server)
    (case,) = [
        case for case in open_proactive_cases_for(incident).created if case.account.name == "Acme Retail"
    ]

    html = admin_client.get(reverse("admin:impact_incident_change", args=[incident.pk])).content.decode()

    assert "Proactive case" in html
    assert case.number in html
