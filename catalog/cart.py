"""The cart: what a user has chosen but not ordered yet.

Views and admin actions change carts only through these functions. Each write runs in one
transaction holding the cart's row lock, the first lock every catalog write takes (see
catalog.ordering for the whole order).
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.access import can_order
from catalog.errors import ItemUnavailable
from catalog.models import Cart, CartItem, ItemVariable
from catalog.variables import clean_answers

# A cart line is a request for a handful of things, not a bulk purchase; larger numbers are typos.
MAX_QUANTITY = 100


def clean_quantity(quantity) -> int:
    """The quantity as an int between 1 and MAX_QUANTITY, or ValidationError."""
    try:
        value = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": "Enter a whole number."}) from None
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationError({"quantity": f"Order between 1 and {MAX_QUANTITY}."})
    return value


def get_cart(user) -> Cart:
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


def item_variables(items) -> dict[int, list[ItemVariable]]:
    """{item pk: [variables with their choices]} for `items`, in two queries."""
    by_item = defaultdict(list)
    variables = ItemVariable.objects.filter(catalog_item__in=[item.pk for item in items]).prefetch_related(
        "choices"
    )
    for variable in variables:
        by_item[variable.catalog_item_id].append(variable)
    return by_item


def add_to_cart(user, item, quantity=1, answers=None) -> CartItem:
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
        line = CartItem.objects.create(cart=cart, catalog_item=item, quantity=quantity, answers=stored)
        _bump(cart)
    return line


def update_cart_line(user, line_sys_id, quantity) -> bool:
    """Change the quantity of one line of the user's own cart."""
    quantity = clean_quantity(quantity)
    with transaction.atomic():
        cart = _locked_cart(user)
        updated = CartItem.objects.filter(cart=cart, sys_id=line_sys_id).update(quantity=quantity)
        if updated:
            _bump(cart)
    return bool(updated)


def remove_cart_line(user, line_sys_id) -> bool:
    """Remove one line from the user's own cart."""
    with transaction.atomic():
        cart = _locked_cart(user)
        deleted, _ = CartItem.objects.filter(cart=cart, sys_id=line_sys_id).delete()
        if deleted:
            _bump(cart)
    return bool(deleted)
