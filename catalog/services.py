"""Ordering and fulfilment: the domain operations behind the catalog pages and the admin.

Views and admin actions call these functions and nothing else writes carts, requests or
requested items. Every write runs in one transaction and takes row locks in a fixed order —
cart, then number counters, then request, then requested item — so concurrent callers queue
instead of deadlocking.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from catalog.access import can_order, orderable_items
from catalog.models import (
    Approval,
    Cart,
    CartItem,
    CatalogItemOffering,
    InvalidTransition,
    ItemVariable,
    Request,
    RequestedItem,
    RequestedItemAnswer,
    RequestState,
    Stage,
    State,
)
from catalog.models.requests import CLOSED_STATES
from catalog.variables import answer_display, clean_answers
from cmdb.models import next_number
from core.money import single_total
from offerings.models import UserSubscription

# A cart line is a request for a handful of things, not a bulk purchase; larger numbers are typos.
MAX_QUANTITY = 100

# Sent once the transaction that placed an order has committed: sender=Request, request=<Request>.
order_placed = Signal()


class OrderError(Exception):
    """An order that cannot be placed; the message is meant for the user."""


class EmptyCart(OrderError):
    """Checkout of a cart that has no lines."""


class CartChanged(OrderError):
    """Checkout of a cart that changed since the page that submitted it was shown."""


class ItemUnavailable(OrderError):
    """An item the user may not (or may no longer) order."""


# --- cart -----------------------------------------------------------------------------------


def clean_quantity(quantity):
    """The quantity as an int between 1 and MAX_QUANTITY, or ValidationError."""
    try:
        value = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": "Enter a whole number."}) from None
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationError({"quantity": f"Order between 1 and {MAX_QUANTITY}."})
    return value


def get_cart(user):
    """The user's cart, created on first use."""
    cart, _ = Cart.objects.get_or_create(user=user)
    return cart


def _locked_cart(user):
    """The user's cart, created on first use, its row locked; the caller holds the transaction."""
    cart, _ = Cart.objects.select_for_update().get_or_create(user=user)
    return cart


def _bump(cart):
    cart.version += 1
    cart.save(update_fields=["version", "sys_updated_on"])


def item_variables(items):
    """{item pk: [variables with their choices]} for `items`, in two queries."""
    by_item = defaultdict(list)
    variables = ItemVariable.objects.filter(cat_item__in=[item.pk for item in items]).prefetch_related(
        "choices"
    )
    for variable in variables:
        by_item[variable.cat_item_id].append(variable)
    return by_item


def add_to_cart(user, item, quantity=1, answers=None):
    """Put `quantity` of `item` with `answers` ({variable name: value}) in the user's cart.

    Raises ItemUnavailable when the user may not order the item and ValidationError
    ({field: messages}) for a bad quantity or answer; nothing is written then.
    """
    if not can_order(user, item):
        raise ItemUnavailable(f"{item.name} is not available to you.")
    quantity = clean_quantity(quantity)
    stored = clean_answers(item_variables([item])[item.pk], answers or {})
    with transaction.atomic():
        cart = _locked_cart(user)
        line = CartItem.objects.create(cart=cart, cat_item=item, quantity=quantity, answers=stored)
        _bump(cart)
    return line


def update_cart_line(user, line_sys_id, quantity):
    """Change the quantity of one line of the user's own cart."""
    quantity = clean_quantity(quantity)
    with transaction.atomic():
        cart = _locked_cart(user)
        updated = CartItem.objects.filter(cart=cart, sys_id=line_sys_id).update(quantity=quantity)
        if updated:
            _bump(cart)
    return bool(updated)


def remove_cart_line(user, line_sys_id):
    """Remove one line from the user's own cart."""
    with transaction.atomic():
        cart = _locked_cart(user)
        deleted, _ = CartItem.objects.filter(cart=cart, sys_id=line_sys_id).delete()
        if deleted:
            _bump(cart)
    return bool(deleted)


# --- placing orders -------------------------------------------------------------------------


