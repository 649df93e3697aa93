"""Placing orders: a cart checked out, or one item ordered straight away, becomes a request.

Views and admin actions place orders only through these functions. Every catalog write runs in
one transaction and takes row locks in a fixed order — cart, then number counters, then
request, then requested item — so concurrent callers queue instead of deadlocking.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal

from catalog.access import can_order, orderable_items
from catalog.cart import clean_quantity, item_variables
from catalog.errors import CartChanged, EmptyCart, ItemUnavailable
from catalog.models import Approval, Cart, Request, RequestedItem, RequestedItemAnswer, Stage
from catalog.request_state import refresh_request_state
from catalog.variables import answer_display, clean_answers
from cmdb.models import next_number
from core.money import single_total

# Sent once the transaction that placed an order has committed: sender=Request, request=<Request>.
order_placed = Signal()


def place_order(cart: Cart, user, version=None) -> Request:
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
        lines = list(locked.lines.select_related("catalog_item").order_by("pk"))
        if not lines:
            raise EmptyCart("Your cart is empty.")
        request = _create_request(user, [(line.catalog_item, line.quantity, line.answers) for line in lines])
        locked.lines.all().delete()
        locked.last_request = request
        locked.last_checkout_version = locked.version
        locked.version += 1
        locked.save(update_fields=["last_request", "last_checkout_version", "version", "sys_updated_on"])
        transaction.on_commit(lambda: order_placed.send(sender=Request, request=request))
    return request


def order_now(user, item, quantity, answers, token) -> Request:
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
            catalog_item=item,
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
                variable=variable,
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
