"""Approvals: the requester's manager (or the service desk) approves or rejects a requested item."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.fulfilment import change_item
from catalog.models import Approval, RequestedItem, Stage, State
from core.workflow import InvalidTransition


def may_approve(user, item: RequestedItem) -> bool:
    """The approver named on the item (the requester's manager) or a staff member, never the requester."""
    if not (user.is_authenticated and user.is_active):
        return False
    if item.request.requested_for_id == user.pk:
        return False
    return item.approver_id == user.pk or user.is_staff


def approvals_for(user) -> QuerySet[RequestedItem]:
    """Requested items waiting for `user`'s decision; staff also see those nobody was named for."""
    waiting = Q(approver=user)
    if user.is_staff:
        waiting |= Q(approver__isnull=True)
    return (
        RequestedItem.objects.filter(approval=Approval.REQUESTED)
        .filter(waiting)
        .exclude(request__requested_for=user)
    )


def _decision_check(approver):
    def check(item):
        if not may_approve(approver, item):
            raise PermissionDenied("Only the requester's manager may decide on this item.")
        if item.approval != Approval.REQUESTED:
            raise InvalidTransition(f"{item.number} is not waiting for approval.")

    return check


def approve(item: RequestedItem, approver) -> RequestedItem:
    """The approver approves the item; fulfilment may start."""
    return change_item(
        item,
        check=_decision_check(approver),
        stage=Stage.REQUEST_APPROVED,
        approval=Approval.APPROVED,
        approved_by=approver,
        approval_decided_at=timezone.now(),
    )


def reject(item: RequestedItem, approver, reason: str) -> RequestedItem:
    """The approver rejects the item, giving a reason; it closes incomplete."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the item is rejected."})
    return change_item(
        item,
        check=_decision_check(approver),
        state=State.CLOSED_INCOMPLETE,
        stage=Stage.REQUEST_CANCELLED,
        approval=Approval.REJECTED,
        approved_by=approver,
        approval_decided_at=timezone.now(),
        rejection_reason=reason.strip(),
    )
