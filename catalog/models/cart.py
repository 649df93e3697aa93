"""The cart: what a user has chosen but not ordered yet."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.models import SysIdModel


class Cart(SysIdModel):
    """A user's shopping cart (`sc_cart`); one per user, emptied by checkout."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sc_cart")
    # Bumped by every change and every checkout; the cart page posts the version it showed,
    # which is how a double submit of "Checkout" is recognised (see catalog.ordering.place_order).
    version = models.PositiveIntegerField(default=0)
    last_request = models.ForeignKey(
        "catalog.Request", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_checkout_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "sc_cart"

    def __str__(self):
        return f"Cart of {self.user}"


class CartItem(SysIdModel):
    """One line of a cart: an item, a quantity and the answers to its variables (`sc_cart_item`)."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    catalog_item = models.ForeignKey(
        "catalog.CatalogItem", on_delete=models.CASCADE, related_name="cart_lines", db_column="cat_item_id"
    )
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    # {variable name: answer as text}; text so it re-validates with the same form fields at checkout.
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "sc_cart_item"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="sc_cart_item_quantity_positive",
                violation_error_message="The quantity must be at least 1.",
            )
        ]

    def __str__(self):
        return f"{self.quantity} × {self.catalog_item}"

    @property
    def total_price(self):
        return self.catalog_item.price * self.quantity
