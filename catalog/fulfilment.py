"""Fulfilment: requested items move through their states and stages; the request follows.

Admin actions and the approval pages change requested items only through these functions. Each
change locks the request, then the requested item (the lock order of catalog.ordering), so
concurrent callers queue instead of deadlocking.
"""

from django.db import transaction

from catalog.models import CatalogItemOffering, Request, RequestedItem, Stage, State
from catalog.request_state import refresh_request_state
from offerings.models import UserSubscription


def change_item(
    item: RequestedItem, state=None, stage=None, check=None, then=None, **fields
) -> RequestedItem:
    """Lock the request and the item, apply the transitions, save, and refresh the request.

    `check(locked_item)` runs on the locked row before anything changes (and may raise);
    `then(locked_item)` runs after it is saved, in the same transaction.
    """
    with transaction.atomic():
        Request.objects.select_for_update().filter(pk=item.request_id).first()
        locked = RequestedItem.objects.select_for_update().select_related("request").get(pk=item.pk)
        if check is not None:
            check(locked)
        if state is not None and state != locked.state:
            locked.set_state(state)
        if stage is not None and stage != locked.stage:
            locked.set_stage(stage)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        if then is not None:
            then(locked)
        refresh_request_state(locked.request)
    for name in ("state", "stage", "closed_at", "approval", "approved_by_id", "approval_decided_at"):
        setattr(item, name, getattr(locked, name))
    item.rejection_reason = locked.rejection_reason
    return item


def set_item_state(item: RequestedItem, state) -> RequestedItem:
    """Move a requested item to `state` (allowed transitions only); the request follows."""
    return change_item(item, state=state)


def set_item_stage(item: RequestedItem, stage) -> RequestedItem:
    """Move a requested item to `stage` (allowed transitions only)."""
    return change_item(item, stage=stage)


def start_work(item: RequestedItem) -> RequestedItem:
    """Fulfilment starts: work in progress, stage fulfilment."""
    return change_item(item, state=State.WORK_IN_PROGRESS, stage=Stage.FULFILLMENT)


def deliver_item(item: RequestedItem) -> RequestedItem:
    """The item is delivered: closed complete, stage completed.

    Delivering an item open to everyone subscribes the requester to the item's offerings (a
    `service_subscribe_sys_user` row each, created once), so that what they ordered also opens
    the offerings' subscribers-only items to them.
    """
    return change_item(item, state=State.CLOSED_COMPLETE, stage=Stage.COMPLETE, then=_subscribe_requester)


def _subscribe_requester(item):
    if not item.catalog_item.available_to_all:
        return
    offering_ids = CatalogItemOffering.objects.filter(catalog_item_id=item.catalog_item_id).values_list(
        "service_offering_id", flat=True
    )
    for offering_id in offering_ids:
        UserSubscription.objects.get_or_create(
            service_offering_id=offering_id, user_id=item.request.requested_for_id
        )


def close_incomplete(item: RequestedItem) -> RequestedItem:
    """The item could not be delivered: closed incomplete, stage cancelled."""
    return change_item(item, state=State.CLOSED_INCOMPLETE, stage=Stage.REQUEST_CANCELLED)


def skip_item(item: RequestedItem) -> RequestedItem:
    """The item is no longer needed: closed skipped, stage cancelled."""
    return change_item(item, state=State.CLOSED_SKIPPED, stage=Stage.REQUEST_CANCELLED)
