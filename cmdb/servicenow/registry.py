"""The ServiceNow tables Runstage knows, collected from every installed app's `servicenow` module."""

import functools
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def table_specs():
    """{table name: TableSpec} for every app that has a `servicenow` module with a `TABLES` list."""
    specs = {}
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.servicenow"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        for spec in getattr(module, "TABLES", ()):
            if spec.table in specs:
                raise ImproperlyConfigured(f"ServiceNow table {spec.table} is declared twice.")
            specs[spec.table] = spec
    return specs


@functools.cache
def family_root(spec):
    """The spec at the base of `spec`'s class family (cmdb_ci for every CI class), or None."""
    for parent in reversed(spec.model._meta.get_parent_list()):
        root = specs_by_model().get(parent)
        if root is not None:
            return root
    return spec if any(other.model in subclasses(spec.model) for other in table_specs().values()) else None


@functools.cache
def specs_by_model():
    return {spec.model: spec for spec in table_specs().values()}


@functools.cache
def subclasses(model):
    return frozenset(other for other in specs_by_model() if other is not model and issubclass(other, model))


def spec_for_table(table):
    """The spec that loads a file named `<table>.json`: its own, or its class family's base."""
    specs = table_specs()
    if table in specs:
        return specs[table]
    for spec in specs.values():
        if spec.accepts_class(table):
            return spec
    return None


@functools.cache
def spec_for_class(file_spec, class_name):
    """The spec that loads a row of class `class_name` found in `file_spec`'s file, or None."""
    root = family_root(file_spec)
    if root is None:
        return file_spec
    spec = table_specs().get(class_name)
    if spec is not None and (spec is root or spec.model in subclasses(root.model)):
        return spec
    if spec is None and root.accepts_class(class_name):
        return root
    return None


@functools.cache
def load_order():
    """Every spec after the specs its (non-deferred) references point into."""
    specs = list(table_specs().values())
    needs = {}
    for spec in specs:
        targets = {
            reference.related_model
            for name, reference in spec.references.items()
            if not spec.is_deferred(name) and name != spec.tree_parent
        }
        needs[spec] = {
            other
            for other in specs
            if other is not spec and any(issubclass(other.model, target) for target in targets)
        }
    ordered, placed = [], set()
    while len(ordered) < len(specs):
        ready = [spec for spec in specs if spec not in placed and needs[spec] <= placed]
        if not ready:
            stuck = sorted(spec.table for spec in specs if spec not in placed)
            raise ImproperlyConfigured(
                f"ServiceNow tables reference each other in a cycle: {', '.join(stuck)}. "
                "Declare one of the references as deferred."
            )
        ordered.extend(ready)
        placed.update(ready)
    return tuple(ordered)
