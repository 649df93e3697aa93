"""Change management in the API: refresh on create and on leaving New, approvals, conflicts, budget, risk."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group as PermissionGroup
from django.urls import reverse

from cmdb.models import Group
from impact.models import ChangeApproval, ChangeRequest, TaskState
from tests.api.helpers import build_impact_graph, client_for, incident_manager, user_with_perms
from tests.factories.cmdb import BusinessServiceFactory, GroupMembershipFactory, ServerFactory, UserFactory
from tests.factories.impact import ChangeRequestFactory, ImpactedServiceFactory, IncidentFactory
from tests.factories.offerings import OfferingCommitmentFactory, ServiceCommitmentFactory

pytestmark = pytest.mark.django_db

CAB = "Change advisory board"


@pytest.fixture
def graph():
    return build_impact_graph()


@pytest.fixture
def manager():
    return incident_manager()


def cab_member(username):
    """A user in both the approval group (sys_user_group) and the permission group of the board."""
    user = UserFactory(username=username)
    GroupMembershipFactory(group=Group.objects.get(name=CAB), user=user)
    user.groups.add(PermissionGroup.objects.get(name=CAB))
    return user


def url(name, change):
    return reverse(f"impact-api:change-{name}", args=[change.number])


def patch_state(client, change, state):
    return client.patch(
        reverse("impact-api:change-detail", args=[change.number]), {"state": state}, format="json"
    )


def test_a_change_created_with_a_ci_lists_its_impacted_services(graph, manager):
    response = client_for(manager).post(
        reverse("impact-api:change-list"),
        {"short_description": "Patch", "cmdb_ci": graph.server.sys_id.hex},
        format="json",
    )
    assert response.status_code == 201
    assert [row["name"] for row in response.json()["impacted_services"]] == [
        "Billing",
        "Billing Gold",
        "Payroll",
        "Payroll Standard",
    ]


def test_leaving_new_through_the_api_refreshes(graph, manager):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    response = patch_state(client_for(manager), change, TaskState.ASSESS)
    assert response.status_code == 200
    assert len(response.json()["impacted_services"]) == 4


def test_authorize_through_the_api_asks_for_approvals(manager):
    alice = cab_member("alice")
    change = ChangeRequestFactory(state=TaskState.ASSESS, opened_by=manager)
    response = patch_state(client_for(manager), change, TaskState.AUTHORIZE)
    assert response.status_code == 200
    assert [(row["approver"]["name"], row["state"]) for row in response.json()["approvals"]] == [
        (alice.name, "requested")
    ]


def test_a_forbidden_move_is_a_400_on_state(manager):
    change = ChangeRequestFactory(state=TaskState.ASSESS)
    response = patch_state(client_for(manager), change, TaskState.AUTHORIZE)  # no one in the board
    assert response.status_code == 400
    assert response.json() == {
        "state": [
            "No one can authorize this change: Change advisory board has no member other than the requester."
        ]
    }


@pytest.fixture
def at_authorize(manager):
    alice, bob = cab_member("alice"), cab_member("bob")
    change = ChangeRequestFactory(state=TaskState.ASSESS, opened_by=manager)
    assert patch_state(client_for(manager), change, TaskState.AUTHORIZE).status_code == 200
    return change, alice, bob


def test_approvals_through_the_api_schedule_the_change(at_authorize):
    change, alice, bob = at_authorize
    assert (
        client_for(alice).post(url("approve", change), {"comments": "ok"}, format="json").status_code == 200
    )
    response = client_for(bob).post(url("approve", change), {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == TaskState.SCHEDULED


def test_a_rejection_through_the_api_goes_back_to_assess(at_authorize):
    change, alice, bob = at_authorize
    response = client_for(bob).post(url("reject", change), {"comments": "No rollback plan"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == TaskState.ASSESS


def test_a_rejection_without_comments_is_a_400_naming_the_field(at_authorize):
    change, alice, bob = at_authorize
    response = client_for(bob).post(url("reject", change), {"comments": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {"comments": ["Say why you reject the change."]}


def test_self_approval_through_the_api_is_403(manager):
    alice = cab_member("alice")
    cab_member("bob")
    change = ChangeRequestFactory(state=TaskState.ASSESS, opened_by=alice)
    assert patch_state(client_for(manager), change, TaskState.AUTHORIZE).status_code == 200
    response = client_for(alice).post(url("approve", change), {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot approve or reject your own change."}
    assert ChangeRequest.objects.get(pk=change.pk).state == TaskState.AUTHORIZE


def test_approving_needs_the_approval_permission(at_authorize):
    change, alice, bob = at_authorize
    outsider = user_with_perms("impact.view_changerequest")
    assert client_for(outsider).post(url("approve", change), {}, format="json").status_code == 403
    assert ChangeApproval.objects.filter(change=change, state="requested").count() == 2


def test_conflicts_endpoint_names_the_other_change_the_shared_ci_and_its_window(manager):
    db = ServerFactory(name="db-01")
    start = dt.datetime(2030, 3, 4, 1, 0, tzinfo=dt.UTC)
    change = ChangeRequestFactory(cmdb_ci=db, start_date=start, end_date=start + dt.timedelta(hours=2))
    other = ChangeRequestFactory(
        cmdb_ci=db, start_date=start + dt.timedelta(hours=1), end_date=start + dt.timedelta(hours=3)
    )
    body = client_for(manager).get(url("conflicts", change)).json()
    assert body["change"] == change.number
    [conflict] = body["conflicts"]
    assert conflict["kind"] == "change"
    assert conflict["number"] == other.number
    assert conflict["shared_cis"] == [{"sys_id": db.sys_id.hex, "name": "db-01"}]
    assert (conflict["window_start"], conflict["window_end"]) == (
        "2030-03-04T02:00:00Z",
        "2030-03-04T04:00:00Z",
    )


def test_conflicts_endpoint_lists_open_incidents(manager):
    billing = BusinessServiceFactory(name="Billing")
    change = ChangeRequestFactory()
    ImpactedServiceFactory(task=change, service=billing)
    incident = IncidentFactory()
    ImpactedServiceFactory(task=incident, service=billing)
    [conflict] = client_for(manager).get(url("conflicts", change)).json()["conflicts"]
    assert (conflict["kind"], conflict["number"], conflict["shared_services"][0]["name"]) == (
        "incident",
        incident.number,
        "Billing",
    )


def test_budget_endpoint_gives_remaining_window_and_breach(graph, manager):
    commitment = ServiceCommitmentFactory(target_value="99.9", period="monthly")
    OfferingCommitmentFactory(service_offering=graph.gold, service_commitment=commitment)
    start = dt.datetime(2030, 11, 20, 1, 0, tzinfo=dt.UTC)
    change = ChangeRequestFactory(
        cmdb_ci=graph.server, start_date=start, end_date=start + dt.timedelta(minutes=50)
    )
    client = client_for(manager)
    assert patch_state(client, change, TaskState.ASSESS).status_code == 200
    body = client.get(url("budget", change)).json()
    [line] = body["offerings"]
    assert line["offering"]["name"] == "Billing Gold"
    assert (line["period"], line["allowed_minutes"], line["used_minutes"]) == (
        "monthly",
        pytest.approx(43.2),
        0,
    )
    assert (line["remaining_minutes"], line["window_minutes"], line["would_breach"]) == (
        pytest.approx(43.2),
        50,
        True,
    )


def test_risk_endpoint_gives_level_and_reasons(manager):
    change = ChangeRequestFactory()
    ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Claims", business_criticality="1 - most critical")
    )
    body = client_for(manager).get(url("risk", change)).json()
    assert body == {
        "change": change.number,
        "level": "High",
        "reasons": [{"level": "High", "text": "Claims (1 - most critical) is impacted"}],
    }


@pytest.mark.parametrize("name", ["conflicts", "budget", "risk"])
def test_change_management_reads_need_the_view_permission(name):
    change = ChangeRequestFactory()
    assert client_for(UserFactory()).get(url(name, change)).status_code == 403
