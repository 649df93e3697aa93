"""Forms of the catalog pages; answers are validated by the fields of catalog.variables."""

import uuid

from django import forms

from catalog.cart import MAX_QUANTITY
from catalog.variables import variable_field

VARIABLE_PREFIX = "var_"


class ItemOrderForm(forms.Form):
    """The quantity and the item's questions, plus a one-time token that makes "Order now" idempotent."""

    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1)
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, variables=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.variables = list(variables)
        for variable in self.variables:
            self.fields[VARIABLE_PREFIX + variable.name] = variable_field(variable)

    def variable_fields(self):
        return [self[VARIABLE_PREFIX + variable.name] for variable in self.variables]

    def answers(self):
        return {
            variable.name: self.cleaned_data[VARIABLE_PREFIX + variable.name] for variable in self.variables
        }

    def add_service_errors(self, error):
        """Show a ValidationError raised by the ordering service on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = name if name in self.fields else VARIABLE_PREFIX + name
            self.add_error(field if field in self.fields else None, messages)


class CartLineForm(forms.Form):
    """Change the quantity of a cart line, or remove it."""

    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)
    action = forms.ChoiceField(choices=[("update", "Update"), ("remove", "Remove")])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "update" and cleaned.get("quantity") is None:
            self.add_error("quantity", "Enter a quantity.")
        return cleaned


class CheckoutForm(forms.Form):
    """Checkout carries the cart version the page showed, so a second submit is recognised."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    """A manager's decision on a requested item."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why you reject it.")
        return cleaned
