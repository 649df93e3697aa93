"""Form fields of the offerings app."""

from django import forms


class LinesField(forms.Field):
    """A list of short texts edited as a textarea, one item per line (blank lines dropped)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, list):
            return value
        return [line.strip() for line in str(value).splitlines() if line.strip()]


class ServiceOfferingForm(forms.ModelForm):
    """The offering's admin form: scope lists as one item per line (the model validates them)."""

    in_scope = LinesField(
        required=False, label="In scope", help_text="What the offering includes, one item per line."
    )
    out_of_scope = LinesField(
        required=False, label="Out of scope", help_text="What it does not include, one item per line."
    )
