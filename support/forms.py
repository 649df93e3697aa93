from django import forms

from customers.models import InstallBaseItem, SoldProduct


class CaseForm(forms.Form):
    """A new case about one of the account's sold products or install base items."""

    sold_product = forms.ModelChoiceField(
        queryset=SoldProduct.objects.none(), to_field_name="sys_id", required=False, label="Product"
    )
    install_base_item = forms.ModelChoiceField(
        queryset=InstallBaseItem.objects.none(), to_field_name="sys_id", required=False, label="Installation"
    )
    short_description = forms.CharField(max_length=255, label="Subject")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Details")

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sold_product"].queryset = account.sold_products.order_by("name")
        self.fields["install_base_item"].queryset = account.install_base_items.order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("sold_product") and not data.get("install_base_item"):
            self.add_error("sold_product", "Choose the product or the installation the case is about.")
        return data
