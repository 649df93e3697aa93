"""Write every ServiceNow table Runstage knows to a folder, in the shape the importer reads."""

import datetime
import json
import textwrap
import uuid
from decimal import Decimal
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS

from cmdb.servicenow.registry import family_root, load_order, subclasses

EXPORT_CHUNK = 2000
# Written for every row, as ServiceNow's Table API does; the importer keeps them.
SYSTEM_FIELDS = ("sys_created_on", "sys_updated_on", "sys_created_by", "sys_updated_by")
# ServiceNow's date-time form, always in UTC: "2025-12-06 18:24:00".
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def export_folder(path, *, using=DEFAULT_DB_ALIAS):
    """Write `<table>.json` for every registered table into `path`; return {table: row count}."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for spec in load_order():
        rows = (export_row(spec, obj) for obj in rows_of(spec, using))
        counts[spec.table] = write_table(folder / f"{spec.table}.json", rows)
    return counts


def rows_of(spec, using):
    """The rows that belong in `spec`'s file: for a CI class, only the rows of exactly that class."""
    queryset = spec.model._base_manager.using(using).order_by(*spec.ordering)
    root = family_root(spec)
    if root is spec:
        other_tables = [model._meta.db_table for model in subclasses(spec.model)]
        queryset = queryset.exclude(sys_class_name__in=other_tables)
    elif root is not None:
        queryset = queryset.filter(sys_class_name=spec.table)
    # References are written as sys_ids, so fetch each referenced row's sys_id in the same query.
    related = [reference.name for reference in spec.references.values()]
    return queryset.select_related(*related).iterator(chunk_size=EXPORT_CHUNK)


def export_row(spec, obj):
    row = {"sys_id": obj.sys_id.hex}
    if family_root(spec):
        row["sys_class_name"] = obj.sys_class_name
    for name, model_name in spec.fields.items():
        model_field = spec.model._meta.get_field(model_name)
        if model_field.many_to_one:
            target = getattr(obj, model_field.name)
            row[name] = target.sys_id.hex if target is not None else ""
        else:
            row[name] = export_value(getattr(obj, model_field.attname), spec.converters.get(name))
    for name in spec.export_only:
        row[name] = stored_value(getattr(obj, name))
    for name in SYSTEM_FIELDS:
        row[name] = stored_value(getattr(obj, name))
    return row


def export_value(value, converter):
    """A field's value in ServiceNow's form: through the spec's converter when it has one."""
    if value is None or converter is None or converter.to_servicenow is None:
        return stored_value(value)
    return converter.to_servicenow(value)


def stored_value(value):
    """A value as ServiceNow stores it: a string, booleans as "true"/"false", empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime(DATETIME_FORMAT)
    return str(value)


def write_table(file, rows):
    """Write `{"result": [...]}` a row at a time (the text `json.dumps(..., indent=2)` would give,
    without holding the table); return the number of rows."""
    count = 0
    with file.open("w", encoding="utf-8") as stream:
        for count, row in enumerate(rows, start=1):
            stream.write('{\n  "result": [\n' if count == 1 else ",\n")
            stream.write(textwrap.indent(json.dumps(row, indent=2, ensure_ascii=False), "    "))
        stream.write("\n  ]\n}\n" if count else '{\n  "result": []\n}\n')
    return count
