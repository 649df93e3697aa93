import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.approvals import approvals_for, approve, reject
from catalog.fulfilment import start_work
from catalog.models import Approval, RequestState, Stage, State
from core.workflow import InvalidTransition
from tests.factories.cmdb import UserFactory

pytestmark = pytest.mark.django_db


def test_manager_approves_and_the_item_may_be_worked_on(waiting_item, manager):
    approve(waiting_item, manager)
    waiting_item.refresh_from_db()
    assert (waiting_item.approval, waiting_item.stage, waiting_item.approved_by) == (
        Approval.APPROVED,
        Stage.REQUEST_APPROVED,
        manager,
    )


def test_approved_item_can_start_work(waiting_item, manager):
    approve(waiting_item, manager)
    start_work(waiting_item)
    assert waiting_item.state == State.WORK_IN_PROGRESS


def test_someone_else_may_not_approve(waiting_item):
    with pytest.raises(PermissionDenied):
        approve(waiting_item, UserFactory())


def test_the_requester_may_not_approve_their_own_item(waiting_item, user):
    with pytest.raises(PermissionDenied):
        approve(waiting_item, user)


def test_staff_may_approve(waiting_item):
    approve(waiting_item, UserFactory(is_staff=True))
    assert waiting_item.approval == Approval.APPROVED


def test_reject_closes_the_item_and_the_request_incomplete(waiting_item, manager):
    reject(waiting_item, manager, "Not needed for your role")
    waiting_item.refresh_from_db()
    assert (waiting_item.state, waiting_item.approval, waiting_item.rejection_reason) == (
        State.CLOSED_INCOMPLETE,
        Approval.REJECTED,
        "Not needed for your role",
    )
    assert waiting_item.request.request_state == RequestState.CLOSED_INCOMPLETE


def test_reject_needs_a_reason(waiting_item, manager):
    with pytest.raises(ValidationError):
        reject(waiting_item, manager, "  ")


def test_an_item_cannot_be_decided_twice(waiting_item, manager):
    approve(waiting_item, manager)
    with pytest.raises(InvalidTransition):
        reject(waiting_item, manager, "Changed my mind")


def test_approvals_for_lists_items_waiting_for_the_manager(waiting_item, manager):
    assert list(approvals_for(manager)) == [waiting_item]


def test_approvals_for_does_not_list_other_managers_items(waiting_item):
    assert not approvals_for(UserFactory()).exists()
