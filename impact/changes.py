"""Change management: a change's moves through its workflow, what each move sets off, and approvals.

The workflow itself (states, allowed moves, "no one may authorize", "Scheduled needs every approval")
is `ChangeRequest.workflow` and its `refusal()`; this module adds what a move implies beyond the
change row:

- leaving New refreshes the impacted services (ServiceNow does the same), and so does any change of
  the change's CI or affected CIs, in any state; rows added by hand stay;
- entering Authorize asks every eligible member of the approval group for an approval
  (`sysapproval_approver` rows); leaving it any other way than to Scheduled withdraws the requests;
- an approval by the last pending approver moves the change to Scheduled, one rejection sends it back
  to Assess.

The admin and the API both call these functions; nothing here knows about requests or forms.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from impact.models import ChangeApproval, ChangeRequest, TaskState
from impact.services import create_task, refresh_impacted_services, task_source_ids, update_task


class ApprovalRefused(PermissionDenied):
    """A user may not decide this approval (not an approver, their own change, not at Authorize)."""


def after_change_saved(change: ChangeRequest, from_state, sources_before: set[int] | None) -> None:
    """Do what a saved change's new state and sources imply. `from_state` is None for a new change;
    `sources_before` the CI pks it started from before the save (None for a new change)."""
    to_state = change.state
    sources_changed = set(task_source_ids(change)) != (sources_before or set())
    left_new = from_state == TaskState.NEW and to_state != TaskState.NEW
    if sources_changed or left_new:
        refresh_impacted_services(change)
    if from_state != to_state:
        if to_state == TaskState.AUTHORIZE:
            request_approvals(change)
        elif from_state == TaskState.AUTHORIZE:
            withdraw_pending_approvals(change)


@transaction.atomic
def create_change(*, affected_cis=(), **fields) -> ChangeRequest:
    """Create a change; given a CI or affected CIs, it gets its impacted services at once."""
    change = create_task(ChangeRequest, affected_cis=affected_cis, **fields)
    after_change_saved(change, None, None)
    return change


@transaction.atomic
def update_change(change: ChangeRequest, *, affected_cis=None, state=None, **fields) -> ChangeRequest:
    """Update a change through update_task, then do what its new state and sources imply."""
    from_state, sources_before = change.state, set(task_source_ids(change))
    update_task(change, affected_cis=affected_cis, state=state, **fields)
    after_change_saved(change, from_state, sources_before)
    return change


@transaction.atomic
def move_change(change: ChangeRequest, to_state) -> ChangeRequest:
    """Move a change to `to_state` (checked by its workflow) and do what the move implies."""
    from_state = change.state
    change.set_state(to_state, save=True)
    after_change_saved(change, from_state, set(task_source_ids(change)))
    return change


def request_approvals(change: ChangeRequest) -> list[ChangeApproval]:
    """One pending approval per eligible member of the change's approval group."""
    group = change.approval_group_or_default()
    rows = [ChangeApproval(change=change, approver=user, group=group) for user in change.eligible_approvers()]
    return ChangeApproval.objects.bulk_create(rows)


def withdraw_pending_approvals(change: ChangeRequest) -> int:
    """Pending approvals of a change that left Authorize are no longer required."""
    return ChangeApproval.objects.filter(change=change, state=ChangeApproval.State.REQUESTED).update(
        state=ChangeApproval.State.NOT_REQUIRED, decided_at=timezone.now()
    )


def pending_approval_of(change: ChangeRequest, user) -> ChangeApproval | None:
    """The approval `user` still has to give on `change`, if any."""
    return ChangeApproval.objects.filter(
        change=change, approver=user, state=ChangeApproval.State.REQUESTED
    ).first()


def may_decide(change: ChangeRequest, user) -> bool:
    return (
        change.state == TaskState.AUTHORIZE
        and user.pk != change.opened_by_id
        and (pending_approval_of(change, user) is not None)
    )


def pending_approvals_for(user):
    """The approvals waiting for `user`, oldest change first."""
    return (
        ChangeApproval.objects.filter(
            approver=user, state=ChangeApproval.State.REQUESTED, change__state=TaskState.AUTHORIZE
        )
        .select_related("change")
        .order_by("change__opened_at", "change__number")
    )


def _locked_approval(change, user):
    """Lock the change, then check that `user` may decide on it now; their pending approval."""
    ChangeRequest.objects.select_for_update().filter(pk=change.pk).values_list("pk").first()
    change.refresh_from_db()
    if change.opened_by_id is not None and user.pk == change.opened_by_id:
        raise ApprovalRefused("You cannot approve or reject your own change.")
    if change.state != TaskState.AUTHORIZE:
        raise ApprovalRefused(
            f"{change.number} is not waiting for approval: it is {change.get_state_display()}."
        )
    approval = pending_approval_of(change, user)
    if approval is None:
        raise ApprovalRefused(f"You have no pending approval on {change.number}.")
    return approval


def _decide(approval, state, comments):
    approval.state = state
    approval.comments = comments
    approval.decided_at = timezone.now()
    approval.save(update_fields=["state", "comments", "decided_at", "sys_updated_on"])


@transaction.atomic
def approve_change(change: ChangeRequest, user, comments: str = "") -> ChangeApproval:
    """Record `user`'s approval; the last one needed moves the change to Scheduled."""
    approval = _locked_approval(change, user)
    _decide(approval, ChangeApproval.State.APPROVED, comments.strip())
    if not ChangeApproval.objects.filter(change=change, state=ChangeApproval.State.REQUESTED).exists():
        move_change(change, TaskState.SCHEDULED)
    return approval


@transaction.atomic
def reject_change(change: ChangeRequest, user, comments: str) -> ChangeApproval:
    """Record `user`'s rejection, which sends the change back to Assess; a reason is required."""
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError({"comments": "Say why you reject the change."})
    approval = _locked_approval(change, user)
    _decide(approval, ChangeApproval.State.REJECTED, comments)
    move_change(change, TaskState.ASSESS)
    return approval
