"""Filters every API shares."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.parsing import parse_moment


class MomentFormField(forms.Field):
    """A form field for parse_moment()."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_moment(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


@extend_schema_field(OpenApiTypes.DATETIME)
class MomentFilter(django_filters.Filter):
    field_class = MomentFormField
