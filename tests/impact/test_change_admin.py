"""The change admin page: risk, conflicts and budget beside the form; approve and reject; refreshes."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group as PermissionGroup
from django.urls import reverse

from cmdb.models import Group
from impact.changes import move_change
from impact.models import ChangeApproval, ChangeRequest, ImpactedService, TaskState
from tests.api.helpers import build_impact_graph
from tests.factories.cmdb import BusinessServiceFactory, GroupMembershipFactory, ServerFactory, UserFactory
from tests.factories.impact import ChangeRequestFactory, ImpactedServiceFactory
from tests.impact.test_admin import task_form_data

pytestmark = pytest.mark.django_db

CAB = "Change advisory board"


def change_form_data(change, **overrides):
    data = task_form_data(
        change, type=change.type, start_date_0="", start_date_1="", end_date_0="", end_date_1=""
    )
    data.pop("caller")
    data.update(overrides)
    return data


def staff_cab_member(client, username):
    user = UserFactory(username=username, is_staff=True)
    GroupMembershipFactory(group=Group.objects.get(name=CAB), user=user)
    user.groups.add(PermissionGroup.objects.get(name=CAB))
    client.force_login(user)
    return user


def test_change_page_shows_risk_conflicts_and_budget(admin_client):
    db = ServerFactory(name="db-01")
    start = dt.datetime(2030, 3, 4, 1, 0, tzinfo=dt.UTC)
    change = ChangeRequestFactory(cmdb_ci=db, start_date=start, end_date=start + dt.timedelta(hours=2))
    other = ChangeRequestFactory(
        cmdb_ci=db, short_description="Resize db-01", start_date=start, end_date=start + dt.timedelta(hours=1)
    )
    page = admin_client.get(reverse("admin:impact_changerequest_change", args=[change.pk])).content.decode()
    assert "Risk" in page and 'class="risk-level risk-Moderate">Moderate' in page
    assert (
        f"change {other.number} (Resize db-01) is planned 2030-03-04 01:00 to 2030-03-04 02:00 on CI db-01"
        in page
    )
    assert "Downtime budget" in page


def test_leaving_new_in_the_admin_refreshes_and_keeps_manual_rows(admin_client):
    graph = build_impact_graph()
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    manual = ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Hand-picked"), manually_added=True
    )
    response = admin_client.post(
        reverse("admin:impact_changerequest_change", args=[change.pk]),
        change_form_data(change, state=TaskState.ASSESS),
    )
    assert response.status_code == 302
    names = set(ImpactedService.objects.filter(task=change).values_list("service__name", flat=True))
    assert names == {"Billing", "Billing Gold", "Payroll", "Payroll Standard", "Hand-picked"}
    assert ImpactedService.objects.filter(pk=manual.pk).exists()


def test_a_new_affected_ci_in_the_admin_inline_refreshes(admin_client):
    graph = build_impact_graph()
    change = ChangeRequestFactory()
    ChangeRequest.objects.filter(pk=change.pk).update(state=TaskState.SCHEDULED)
    change.refresh_from_db()
    data = change_form_data(change)
    data.update(
        {
            "affected_ci_rows-TOTAL_FORMS": "1",
            "affected_ci_rows-0-ci": graph.server.pk,
            "affected_ci_rows-0-task": change.pk,
        }
    )
    response = admin_client.post(reverse("admin:impact_changerequest_change", args=[change.pk]), data)
    assert response.status_code == 302
    assert ImpactedService.objects.filter(task=change).count() == 4


@pytest.fixture
def at_authorize(client):
    alice = staff_cab_member(client, "alice")
    requester = UserFactory(username="requester")
    GroupMembershipFactory(group=Group.objects.get(name=CAB), user=UserFactory(username="bob"))
    change = ChangeRequestFactory(opened_by=requester)
    ChangeRequest.objects.filter(pk=change.pk).update(state=TaskState.ASSESS)
    change.refresh_from_db()
    return move_change(change, TaskState.AUTHORIZE), alice


def test_a_pending_approver_sees_the_approve_form(client, at_authorize):
    change, alice = at_authorize
    page = client.get(reverse("admin:impact_changerequest_change", args=[change.pk])).content.decode()
    assert reverse("admin:impact_changerequest_decide", args=[change.pk]) in page


def test_approve_in_the_admin(client, at_authorize):
    change, alice = at_authorize
    response = client.post(
        reverse("admin:impact_changerequest_decide", args=[change.pk]),
        {"decision": "approve", "comments": "Looks safe"},
        follow=True,
    )
    assert response.status_code == 200
    approval = ChangeApproval.objects.get(change=change, approver=alice)
    assert (approval.state, approval.comments) == ("approved", "Looks safe")
    assert f"{change.number} approved; it is now Authorize." in response.content.decode()


def test_reject_in_the_admin_goes_back_to_assess(client, at_authorize):
    change, alice = at_authorize
    client.post(
        reverse("admin:impact_changerequest_decide", args=[change.pk]),
        {"decision": "reject", "comments": "No backout plan"},
    )
    assert ChangeRequest.objects.get(pk=change.pk).state == TaskState.ASSESS


def test_reject_without_comments_in_the_admin_is_an_error_message(client, at_authorize):
    change, alice = at_authorize
    response = client.post(
        reverse("admin:impact_changerequest_decide", args=[change.pk]),
        {"decision": "reject", "comments": ""},
        follow=True,
    )
    assert "Say why you reject the change." in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).state == TaskState.AUTHORIZE


def test_self_approval_in_the_admin_is_refused(client):
    alice = staff_cab_member(client, "alice")
    GroupMembershipFactory(group=Group.objects.get(name=CAB), user=UserFactory(username="bob"))
    change = ChangeRequestFactory(opened_by=alice)
    ChangeRequest.objects.filter(pk=change.pk).update(state=TaskState.ASSESS)
    change.refresh_from_db()
    move_change(change, TaskState.AUTHORIZE)
    response = client.post(
        reverse("admin:impact_changerequest_decide", args=[change.pk]), {"decision": "approve"}, follow=True
    )
    assert "You cannot approve or reject your own change." in response.content.decode()
    assert not ChangeApproval.objects.filter(change=change, state="approved").exists()


def test_the_decide_view_answers_only_post(client, at_authorize):
    change, alice = at_authorize
    assert client.get(reverse("admin:impact_changerequest_decide", args=[change.pk])).status_code == 405
