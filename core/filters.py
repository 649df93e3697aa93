"""Filters every API shares: one for moments in time, one for references by sys_id.

Both refuse a parameter that is present but empty (`?updated_after=`) with a 400 naming it, as the
schema (format date-time / uuid) says, instead of quietly not filtering (issue 10).
"""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.parsing import parse_moment

EMPTY_MESSAGE = "An empty value is not allowed; leave the parameter out instead."


class MomentFormField(forms.Field):
    """A form field for parse_moment()."""

    def to_python(self, value):
        if value is None:
            return None
        try:
            return parse_moment(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def validate(self, value):
        # Field.validate() would only check "required"; to_python() has already refused what is bad.
        pass


class SysIdFormField(forms.UUIDField):
    """A UUID form field (32 hex or hyphenated) that refuses an empty value."""

    def to_python(self, value):
        if value is not None and not str(value).strip():
            raise forms.ValidationError(EMPTY_MESSAGE)
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.DATETIME)
class MomentFilter(django_filters.Filter):
    """An ISO date or date-time (with an offset of at most ±15:59); a date means its midnight."""

    field_class = MomentFormField


class SysIdFilter(django_filters.UUIDFilter):
    """A sys_id (or a reference's sys_id, with field_name="<reference>__sys_id")."""

    field_class = SysIdFormField
