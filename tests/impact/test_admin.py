"""Incident and change admin: inlines, the refresh action, the impact graph picture."""

import pytest
from django.urls import reverse

from impact.models import ChangeRequest, ImpactedService, Incident, TaskState
from tests.api.helpers import build_impact_graph
from tests.factories.cmdb import BusinessServiceFactory
from tests.factories.impact import ChangeRequestFactory, ImpactedServiceFactory, IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph():
    return build_impact_graph()


def task_form_data(task=None, **overrides):
    data = {
        "short_description": task.short_description if task else "Billing down",
        "description": "",
        "cmdb_ci": task.cmdb_ci_id if task and task.cmdb_ci_id else "",
        "state": task.state if task else TaskState.NEW,
        "priority": task.priority if task else 4,
        "opened_at_0": "2030-01-01",
        "opened_at_1": "10:00:00",
        "opened_by": "",
        "assigned_to": "",
        "assignment_group": "",
        "caller": "",
        "approval_group": "",
    }
    for prefix in ("affected_ci_rows", "impacted_service_rows", "approvals"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def test_incident_change_page_draws_the_impact_graph(admin_client, graph):
    incident = IncidentFactory(cmdb_ci=graph.server)
    response = admin_client.get(reverse("admin:impact_incident_change", args=[incident.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="impact-graph-svg"' in html
    for name in ("srv-billing", "Billing engine", "Billing stack", "Billing Gold", "Billing", "Payroll"):
        assert f">{name}</text>" in html


def test_graph_draws_one_edge_per_step_of_the_shortest_paths(admin_client, graph):
    incident = IncidentFactory(cmdb_ci=graph.server)
    html = admin_client.get(reverse("admin:impact_incident_change", args=[incident.pk])).content.decode()
    # server->engine->stack, stack->Gold->Billing, stack->Standard->Payroll
    assert html.count('marker-end="url(#impact-arrow)"') == 6


def test_graph_leaves_out_cis_off_the_paths_to_business_services(admin_client, graph):
    incident = IncidentFactory(cmdb_ci=graph.server)
    html = admin_client.get(reverse("admin:impact_incident_change", args=[incident.pk])).content.decode()
    assert ">Storage</text>" not in html
    assert ">Monitoring</text>" not in html


def test_change_page_without_ci_has_no_graph(admin_client):
    change = ChangeRequestFactory()
    response = admin_client.get(reverse("admin:impact_changerequest_change", args=[change.pk]))
    assert response.status_code == 200
    assert "impact-graph-svg" not in response.content.decode()


def test_change_page_offers_the_refresh_button(admin_client):
    change = ChangeRequestFactory()
    html = admin_client.get(reverse("admin:impact_changerequest_change", args=[change.pk])).content.decode()
    assert 'value="refresh_impacted_services_action"' in html


def test_incident_added_in_the_admin_gets_its_impacted_services(admin_client, graph):
    response = admin_client.post(
        reverse("admin:impact_incident_add"), task_form_data(cmdb_ci=graph.server.pk)
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.number.startswith("INC")
    assert ImpactedService.objects.filter(task=incident, manually_added=False).count() == 4


def test_forbidden_state_change_in_the_admin_is_a_form_error(admin_client):
    incident = IncidentFactory()
    data = task_form_data(incident, state=TaskState.CLOSED)
    response = admin_client.post(reverse("admin:impact_incident_change", args=[incident.pk]), data)
    assert response.status_code == 200
    assert "cannot move from New to Closed" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).state == TaskState.NEW


def test_refresh_action_keeps_manual_and_drops_stale_rows(admin_client, graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    manual = ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Hand-picked"), manually_added=True
    )
    stale = ImpactedServiceFactory(task=change, service=BusinessServiceFactory(name="Stale"))
    response = admin_client.post(
        reverse("admin:impact_changerequest_changelist"),
        {"action": "refresh_impacted_services_action", "_selected_action": [change.pk]},
    )
    assert response.status_code == 302
    remaining = set(ImpactedService.objects.filter(task=change).values_list("pk", flat=True))
    assert manual.pk in remaining
    assert stale.pk not in remaining
    assert len(remaining) == 5


def test_change_is_not_refreshed_by_a_plain_save(admin_client, graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    data = task_form_data(
        change, type="normal", start_date_0="", start_date_1="", end_date_0="", end_date_1=""
    )
    data.pop("caller")
    response = admin_client.post(reverse("admin:impact_changerequest_change", args=[change.pk]), data)
    assert response.status_code == 302
    assert not ImpactedService.objects.filter(task=change).exists()


def test_changelist_renders(admin_client):
    ChangeRequestFactory.create_batch(3)
    response = admin_client.get(reverse("admin:impact_changerequest_changelist"))
    assert response.status_code == 200
    assert ChangeRequest.objects.count() == 3


def test_saving_a_task_does_not_draw_the_graph(admin_client, graph, monkeypatch):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    drawn = []
    monkeypatch.setattr("impact.admin.impact_picture", lambda impact: drawn.append(impact))
    data = task_form_data(
        change, type="normal", start_date_0="", start_date_1="", end_date_0="", end_date_1=""
    )
    data.pop("caller")
    response = admin_client.post(reverse("admin:impact_changerequest_change", args=[change.pk]), data)
    assert response.status_code == 302
    assert drawn == []
