"""A request's state and approval follow from its requested items."""

from django.utils import timezone

from catalog.models import Approval, Request, RequestedItem, RequestState, State
from catalog.models.requests import CLOSED_STATES


def derive_request_state(item_states) -> RequestState:
    """The state of a request whose items are in `item_states`.

    Closed once every item is closed — complete only if every item closed complete; open while
    no item has moved; in process in between.
    """
    states = [State(state) for state in item_states]
    if states and all(state in CLOSED_STATES for state in states):
        if all(state == State.CLOSED_COMPLETE for state in states):
            return RequestState.CLOSED_COMPLETE
        return RequestState.CLOSED_INCOMPLETE
    if all(state == State.OPEN for state in states):
        return RequestState.OPEN
    return RequestState.IN_PROCESS


def derive_request_approval(item_approvals) -> Approval:
    """The approval of a request: requested while any item waits, then rejected, approved, or none."""
    approvals = set(item_approvals)
    for approval in (Approval.REQUESTED, Approval.REJECTED, Approval.APPROVED):
        if approval in approvals:
            return approval
    return Approval.NOT_REQUESTED


def refresh_request_state(request: Request) -> Request:
    """Recompute and store the state and approval of `request` from its items."""
    rows = list(RequestedItem.objects.filter(request=request).values_list("state", "approval"))
    state = derive_request_state([row[0] for row in rows])
    approval = derive_request_approval([row[1] for row in rows])
    if state != request.request_state:
        request.set_state(state)  # checks the move and stamps closed_at
    request.approval = approval
    Request.objects.filter(pk=request.pk).update(
        request_state=state, approval=approval, closed_at=request.closed_at, sys_updated_on=timezone.now()
    )
    return request
