"""Why an order cannot be placed; every message is meant for the user."""


class OrderError(Exception):
    """An order that cannot be placed; the message is meant for the user."""


class EmptyCart(OrderError):
    """Checkout of a cart that has no lines."""


class CartChanged(OrderError):
    """Checkout of a cart that changed since the page that submitted it was shown."""


class ItemUnavailable(OrderError):
    """An item the user may not (or may no longer) order."""
