"""How the importer reads values: a row's fields by a plan worked out once per table, each value
as its model field's Python value, sys_ids as 32 hex characters.

The Table API reads query and written values the same way (`to_python`).
"""

import contextlib
import datetime
import functools
import re
import sys
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from cmdb.servicenow.registry import family_root
from cmdb.servicenow.spec import SPELLING_VARIANTS
from core.models import parse_sys_id

VALUE_CACHE_SIZE = 100_000
FIELD_CACHE_SIZE = 20_000
# Every table carries these; kept as imported (fidelity), set by the import only when absent.
SYSTEM_FIELDS = ("sys_created_on", "sys_updated_on", "sys_created_by", "sys_updated_by")

MISSING = object()
HEX_DIGITS = "0123456789abcdef"


def sys_id_key(value):
    """A sys_id as the importer keys it, 32 lowercase hex characters (ServiceNow's own form), or
    None when `value` is no sys_id. The common form is checked as text: a UUID built per row and
    per reference cost more than the rest of parsing the row."""
    if type(value) is str and len(value) == 32 and not value.strip(HEX_DIGITS):
        return value
    try:
        return parse_sys_id(value).hex
    except ValueError:
        return None


@dataclass
class FieldPlan:
    """How the importer reads one ServiceNow field of one table, worked out once per import."""

    model_field: models.Field
    converter: object
    canonical: str  # the mapped ServiceNow name (`name` may be another spelling of it)
    reference: bool = False
    system: bool = False  # sys_created_on and the like: empty means "left to the import"
    # Values repeat down a column (statuses, booleans, dates of a bulk load): {text: Python value}
    # for each distinct text, up to FIELD_CACHE_SIZE of them. Refusals are not cached (an exception
    # is not a result), so every bad row is still reported.
    cache: dict = field(default_factory=dict)

    def __post_init__(self):
        self.attname = self.model_field.attname
        model_field = self.model_field
        # Free text (names, descriptions) is mostly distinct: clean() would only check the length.
        self.free_text = (
            type(model_field) in (models.CharField, models.TextField)
            and not model_field.choices
            and self.converter is None
            and all(isinstance(validator, MaxLengthValidator) for validator in model_field.validators)
        )
        self.max_length = model_field.max_length or sys.maxsize

    def convert(self, row, name, value):
        if self.free_text and type(value) is str and value and len(value) <= self.max_length:
            return value
        try:
            result = converted(self.model_field, self.converter, value)
        except ValueRefused as error:
            raise row.fail(str(error), name) from error
        # Empty text is not cached: it may stand for a callable default such as "now".
        if type(value) is str and value and len(self.cache) < FIELD_CACHE_SIZE:
            self.cache[value] = result
        return result


@dataclass
class RowPlan:
    """{ServiceNow name: FieldPlan} of one table, and what its rows must carry."""

    fields: dict
    known: frozenset  # names read elsewhere (sys_id, sys_class_name) or exported only: not "unknown"
    required: tuple  # (ServiceNow name, its other spellings) of the fields a new row must carry
    class_family: bool

    @classmethod
    def of(cls, spec):
        fields = {}
        local = {f.name for f in spec.model._meta.concrete_fields}
        for name in SYSTEM_FIELDS:
            if name in local:
                fields[name] = FieldPlan(spec.model._meta.get_field(name), None, name, system=True)
        for name, (model_field, converter) in spec.import_fields.items():
            fields[name] = FieldPlan(
                model_field, converter, spec.canonical_name(name), reference=model_field.many_to_one
            )
        required = tuple(
            (name, tuple(variant for variant, canonical in SPELLING_VARIANTS.items() if canonical == name))
            for name in spec.required_fields
        )
        known = frozenset(("sys_id", "sys_class_name", *spec.export_only))
        return cls(fields, known, required, family_root(spec) is not None)


