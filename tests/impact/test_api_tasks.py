"""/api/v1/incidents/ and /api/v1/changes/: create, read by number, impact and refresh."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from impact.models import ImpactedService, TaskState
from tests.api.helpers import (
    build_impact_graph,
    client_for,
    incident_manager,
    list_query_count,
    user_with_perms,
)
from tests.factories.cmdb import BusinessServiceFactory, ServerFactory
from tests.factories.impact import (
    AffectedCIFactory,
    ChangeRequestFactory,
    ImpactedServiceFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph():
    return build_impact_graph()


@pytest.fixture
def manager_client():
    return client_for(incident_manager())


def create_incident(client, **data):
    return client.post(reverse("impact-api:incident-list"), data, format="json")


def test_create_incident_answers_201_with_an_inc_number(manager_client, graph):
    response = create_incident(
        manager_client, short_description="Billing down", cmdb_ci=graph.server.sys_id.hex
    )
    assert response.status_code == 201
    assert response.json()["number"].startswith("INC")


def test_created_incident_lists_its_impacted_services(manager_client, graph):
    body = create_incident(
        manager_client, short_description="Billing down", cmdb_ci=graph.server.sys_id.hex
    ).json()
    assert body["impacted_services"] == [
        {
            "sys_id": service.sys_id.hex,
            "name": service.name,
            "sys_class_name": service.sys_class_name,
            "manually_added": False,
        }
        for service in (graph.billing, graph.gold, graph.payroll, graph.standard)
    ]


def test_created_incident_echoes_ci_affected_cis_and_state(manager_client, graph):
    body = create_incident(
        manager_client,
        short_description="Two CIs",
        cmdb_ci=graph.server.sys_id.hex,
        affected_cis=[str(graph.storage.sys_id)],
    ).json()
    assert body["cmdb_ci"] == graph.server.sys_id.hex
    assert body["affected_cis"] == [graph.storage.sys_id.hex]
    assert body["state"] == TaskState.NEW
    assert len(body["sys_id"]) == 32


def test_opened_by_defaults_to_the_caller(graph):
    user = incident_manager()
    body = create_incident(client_for(user), short_description="x", cmdb_ci=graph.server.sys_id.hex).json()
    assert body["opened_by"] == user.sys_id.hex


def test_unknown_ci_is_a_400_naming_it(manager_client):
    unknown = "0123456789abcdef0123456789abcdef"
    response = create_incident(manager_client, short_description="x", cmdb_ci=unknown)
    assert response.status_code == 400
    assert response.json() == {"cmdb_ci": [f"Unknown sys_id {unknown}."]}


def test_malformed_affected_ci_is_a_400(manager_client):
    response = create_incident(manager_client, short_description="x", affected_cis=["nope"])
    assert response.status_code == 400
    assert response.json() == {"affected_cis": ["'nope' is not a sys_id."]}


def test_missing_short_description_is_a_400(manager_client):
    response = create_incident(manager_client)
    assert response.status_code == 400
    assert "short_description" in response.json()


def test_incident_is_read_by_number(manager_client):
    incident = IncidentFactory()
    response = manager_client.get(reverse("impact-api:incident-detail", args=[incident.number]))
    assert response.json()["sys_id"] == incident.sys_id.hex


def test_incident_number_lookup_ignores_case(manager_client):
    incident = IncidentFactory()
    response = manager_client.get(reverse("impact-api:incident-detail", args=[incident.number.lower()]))
    assert response.status_code == 200


def test_unknown_number_is_404(manager_client):
    response = manager_client.get(reverse("impact-api:incident-detail", args=["INC9999999"]))
    assert response.status_code == 404


def test_change_is_not_found_under_incidents(manager_client):
    change = ChangeRequestFactory()
    assert manager_client.get(reverse("impact-api:incident-detail", args=[change.number])).status_code == 404


def test_forbidden_state_transition_is_a_400(manager_client):
    incident = IncidentFactory()
    response = manager_client.patch(
        reverse("impact-api:incident-detail", args=[incident.number]),
        {"state": TaskState.CLOSED},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"state": ["An incident cannot move from New to Closed."]}


def test_allowed_state_transition_is_saved(manager_client):
    incident = IncidentFactory()
    response = manager_client.patch(
        reverse("impact-api:incident-detail", args=[incident.number]),
        {"state": TaskState.RESOLVED},
        format="json",
    )
    assert response.json()["state"] == TaskState.RESOLVED


def test_change_state_outside_its_lifecycle_is_a_400(manager_client):
    change = ChangeRequestFactory()
    response = manager_client.patch(
        reverse("impact-api:change-detail", args=[change.number]),
        {"state": TaskState.RESOLVED},
        format="json",
    )
    assert response.status_code == 400
    assert "state" in response.json()


def test_change_planned_end_before_start_is_a_400(manager_client):
    response = manager_client.post(
        reverse("impact-api:change-list"),
        {
            "short_description": "Patch",
            "start_date": "2030-01-02T10:00:00Z",
            "end_date": "2030-01-01T10:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The planned end cannot be before the planned start."]}


def test_create_change_answers_a_chg_number(manager_client, graph):
    response = manager_client.post(
        reverse("impact-api:change-list"),
        {"short_description": "Patch", "cmdb_ci": graph.server.sys_id.hex, "type": "emergency"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["number"].startswith("CHG")


def test_incident_impact_covers_its_ci_and_affected_cis(manager_client, graph):
    incident = IncidentFactory(cmdb_ci=graph.storage)
    AffectedCIFactory(task=incident, ci=graph.app_service)
    document = manager_client.get(reverse("impact-api:incident-impact", args=[incident.number])).json()
    assert [source["name"] for source in document["sources"]] == ["Storage", "Billing stack"]
    assert [service["name"] for service in document["business_services"]] == ["Billing", "Payroll"]


def test_incident_impact_rejects_bad_max_depth(manager_client, graph):
    incident = IncidentFactory(cmdb_ci=graph.server)
    url = reverse("impact-api:incident-impact", args=[incident.number])
    response = manager_client.get(url, {"max_depth": "30"})
    assert response.status_code == 400
    assert list(response.json()) == ["max_depth"]


def test_incident_without_ci_has_an_empty_impact(manager_client):
    incident = IncidentFactory()
    document = manager_client.get(reverse("impact-api:incident-impact", args=[incident.number])).json()
    assert document["sources"] == []
    assert document["impacted_ci_count"] == 0


def test_change_impact_is_served(manager_client, graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    document = manager_client.get(
        reverse("impact-api:change-impact", args=[change.number]), {"limit": 1}
    ).json()
    assert document["truncated"] is True


def test_change_refresh_keeps_manual_and_drops_stale_rows(manager_client, graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Hand-picked"), manually_added=True
    )
    ImpactedServiceFactory(task=change, service=BusinessServiceFactory(name="Stale"))
    response = manager_client.post(
        reverse("impact-api:change-refresh-impacted-services", args=[change.number])
    )
    assert response.status_code == 200
    assert [(row["name"], row["manually_added"]) for row in response.json()["impacted_services"]] == [
        ("Billing", False),
        ("Billing Gold", False),
        ("Hand-picked", True),
        ("Payroll", False),
        ("Payroll Standard", False),
    ]


def test_change_refresh_needs_change_permission(graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    client = client_for(user_with_perms("impact.view_changerequest", "impact.add_changerequest"))
    response = client.post(reverse("impact-api:change-refresh-impacted-services", args=[change.number]))
    assert response.status_code == 403
    assert not ImpactedService.objects.filter(task=change).exists()


def test_anonymous_cannot_list_incidents():
    assert APIClient().get(reverse("impact-api:incident-list")).status_code == 401


def test_user_without_permission_cannot_create_incidents(graph):
    client = client_for(user_with_perms("impact.view_incident"))
    response = create_incident(client, short_description="x", cmdb_ci=graph.server.sys_id.hex)
    assert response.status_code == 403


def test_user_without_view_permission_cannot_list_incidents():
    assert client_for(user_with_perms()).get(reverse("impact-api:incident-list")).status_code == 403


def _incident_list_query_count(client, rows):
    for _ in range(rows):
        incident = IncidentFactory(cmdb_ci=ServerFactory())
        AffectedCIFactory(task=incident)
        ImpactedServiceFactory(task=incident)
    return list_query_count(client, reverse("impact-api:incident-list"))


def test_incident_list_query_count_does_not_grow(manager_client):
    one = _incident_list_query_count(manager_client, 1)
    assert _incident_list_query_count(manager_client, 19) == one


def test_incident_list_filters_by_ci(manager_client, graph):
    IncidentFactory(cmdb_ci=graph.server)
    IncidentFactory(cmdb_ci=graph.storage)
    response = manager_client.get(reverse("impact-api:incident-list"), {"cmdb_ci": graph.storage.sys_id.hex})
    assert [row["cmdb_ci"] for row in response.json()["results"]] == [graph.storage.sys_id.hex]