def place_order(cart, user, version=None):
    """Check out `cart`: one request with one requested item per cart line; returns the request.

    `version` is the cart version the submitting page showed. The cart row is locked first, so
    of two simultaneous checkouts the second waits, then finds the cart already checked out:
    if it carries the version of that checkout it gets the same request back (a double
    submit), otherwise it raises CartChanged (or EmptyCart). Without a version, an emptied
    cart raises EmptyCart. Prices come from the items, never from the client.
    """
    if cart.user_id != user.pk:
        raise PermissionDenied("This is not your cart.")
    with transaction.atomic():
        locked = Cart.objects.select_for_update().get(pk=cart.pk)
        if version is not None and int(version) != locked.version:
            if locked.last_request_id and locked.last_checkout_version == int(version):
                return locked.last_request
            raise CartChanged("Your cart changed while you were looking at it; please review it again.")
        lines = list(locked.lines.select_related("cat_item").order_by("pk"))
        if not lines:
            raise EmptyCart("Your cart is empty.")
        request = _create_request(user, [(line.cat_item, line.quantity, line.answers) for line in lines])
        locked.lines.all().delete()
        locked.last_request = request
        locked.last_checkout_version = locked.version
        locked.version += 1
        locked.save(update_fields=["last_request", "last_checkout_version", "version", "sys_updated_on"])
        transaction.on_commit(lambda: order_placed.send(sender=Request, request=request))
    return request


def order_now(user, item, quantity, answers, token):
    """Order one item straight away, without the cart ("Order now"); returns the request.

    `token` is the order form's one-time token: submitting the same form twice returns the
    request the first submit created.
    """
    existing = Request.objects.filter(order_token=token, opened_by=user).first()
    if existing is not None:
        return existing
    if not can_order(user, item):
        raise ItemUnavailable(f"{item.name} is not available to you.")
    quantity = clean_quantity(quantity)
    try:
        with transaction.atomic():
            request = _create_request(user, [(item, quantity, answers or {})], order_token=token)
            transaction.on_commit(lambda: order_placed.send(sender=Request, request=request))
    except IntegrityError:
        # The same form submitted twice at once: the unique order_token let one of them through.
        existing = Request.objects.filter(order_token=token, opened_by=user).first()
        if existing is None:
            raise
        return existing
    return request


def _create_request(user, lines, order_token=None):
    """Write a request for `lines` [(item, quantity, answers)]; the caller holds the transaction.

    Everything is checked before the first write. An item that needs approval waits for the
    requester's manager; a requester without a manager waits for a staff member (service
    desk) instead — an approval is never skipped because nobody was named to give it.
    """
    # Read the items again: price and availability are what the database says now, not what
    # the caller's objects (or the page the user saw) say.
    fresh = orderable_items(user).in_bulk([item.pk for item, _, _ in lines])
    unavailable = sorted({item.name for item, _, _ in lines if item.pk not in fresh})
    if unavailable:
        raise ItemUnavailable(f"No longer available to you: {', '.join(unavailable)}.")
    lines = [(fresh[item.pk], quantity, answers) for item, quantity, answers in lines]
    variables = item_variables(fresh.values())
    cleaned, errors = [], {}
    for item, quantity, answers in lines:
        try:
            cleaned.append((item, clean_quantity(quantity), clean_answers(variables[item.pk], answers)))
        except ValidationError as error:
            errors[item.name] = error.messages
    if errors:
        raise ValidationError(
            [f"{name}: {message}" for name, messages in errors.items() for message in messages]
        )

    request = Request.objects.create(
        number=next_number("REQ"), requested_for=user, opened_by=user, order_token=order_token
    )
    answers_to_write = []
    for item, quantity, answers in cleaned:
        needs_approval = item.approval_required
        requested_item = RequestedItem.objects.create(
            number=next_number("RITM"),
            request=request,
            cat_item=item,
            quantity=quantity,
            price=item.price,
            price_currency=item.price_currency,
            recurring_price=item.recurring_price,
            recurring_frequency=item.recurring_frequency,
            stage=Stage.WAITING_FOR_APPROVAL if needs_approval else Stage.REQUEST_APPROVED,
            approval=Approval.REQUESTED if needs_approval else Approval.NOT_REQUESTED,
            approver_id=user.manager_id if needs_approval else None,
        )
        answers_to_write.extend(
            RequestedItemAnswer(
                request_item=requested_item,
                sc_item_option=variable,
                question=variable.question_text,
                value=answers[variable.name],
                display_value=answer_display(variable, answers[variable.name]),
                order=variable.order,
            )
            for variable in variables[item.pk]
        )
    RequestedItemAnswer.objects.bulk_create(answers_to_write)
    request.price, request.price_currency = single_total(
        (item.price * quantity, item.price_currency) for item, quantity, _ in cleaned
    )
    request.save(update_fields=["price", "price_currency", "sys_updated_on"])
    refresh_request_state(request)
    return request