def to_python(row, name, model_field, value, converter=None):
    """A ServiceNow stored value ("1", "true", "12.50", "") as the model field's Python value.

    The spec's converter for the field, if any, reads the value first. Date-times without a zone
    are UTC, as ServiceNow writes them; ISO offsets are kept.
    """
    try:
        # Empty text is not cached: it may stand for a callable default such as "now".
        if type(value) is str and value:
            return converted_text(model_field, converter, value)
        return converted(model_field, converter, value)
    except ValueRefused as error:
        raise row.fail(str(error), name) from error


class ValueRefused(ValueError):
    """A value the field cannot hold; the message is reported with file, row and field."""


def converted(model_field, converter, value):
    if isinstance(value, dict | list):
        raise ValueRefused("expected a plain value, not a JSON object or list")
    if converter is not None and value != "":
        try:
            value = converter.to_runstage(value)
        except ValueError as error:
            raise ValueRefused(str(error)) from error
    if isinstance(model_field, models.BooleanField):
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0", ""):
            return False
        raise ValueRefused(f"{value!r} is not a boolean (write true or false)")
    if value == "" and not isinstance(model_field, models.CharField | models.TextField):
        if model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        raise ValueRefused("required value is empty")
    if model_field.choices and value != "":
        value = choice_value(model_field, value)
    elif isinstance(model_field, models.DateTimeField) and isinstance(value, str):
        # datetime's own ISO reader (in C) takes ServiceNow's "2026-03-12 07:00:00" and ISO forms
        # at a fraction of the cost of Django's regular expressions; anything else goes to Django.
        with contextlib.suppress(ValueError):
            value = datetime.datetime.fromisoformat(value)
    try:
        value = model_field.clean(value, None)
    except ValidationError as error:
        raise ValueRefused(" ".join(error.messages)) from error
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        # ServiceNow's Table API writes date-times in UTC without a zone ("2026-03-12 07:00:00").
        # Left naive, Django would warn on save and the value would never compare equal to the
        # stored (aware) one, so every re-import would report the row as updated.
        value = value.replace(tzinfo=datetime.UTC)
    return value


# Values repeat down a column (statuses, booleans, classes, dates of a bulk load): each distinct
# text is converted and validated once per field. Results are immutable values; refusals are not
# cached (an exception is not a result), so every bad row is still reported.
converted_text = functools.lru_cache(maxsize=VALUE_CACHE_SIZE)(converted)


def differs(stored, imported):
    """Whether an imported value changes the stored one.

    ServiceNow keeps date-times to the second and exports them so: an imported date-time without
    a fraction matches a stored one that has one (a row created here, exported and imported back).
    """
    if (
        isinstance(imported, datetime.datetime)
        and isinstance(stored, datetime.datetime)
        and not imported.microsecond
    ):
        return stored.replace(microsecond=0) != imported
    return stored != imported


WHITESPACE = re.compile(r"\s+")


def choice_key(text):
    """Choices match whatever their case and spacing: "Response Time", "response time", "RESPONSETIME"."""
    return WHITESPACE.sub("", str(text)).casefold()


@functools.cache
def choices_of(model_field):
    """({stored value or label, normalised: stored value}, "allowed values" text) of a choice field."""
    lookup, allowed = {}, []
    for stored, label in model_field.flatchoices:
        if stored in ("", None):
            continue
        allowed.append(f"{stored} ({label})" if str(label) != str(stored) else str(stored))
        lookup.setdefault(choice_key(label), stored)
    for stored, _ in model_field.flatchoices:
        if stored not in ("", None):
            lookup[choice_key(stored)] = stored  # a stored value wins over another choice's label
    return lookup, ", ".join(allowed)


def choice_value(model_field, value):
    """A choice field's stored value, given the stored value itself or its label."""
    lookup, allowed = choices_of(model_field)
    stored = lookup.get(choice_key(value))
    if stored is None:
        raise ValueRefused(f"{value!r} is not an allowed value; allowed: {allowed}")
    return stored
