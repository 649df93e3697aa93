"""The normal change workflow: each move, the refused ones, approvals at Authorize, refreshes."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from cmdb.models import Group
from core.workflow import InvalidTransition
from impact.changes import (
    ApprovalRefused,
    approve_change,
    create_change,
    move_change,
    pending_approvals_for,
    reject_change,
    update_change,
)
from impact.models import ChangeApproval, ChangeRequest, ImpactedService, TaskState
from tests.api.helpers import build_impact_graph
from tests.factories.cmdb import BusinessServiceFactory, GroupFactory, GroupMembershipFactory, UserFactory
from tests.factories.impact import ChangeRequestFactory, ImpactedServiceFactory

pytestmark = pytest.mark.django_db

S = TaskState
CAB = "Change advisory board"

# Every move the normal workflow allows (Authorize -> Scheduled is made by approvals, tested apart).
ALLOWED = [
    (S.NEW, S.ASSESS),
    (S.NEW, S.CANCELED),
    (S.ASSESS, S.AUTHORIZE),
    (S.ASSESS, S.NEW),
    (S.ASSESS, S.CANCELED),
    (S.AUTHORIZE, S.ASSESS),
    (S.AUTHORIZE, S.NEW),
    (S.AUTHORIZE, S.CANCELED),
    (S.SCHEDULED, S.IMPLEMENT),
    (S.SCHEDULED, S.NEW),
    (S.SCHEDULED, S.CANCELED),
    (S.IMPLEMENT, S.REVIEW),
    (S.IMPLEMENT, S.CANCELED),
    (S.REVIEW, S.CLOSED),
]
CHANGE_STATES = [S.NEW, S.ASSESS, S.AUTHORIZE, S.SCHEDULED, S.IMPLEMENT, S.REVIEW, S.CLOSED, S.CANCELED]
FORBIDDEN = [
    (from_state, to_state)
    for from_state in CHANGE_STATES
    for to_state in CHANGE_STATES
    if from_state != to_state
    and (from_state, to_state) not in ALLOWED
    and (from_state, to_state) != (S.AUTHORIZE, S.SCHEDULED)
]


@pytest.fixture
def cab():
    """The seeded change advisory board with two members."""
    group = Group.objects.get(name=CAB)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    GroupMembershipFactory(group=group, user=alice)
    GroupMembershipFactory(group=group, user=bob)
    return group, alice, bob


def change_in(state, **fields):
    """A change stored in `state` (written directly: the moves themselves are what is tested)."""
    change = ChangeRequestFactory(**fields)
    ChangeRequest.objects.filter(pk=change.pk).update(state=state)
    return ChangeRequest.objects.get(pk=change.pk)


def test_the_change_workflow_has_the_normal_states_in_order():
    assert ChangeRequest.states() == tuple(CHANGE_STATES)


@pytest.mark.parametrize(("from_state", "to_state"), ALLOWED, ids=lambda s: S(s).label)
def test_allowed_move(cab, from_state, to_state):
    change = change_in(from_state)
    move_change(change, to_state)
    assert ChangeRequest.objects.get(pk=change.pk).state == to_state


@pytest.mark.parametrize(("from_state", "to_state"), FORBIDDEN, ids=lambda s: S(s).label)
def test_forbidden_move_is_refused(cab, from_state, to_state):
    change = change_in(from_state)
    with pytest.raises(
        InvalidTransition, match=f"cannot move from {S(from_state).label} to {S(to_state).label}"
    ):
        move_change(change, to_state)
    assert ChangeRequest.objects.get(pk=change.pk).state == from_state


def test_authorize_to_scheduled_without_the_approvals_is_refused(cab):
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    with pytest.raises(InvalidTransition, match="only when every required approval is given"):
        move_change(change, S.SCHEDULED)


def test_entering_authorize_asks_each_member_of_the_default_group(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    rows = ChangeApproval.objects.filter(change=change).order_by("approver__username")
    assert [(row.approver, row.group, row.state) for row in rows] == [
        (alice, group, ChangeApproval.State.REQUESTED),
        (bob, group, ChangeApproval.State.REQUESTED),
    ]


def test_the_changes_own_approval_group_replaces_the_default(cab):
    own = GroupFactory(name="Network CAB")
    carol = UserFactory(username="carol")
    GroupMembershipFactory(group=own, user=carol)
    change = move_change(change_in(S.ASSESS, approval_group=own), S.AUTHORIZE)
    assert list(change.approvals.values_list("approver__username", flat=True)) == ["carol"]


@override_settings(CHANGE_APPROVAL_GROUP="Release board")
def test_the_default_group_comes_from_the_setting(cab):
    board = GroupFactory(name="Release board")
    GroupMembershipFactory(group=board, user=UserFactory(username="dave"))
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    assert list(change.approvals.values_list("approver__username", flat=True)) == ["dave"]


def test_authorize_is_refused_when_no_one_but_the_requester_can_approve(cab):
    group, alice, bob = cab
    group.memberships.exclude(user=alice).delete()
    change = change_in(S.ASSESS, opened_by=alice)
    with pytest.raises(
        InvalidTransition, match="Change advisory board has no member other than the requester"
    ):
        move_change(change, S.AUTHORIZE)


def test_the_requester_is_not_asked_to_approve(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS, opened_by=alice), S.AUTHORIZE)
    assert list(change.approvals.values_list("approver__username", flat=True)) == ["bob"]


def test_all_approvals_move_the_change_to_scheduled(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    approve_change(change, alice, "fine by me")
    assert ChangeRequest.objects.get(pk=change.pk).state == S.AUTHORIZE
    approve_change(change, bob)
    assert ChangeRequest.objects.get(pk=change.pk).state == S.SCHEDULED
    assert ChangeApproval.objects.get(change=change, approver=alice).comments == "fine by me"


def test_one_rejection_sends_the_change_back_to_assess(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    approve_change(change, alice)
    reject_change(change, bob, "No rollback plan")
    assert ChangeRequest.objects.get(pk=change.pk).state == S.ASSESS
    rejected = ChangeApproval.objects.get(change=change, approver=bob)
    assert (rejected.state, rejected.comments) == (ChangeApproval.State.REJECTED, "No rollback plan")


def test_a_rejection_withdraws_the_other_pending_approvals(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    reject_change(change, bob, "Wrong window")
    assert (
        ChangeApproval.objects.get(change=change, approver=alice).state == ChangeApproval.State.NOT_REQUIRED
    )
    assert not pending_approvals_for(alice).exists()


def test_a_rejection_needs_a_reason(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    with pytest.raises(ValidationError) as error:
        reject_change(change, bob, "  ")
    assert error.value.message_dict == {"comments": ["Say why you reject the change."]}


def test_after_a_rejection_a_new_round_needs_every_approval_again(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    approve_change(change, alice)
    reject_change(change, bob, "Wrong window")
    move_change(change, S.AUTHORIZE)
    approve_change(change, alice)
    assert ChangeRequest.objects.get(pk=change.pk).state == S.AUTHORIZE
    approve_change(change, bob)
    assert ChangeRequest.objects.get(pk=change.pk).state == S.SCHEDULED


def test_self_approval_is_refused(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS, opened_by=alice), S.AUTHORIZE)
    with pytest.raises(ApprovalRefused, match="You cannot approve or reject your own change"):
        approve_change(change, alice)
    assert ChangeRequest.objects.get(pk=change.pk).state == S.AUTHORIZE


def test_self_approval_is_refused_even_with_a_pending_row(cab):
    group, alice, bob = cab
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    ChangeRequest.objects.filter(pk=change.pk).update(opened_by=alice)
    with pytest.raises(ApprovalRefused, match="your own change"):
        approve_change(change, alice)


def test_a_user_who_is_not_asked_cannot_approve(cab):
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    with pytest.raises(ApprovalRefused, match="no pending approval"):
        approve_change(change, UserFactory())


def test_approving_a_change_that_is_not_at_authorize_is_refused(cab):
    group, alice, bob = cab
    with pytest.raises(ApprovalRefused, match="not waiting for approval: it is Assess"):
        approve_change(change_in(S.ASSESS), alice)


def test_canceling_at_authorize_withdraws_the_pending_approvals(cab):
    change = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    move_change(change, S.CANCELED)
    assert set(change.approvals.values_list("state", flat=True)) == {ChangeApproval.State.NOT_REQUIRED}


def test_pending_approvals_are_listed_for_the_approver(cab):
    group, alice, bob = cab
    first = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    second = move_change(change_in(S.ASSESS), S.AUTHORIZE)
    approve_change(second, alice)
    assert [row.change for row in pending_approvals_for(alice)] == [first]
    assert {row.change for row in pending_approvals_for(bob)} == {first, second}


# --- refreshing the impacted services ------------------------------------------------------------


@pytest.fixture
def graph():
    return build_impact_graph()


def impacted(change):
    return sorted(ImpactedService.objects.filter(task=change).values_list("service__name", flat=True))


def test_a_new_change_with_cis_gets_its_impacted_services(graph):
    change = create_change(short_description="Patch", cmdb_ci=graph.server)
    assert impacted(change) == ["Billing", "Billing Gold", "Payroll", "Payroll Standard"]


def test_leaving_new_refreshes_and_keeps_manual_rows(graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)  # saved without the service: nothing computed
    manual = ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Hand-picked"), manually_added=True
    )
    stale = ImpactedServiceFactory(task=change, service=BusinessServiceFactory(name="Stale"))
    move_change(change, S.ASSESS)
    assert impacted(change) == ["Billing", "Billing Gold", "Hand-picked", "Payroll", "Payroll Standard"]
    assert ImpactedService.objects.filter(pk=manual.pk).exists()
    assert not ImpactedService.objects.filter(pk=stale.pk).exists()


def test_a_later_move_does_not_refresh(cab, graph):
    change = change_in(S.SCHEDULED, cmdb_ci=graph.server)
    move_change(change, S.IMPLEMENT)
    assert impacted(change) == []


def test_new_affected_cis_refresh_in_any_state_keeping_manual_rows(graph):
    change = change_in(S.SCHEDULED)
    ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Hand-picked"), manually_added=True
    )
    update_change(change, affected_cis=[graph.server])
    assert impacted(change) == ["Billing", "Billing Gold", "Hand-picked", "Payroll", "Payroll Standard"]
    update_change(change, affected_cis=[])
    assert impacted(change) == ["Hand-picked"]


def test_a_plain_update_does_not_refresh(graph):
    change = change_in(S.SCHEDULED, cmdb_ci=graph.server)
    update_change(change, short_description="Reworded")
    assert impacted(change) == []
