"""How one ServiceNow table maps onto one Runstage model.

Each app lists its tables in `<app>/servicenow.py` as `TABLES = [TableSpec(...), ...]`; the
registry (`cmdb.servicenow.registry`) collects them from the installed apps, and the importer and
exporter work from those specs alone. References are not declared: they are the foreign keys
among the mapped fields, and the load order follows from them.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models

# Other spellings of a ServiceNow field that imports accept: {other spelling: ServiceNow's own}.
# ServiceNow's CI column for business criticality is `busines_criticality` (sic); exports made by
# hand, and Runstage's own before it wrote ServiceNow's, spell it out in full. Exports write
# ServiceNow's spelling.
SPELLING_VARIANTS = {"business_criticality": "busines_criticality"}


def field_map(*same_names, **renamed):
    """{ServiceNow field: model field}: positional names are the same on both sides."""
    return {name: name for name in same_names} | renamed


@dataclass(frozen=True)
class Converter:
    """How one field's value crosses between ServiceNow's form and Runstage's, in both directions.

    `to_runstage` takes the (non-empty) ServiceNow value and returns something the model field
    accepts; the model field still validates the result. It raises ValueError, whose message the
    import reports with file, row and field, for a value it cannot read. `to_servicenow` takes the
    model's (non-null) value and returns the text to export; without it the value is exported as
    stored. Empty values are never converted: the model field decides what empty means.
    """

    to_runstage: Callable[[object], object]
    to_servicenow: Callable[[object], str] | None = None


@dataclass(frozen=True, eq=False)
class TableSpec:
    """One ServiceNow table: its model, its field map and how its rows must be ordered."""

    model: type[models.Model]
    # ServiceNow field name -> model field name. `sys_id` (and `sys_class_name` in class
    # families) are handled by the importer and are never listed here.
    fields: Mapping[str, str]
    # References that form a cycle between tables (department.dept_head -> sys_user ->
    # department); they are set in a second pass once every table has loaded. References into
    # a spec's own model (manager, parent...) are always deferred that way.
    deferred: tuple[str, ...] = ()
    # A self-reference whose table has sibling-uniqueness constraints (MPTT trees): rows are
    # loaded parents first, one tree level at a time, instead of being deferred.
    tree_parent: str | None = None
    # A model field by which an imported row that is new by sys_id is merged into an existing
    # row (cmdb_rel_type rows merge by name with the local standard types).
    merge_by: str | None = None
    # Classes without a spec of their own that load as rows of this spec (the base of a class
    # family, e.g. cmdb_ci_linux_server as a plain cmdb_ci row), as a regular expression.
    other_classes: str | None = None
    # Model attributes written on export but ignored on import (derived from mapped fields).
    export_only: tuple[str, ...] = ()
    # Values for model fields an import never sets (MPTT bookkeeping before rebuild()).
    defaults: Mapping[str, object] = field(default_factory=dict)
    # ServiceNow field name -> Converter, for fields whose ServiceNow form is not the model's
    # (numeric codes for choices, durations written as dates).
    converters: Mapping[str, Converter] = field(default_factory=dict)
    # Run inside the import transaction once rows of this table were created or updated; a hook
    # shared by several tables runs once per import.
    after_load: Callable[[], None] | None = None
    ordering: tuple[str, ...] = ("sys_id",)
    table: str = ""

    def __post_init__(self):
        if not self.table:
            object.__setattr__(self, "table", self.model._meta.db_table)

    def __repr__(self):
        return f"<TableSpec {self.table}>"

    def model_field(self, servicenow_name):
        return self.model._meta.get_field(self.fields[servicenow_name])

    @cached_property
    def import_fields(self):
        """{ServiceNow name or other spelling: (model field, converter or None)}, worked out once."""
        fields = {name: (self.model_field(name), self.converters.get(name)) for name in self.fields}
        for variant, name in SPELLING_VARIANTS.items():
            if name in fields and variant not in fields:
                fields[variant] = fields[name]
        return fields

    def canonical_name(self, name):
        """The mapped ServiceNow name of `name`, which may be another spelling of it."""
        canonical = SPELLING_VARIANTS.get(name)
        return canonical if canonical in self.fields and name not in self.fields else name

    def has_field(self, data, name):
        """Whether a row carries the mapped field `name`, under its own or another spelling."""
        return name in data or any(
            variant in data for variant, canonical in SPELLING_VARIANTS.items() if canonical == name
        )

    @cached_property
    def required_fields(self):
        """ServiceNow names of the mapped fields a new row must carry."""
        required = []
        for name in self.fields:
            model_field = self.model_field(name)
            if model_field.many_to_one:
                if not model_field.null:
                    required.append(name)
            elif not model_field.blank and not model_field.has_default():
                required.append(name)
        return tuple(required)

    def accepts_class(self, class_name):
        return bool(self.other_classes) and re.fullmatch(self.other_classes, class_name) is not None

    @cached_property
    def references(self):
        """{ServiceNow name: foreign key} for every mapped reference field."""
        return {
            name: self.model._meta.get_field(model_name)
            for name, model_name in self.fields.items()
            if self.model._meta.get_field(model_name).many_to_one
        }

    @cached_property
    def deferred_references(self):
        """References set after every table has loaded: declared cycles and self-references."""
        return frozenset(
            name
            for name, reference in self.references.items()
            if name != self.tree_parent
            and (name in self.deferred or issubclass(self.model, reference.related_model))
        )

    def is_deferred(self, servicenow_name):
        return servicenow_name in self.deferred_references