# --- the request follows its items ----------------------------------------------------------


def derive_request_state(item_states):
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


def derive_request_approval(item_approvals):
    """The approval of a request: requested while any item waits, then rejected, approved, or none."""
    approvals = set(item_approvals)
    for approval in (Approval.REQUESTED, Approval.REJECTED, Approval.APPROVED):
        if approval in approvals:
            return approval
    return Approval.NOT_REQUESTED


def refresh_request_state(request):
    """Recompute and store the state and approval of `request` from its items."""
    rows = list(RequestedItem.objects.filter(request=request).values_list("state", "approval"))
    state = derive_request_state([row[0] for row in rows])
    approval = derive_request_approval([row[1] for row in rows])
    request.request_state, request.approval = state, approval
    request.closed_at = (request.closed_at or timezone.now()) if request.is_closed else None
    Request.objects.filter(pk=request.pk).update(
        request_state=state, approval=approval, closed_at=request.closed_at, sys_updated_on=timezone.now()
    )
    return request


# --- fulfilment -----------------------------------------------------------------------------


def _change_item(item, state=None, stage=None, check=None, then=None, **fields):
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


def set_item_state(item, state):
    """Move a requested item to `state` (allowed transitions only); the request follows."""
    return _change_item(item, state=state)


def set_item_stage(item, stage):
    """Move a requested item to `stage` (allowed transitions only)."""
    return _change_item(item, stage=stage)


def start_work(item):
    """Fulfilment starts: work in progress, stage fulfilment."""
    return _change_item(item, state=State.WORK_IN_PROGRESS, stage=Stage.FULFILLMENT)


def deliver_item(item):
    """The item is delivered: closed complete, stage completed.

    Delivering an item open to everyone subscribes the requester to the item's offerings (a
    `service_subscribe_sys_user` row each, created once), so that what they ordered also opens
    the offerings' subscribers-only items to them.
    """
    return _change_item(item, state=State.CLOSED_COMPLETE, stage=Stage.COMPLETE, then=_subscribe_requester)


def _subscribe_requester(item):
    if not item.cat_item.available_to_all:
        return
    offering_ids = CatalogItemOffering.objects.filter(sc_cat_item_id=item.cat_item_id).values_list(
        "service_offering_id", flat=True
    )
    for offering_id in offering_ids:
        UserSubscription.objects.get_or_create(
            service_offering_id=offering_id, sys_user_id=item.request.requested_for_id
        )


def close_incomplete(item):
    """The item could not be delivered: closed incomplete, stage cancelled."""
    return _change_item(item, state=State.CLOSED_INCOMPLETE, stage=Stage.REQUEST_CANCELLED)


def skip_item(item):
    """The item is no longer needed: closed skipped, stage cancelled."""
    return _change_item(item, state=State.CLOSED_SKIPPED, stage=Stage.REQUEST_CANCELLED)


# --- approvals ------------------------------------------------------------------------------


def may_approve(user, item):
    """The approver named on the item (the requester's manager) or a staff member, never the requester."""
    if not (user.is_authenticated and user.is_active):
        return False
    if item.request.requested_for_id == user.pk:
        return False
    return item.approver_id == user.pk or user.is_staff


def approvals_for(user):
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


def approve(item, approver):
    """The approver approves the item; fulfilment may start."""
    return _change_item(
        item,
        check=_decision_check(approver),
        stage=Stage.REQUEST_APPROVED,
        approval=Approval.APPROVED,
        approved_by=approver,
        approval_decided_at=timezone.now(),
    )


def reject(item, approver, reason):
    """The approver rejects the item, giving a reason; it closes incomplete."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say why the item is rejected."})
    return _change_item(
        item,
        check=_decision_check(approver),
        state=State.CLOSED_INCOMPLETE,
        stage=Stage.REQUEST_CANCELLED,
        approval=Approval.REJECTED,
        approved_by=approver,
        approval_decided_at=timezone.now(),
        rejection_reason=reason.strip(),
    )
