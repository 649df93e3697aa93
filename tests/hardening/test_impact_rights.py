"""Issue 10, cause 8: impacted businesses a caller may not view are counted, not named."""

import pytest
from django.urls import reverse

from impact.api.documents import SUBSCRIBER_VIEW_PERMISSIONS
from tests.api.helpers import build_impact_graph, client_for, incident_manager, user_with_perms
from tests.factories.cmdb import UserFactory
from tests.factories.impact import IncidentFactory
from tests.factories.offerings import UserSubscriptionFactory

pytestmark = pytest.mark.django_db

KINDS = ["companies", "departments", "groups", "locations", "users"]


def impact(client, graph, **params):
    response = client.get(reverse("impact-api:impact"), {"ci": graph.server.sys_id.hex, **params})
    assert response.status_code == 200, response.content
    return response.json()


# Reads the CMDB but not people or organisations.
CMDB_READER = ("cmdb.view_configurationitem",)


def test_incident_managers_see_who_is_affected():
    manager = incident_manager()
    assert all(manager.has_perm(perm) for perm in SUBSCRIBER_VIEW_PERMISSIONS.values())


def test_the_permissions_that_name_businesses():
    assert SUBSCRIBER_VIEW_PERMISSIONS == {
        "companies": "cmdb.view_company",
        "departments": "cmdb.view_department",
        "locations": "cmdb.view_location",
        "groups": "cmdb.view_group",
        "users": "cmdb.view_user",
    }


def test_a_caller_without_view_user_gets_users_counted_not_named():
    graph = build_impact_graph()
    UserSubscriptionFactory(service_offering=graph.standard, user=UserFactory(username="zed"))
    manager = user_with_perms(*CMDB_READER)
    assert not manager.has_perm("cmdb.view_user")
    document = impact(client_for(manager), graph)
    assert document["impacted_businesses"]["users"] == []
    assert document["business_counts"]["users"] == 2
    assert "users" in document["withheld_businesses"]
    assert "jdoe" not in str(document) and "Jane" not in str(document)


def test_a_caller_who_may_view_one_kind_sees_that_kind_named():
    graph = build_impact_graph()
    client = client_for(user_with_perms("cmdb.view_configurationitem", "cmdb.view_company"))
    document = impact(client, graph)
    assert document["impacted_businesses"]["companies"] == [
        {"sys_id": graph.company.sys_id.hex, "name": "Acme"}
    ]
    assert document["withheld_businesses"] == ["departments", "groups", "locations", "users"]
    assert document["business_counts"] == dict.fromkeys(KINDS, 1)


def test_counts_stay_exact_when_the_list_is_cut():
    graph = build_impact_graph()
    UserSubscriptionFactory(service_offering=graph.standard, user=UserFactory())
    client = client_for(user_with_perms("cmdb.view_configurationitem", *SUBSCRIBER_VIEW_PERMISSIONS.values()))
    document = impact(client, graph, limit=1)
    assert len(document["impacted_businesses"]["users"]) == 1
    assert document["business_counts"]["users"] == 2
    assert document["withheld_businesses"] == []


def test_the_task_impact_document_follows_the_same_rule():
    graph = build_impact_graph()
    incident = IncidentFactory(cmdb_ci=graph.server)
    document = (
        client_for(user_with_perms(*CMDB_READER, "impact.view_incident"))
        .get(reverse("impact-api:incident-impact", args=[incident.number]))
        .json()
    )
    assert document["impacted_businesses"]["users"] == []
    assert document["business_counts"]["users"] == 1
