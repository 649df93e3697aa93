"""Load a folder of ServiceNow Table API files (`<table>.json`) in one transaction.

The load is set-based so that a million CIs take minutes, not hours: rows go in batches, every
reference of a batch is resolved with one query per referenced model, existing rows are fetched
with one query per batch, and new rows of a multi-table-inherited model are inserted table by
table with multi-row INSERTs (Django's bulk_create refuses such models). Any bad row aborts the
whole load with a message naming file, row and field; nothing is half-loaded.
"""

import contextlib
import datetime
import functools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils import timezone

from cmdb.servicenow import database
from cmdb.servicenow.registry import family_root, load_order, spec_for_class, spec_for_table
from core.models import parse_sys_id

BATCH_SIZE = 1000
REFERENCE_CACHE_SIZE = 100_000


class ImportFailure(Exception):
    """A row (or file) that cannot be loaded; the whole import is rolled back."""

    def __init__(self, message, *, file=None, row=None, field=None):
        self.file, self.row, self.field = file, row, field
        where = ", ".join(
            part
            for part in (file, row and f"row {row}", field and f"field {field}")
            if part  # row numbers start at 1
        )
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class TableCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    ignored_fields: Counter = field(default_factory=Counter)

    def __str__(self):
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.merged:
            text += f", {self.merged} merged into existing rows"
        if self.ignored_fields:
            names = ", ".join(sorted(self.ignored_fields))
            text += f"; {len(self.ignored_fields)} unknown fields ignored ({names})"
        return text


@dataclass
class ImportResult:
    tables: dict = field(default_factory=dict)
    skipped_files: list = field(default_factory=list)

    def counts(self, table):
        return self.tables.setdefault(table, TableCounts())

    def summary_lines(self):
        lines = [f"{table}: {counts}" for table, counts in self.tables.items()]
        lines += [f"{name}: skipped, Runstage has no such table" for name in self.skipped_files]
        return lines


@dataclass
class SourceRow:
    file: str
    number: int
    data: dict
    class_name: str


@dataclass
class ParsedRow:
    source: SourceRow
    sys_id: object
    values: dict  # model attname -> Python value, for the fields present in the row
    references: dict  # ServiceNow name -> target sys_id (UUID) or None
    missing: list  # required ServiceNow fields absent from the row

    def fail(self, message, field=None):
        return ImportFailure(message, file=self.source.file, row=self.source.number, field=field)


def import_folder(path, *, using=DEFAULT_DB_ALIAS, dry_run=False):
    """Upsert every `<table>.json` in `path` by sys_id; return the per-table counts.

    Raises ImportFailure (and changes nothing) when any file or row is bad.
    """
    pools, skipped = read_folder(Path(path))
    importer = Importer(using)
    importer.result.skipped_files = skipped
    try:
        with transaction.atomic(using=using):
            importer.load(pools)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return importer.result


class _DryRun(Exception):
    pass


def read_folder(path):
    """({spec: [SourceRow, ...]}, skipped file names): every row sorted to the spec that loads it."""
    if not path.is_dir():
        raise ImportFailure(f"{path} is not a folder")
    pools, skipped = defaultdict(list), []
    for file in sorted(path.glob("*.json")):
        file_spec = spec_for_table(file.stem)
        if file_spec is None:
            skipped.append(file.name)
            continue
        for number, data in enumerate(read_rows(file), start=1):
            if not isinstance(data, dict):
                raise ImportFailure("a row must be a JSON object", file=file.name, row=number)
            class_name = plain_value(data.get("sys_class_name")) or file.stem
            spec = spec_for_class(file_spec, class_name)
            if spec is None:
                raise ImportFailure(
                    f"{class_name!r} is not a class of {file_spec.table}",
                    file=file.name,
                    row=number,
                    field="sys_class_name",
                )
            pools[spec].append(SourceRow(file.name, number, data, class_name))
    return pools, skipped


def read_rows(file):
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ImportFailure(f"not UTF-8 text ({error})", file=file.name) from error
    except json.JSONDecodeError as error:
        raise ImportFailure(f"malformed JSON: {error}", file=file.name) from error
    if not isinstance(document, dict) or not isinstance(document.get("result"), list):
        raise ImportFailure('expected {"result": [ ... ]}', file=file.name)
    return document["result"]


def plain_value(value):
    """A field's stored value: references may come as {"value": sys_id, "link": ...}; null is empty."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    return "" if value is None else value


class Importer:
    def __init__(self, using):
        self.using = using
        self.connection = connections[using]
        self.result = ImportResult()
        # {model: {imported sys_id: local pk}} for rows merged into an existing row by name.
        self.aliases = defaultdict(dict)
        # {spec: [(ParsedRow, status), ...]} for rows with references set after every table loaded.
        self.pending = defaultdict(list)
        self.now = timezone.now()
        # References repeat (every relationship names its type, many rows the same company or
        # group): parsing each distinct sys_id once saves a UUID construction per reference.
        self.parse_target_sys_id = functools.lru_cache(maxsize=REFERENCE_CACHE_SIZE)(parse_sys_id)

    def load(self, pools):
        for spec in load_order():
            counts = self.result.counts(spec.table) if pools.get(spec) else None
            for batch in self.batches(spec, pools.get(spec, ())):
                self.load_batch(spec, batch, counts)
        for spec, pending in self.pending.items():
            for start in range(0, len(pending), BATCH_SIZE):
                self.set_deferred_references(spec, pending[start : start + BATCH_SIZE])
        # A hook shared by several tables (task, incident, change_request) runs once.
        hooks = dict.fromkeys(
            spec.after_load for spec in load_order() if spec.after_load and self.changed(spec.table)
        )
        for hook in hooks:
            hook()

    def changed(self, table):
        counts = self.result.tables.get(table)
        return counts is not None and bool(counts.created or counts.updated)

    # Batching -------------------------------------------------------------------------------

    def batches(self, spec, rows):
        if spec.tree_parent:
            rows = parents_first(spec, rows)
        batch, level = [], None
        for row, row_level in rows if spec.tree_parent else ((row, 0) for row in rows):
            if batch and (len(batch) >= BATCH_SIZE or row_level != level):
                yield batch
                batch = []
            batch.append(row)
            level = row_level
        if batch:
            yield batch

    # One batch ------------------------------------------------------------------------------

    def load_batch(self, spec, batch, counts):
        parsed = [self.parse_row(spec, row, counts) for row in batch]
        seen = {}
        for row in parsed:
            if row.sys_id in seen:
                raise row.fail(f"sys_id also used by {seen[row.sys_id]}", "sys_id")
            seen[row.sys_id] = f"{row.source.file} row {row.source.number}"
        self.resolve_references(spec, parsed)
        existing = self.existing_values(spec, parsed)
        new_rows = [row for row in parsed if row.sys_id not in existing]
        new_rows = self.merge(spec, new_rows, counts)

        changed_objects, changed_fields = [], set()
        for row in parsed:
            current = existing.get(row.sys_id)
            if current is None:
                continue
            changed = [name for name, value in row.values.items() if current[name] != value]
            if changed:
                changed_objects.append(spec.model(**(current | row.values)))
                changed_fields.update(changed)
            self.defer(spec, row, "updated" if changed else "unchanged")
        for row in new_rows:
            if row.missing:
                raise row.fail("required field is missing", row.missing[0])
            self.defer(spec, row, "created")

        with database_errors_named(batch):
            if new_rows:
                self.insert(spec, new_rows)
            if changed_objects:
                for obj in changed_objects:
                    obj.sys_updated_on = self.now
                fields = sorted(changed_fields | {"sys_updated_on"})
                self.manager(spec.model).bulk_update(changed_objects, fields, batch_size=BATCH_SIZE)
        counts.created += len(new_rows)
        counts.updated += len(changed_objects)
        counts.unchanged += len(existing) - len(changed_objects)

    def parse_row(self, spec, source, counts):
        data = source.data
        raw_sys_id = plain_value(data.get("sys_id"))
        row = ParsedRow(source, None, {}, {}, [])
        if raw_sys_id == "":
            raise row.fail("required field is missing", "sys_id")
        try:
            row.sys_id = parse_sys_id(raw_sys_id)
        except ValueError as error:
            raise row.fail(f"{raw_sys_id!r} is not a sys_id", "sys_id") from error
        if family_root(spec):
            row.values["sys_class_name"] = source.class_name
        import_fields = spec.import_fields
        for name, value in data.items():
            mapped = import_fields.get(name)
            if mapped is None:
                if name not in ("sys_id", "sys_class_name") and name not in spec.export_only:
                    counts.ignored_fields[name] += 1
                continue
            model_field, converter = mapped
            value = plain_value(value)
            if model_field.many_to_one:
                row.references[name] = self.parse_reference(row, name, model_field, value)
            else:
                row.values[model_field.attname] = to_python(row, name, model_field, value, converter)
        row.missing = [name for name in spec.required_fields if name not in data]
        return row

    def parse_reference(self, row, name, model_field, value):
        if value == "":
            if not model_field.null:
                raise row.fail("required reference is empty", name)
            return None
        try:
            if isinstance(value, str):
                return self.parse_target_sys_id(value)
            return parse_sys_id(value)
        except ValueError as error:
            raise row.fail(f"{value!r} is not a sys_id", name) from error

    def resolve_references(self, spec, parsed, deferred=False):
        """Turn the batch's reference sys_ids into pks (the deferred ones, or all the others)."""
        wanted = {
            name: reference
            for name, reference in spec.references.items()
            if spec.is_deferred(name) == deferred
        }
        targets = defaultdict(set)
        for row in parsed:
            for name, target in row.references.items():
                if target is not None and name in wanted:
                    targets[wanted[name].related_model].add(target)
        found = {model: self.lookup(model, ids) for model, ids in targets.items()}
        for row in parsed:
            for name, target in row.references.items():
                reference = wanted.get(name)
                if reference is None:
                    continue
                if target is None:
                    row.values[reference.attname] = None
                    continue
                pk = found[reference.related_model].get(target)
                if pk is None:
                    raise row.fail(
                        f"no {reference.related_model._meta.db_table} row has sys_id {target.hex}", name
                    )
                row.values[reference.attname] = pk

    def lookup(self, model, sys_ids):
        """{sys_id: pk} for the given sys_ids of `model`, merged rows included; one query."""
        found = {
            sys_id: pk for sys_id, (pk,) in database.select_by_sys_id(self.connection, model, sys_ids).items()
        }
        aliases = self.aliases.get(model, {})
        found.update((sys_id, aliases[sys_id]) for sys_id in sys_ids if sys_id in aliases)
        return found

    def existing_values(self, spec, parsed):
        """{sys_id: {attname: stored value}} for the batch's rows that exist already.

        The sys_ids are looked up first (one cheap query; a first load stops there). Then only the
        fields the rows carry are fetched, as plain values (with the pk, so that a changed row can
        become an instance for bulk_update): building a model instance for every row of a
        re-import cost more than comparing the values.
        """
        root = family_root(spec)
        lookup_model = root.model if root else spec.model
        columns = ("sys_class_name",) if root else ()
        found = database.select_by_sys_id(
            self.connection, lookup_model, [row.sys_id for row in parsed], columns
        )
        if root:
            self.check_classes(parsed, found)
        if not found:
            return {}
        sys_ids = {pk: sys_id for sys_id, (pk, *_) in found.items()}
        attnames = sorted({name for row in parsed if row.sys_id in found for name in row.values})
        names = [spec.model._meta.pk.attname, *attnames]
        stored = self.manager(spec.model).filter(pk__in=sys_ids).values_list(*names)
        return {sys_ids[values[0]]: dict(zip(names, values, strict=True)) for values in stored}

    @staticmethod
    def check_classes(parsed, found):
        """A sys_id keeps its CI (or product model) class: a row cannot move to another class."""
        for row in parsed:
            if row.sys_id not in found:
                continue
            current = found[row.sys_id][1]
            if current != row.source.class_name:
                raise row.fail(
                    f"sys_id {row.sys_id.hex} already exists as {current}, not {row.source.class_name}",
                    "sys_class_name",
                )

    def merge(self, spec, new_rows, counts):
        """Rows new by sys_id whose `merge_by` value exists already become aliases of that row."""
        if not spec.merge_by or not new_rows:
            return new_rows
        attname = spec.model._meta.get_field(spec.merge_by).attname
        keys = {row.values[attname] for row in new_rows if attname in row.values}
        local = dict(
            self.manager(spec.model).filter(**{f"{spec.merge_by}__in": keys}).values_list(attname, "pk")
        )
        remaining = []
        for row in new_rows:
            pk = local.get(row.values.get(attname))
            if pk is None:
                remaining.append(row)
            else:
                self.aliases[spec.model][row.sys_id] = pk
                counts.merged += 1
        return remaining

    def defer(self, spec, row, status):
        if any(spec.is_deferred(name) for name in row.references):
            self.pending[spec].append((row, status))

    # Writing --------------------------------------------------------------------------------

    def insert(self, spec, new_rows):
        database.insert_new_rows(self.connection, spec.model, self.new_records(spec, new_rows))

    def new_records(self, spec, new_rows):
        """{attname: value} for every column of every table of the model, one per new row."""
        defaults = {f.attname: f.get_default() for f in spec.model._meta.concrete_fields}
        stamps = {"sys_created_on": self.now, "sys_updated_on": self.now}
        records = []
        for row in new_rows:
            record = defaults | row.values | stamps
            for name, value in spec.defaults.items():
                if name not in row.values:
                    record[name] = value() if callable(value) else value
            record["sys_id"] = row.sys_id
            records.append(record)
        return records

    def set_deferred_references(self, spec, pending):
        """Second pass: self-references and cyclic references, once every row exists."""
        counts = self.result.counts(spec.table)
        self.resolve_references(spec, [row for row, _ in pending], deferred=True)
        attnames = sorted(
            {reference.attname for name, reference in spec.references.items() if spec.is_deferred(name)}
        )
        objects = {
            obj.sys_id: obj
            for obj in self.manager(spec.model)
            .filter(sys_id__in=[row.sys_id for row, _ in pending])
            .only("pk", "sys_id", *attnames)
        }
        changed_objects = []
        for row, status in pending:
            obj = objects[row.sys_id]
            changed = [
                name for name in attnames if name in row.values and getattr(obj, name) != row.values[name]
            ]
            if not changed:
                continue
            for name in changed:
                setattr(obj, name, row.values[name])
            obj.sys_updated_on = self.now
            changed_objects.append(obj)
            if status == "unchanged":
                counts.unchanged -= 1
                counts.updated += 1
        if changed_objects:
            with database_errors_named([row.source for row, _ in pending]):
                self.manager(spec.model).bulk_update(
                    changed_objects, [*attnames, "sys_updated_on"], batch_size=BATCH_SIZE
                )

    # Helpers --------------------------------------------------------------------------------

    def manager(self, model):
        return model._base_manager.using(self.using)


@contextlib.contextmanager
def database_errors_named(sources):
    """Turn a database error on a batch (a unique or check constraint) into an ImportFailure."""
    try:
        yield
    except DatabaseError as error:
        files = sorted({source.file for source in sources})
        numbers = [source.number for source in sources]
        raise ImportFailure(
            f"the database refused rows {min(numbers)}-{max(numbers)}: {error}", file=", ".join(files)
        ) from error


def to_python(row, name, model_field, value, converter=None):
    """A ServiceNow stored value ("1", "true", "12.50", "") as the model field's Python value.

    The spec's converter for the field, if any, reads the value first. Date-times without a zone
    are UTC, as ServiceNow writes them; ISO offsets are kept.
    """
    if isinstance(value, dict | list):
        raise row.fail("expected a plain value, not a JSON object or list", name)
    if converter is not None and value != "":
        try:
            value = converter.to_runstage(value)
        except ValueError as error:
            raise row.fail(str(error), name) from error
    if isinstance(model_field, models.BooleanField):
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0", ""):
            return False
        raise row.fail(f"{value!r} is not a boolean (write true or false)", name)
    if value == "" and not isinstance(model_field, models.CharField | models.TextField):
        if model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        raise row.fail("required value is empty", name)
    try:
        value = model_field.clean(value, None)
    except ValidationError as error:
        raise row.fail(" ".join(error.messages), name) from error
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        # ServiceNow's Table API writes date-times in UTC without a zone ("2026-03-12 07:00:00").
        # Left naive, Django would warn on save and the value would never compare equal to the
        # stored (aware) one, so every re-import would report the row as updated.
        value = value.replace(tzinfo=datetime.UTC)
    return value


def parents_first(spec, rows):
    """[(row, tree level)] ordered so that a row's parent (if in the import) is in an earlier level."""
    by_id = {}
    for row in rows:
        try:
            by_id[parse_sys_id(plain_value(row.data.get("sys_id")))] = row
        except ValueError:
            continue  # reported with its row number when the row is parsed
    levels = {}

    def parent_of(row):
        try:
            return parse_sys_id(plain_value(row.data.get(spec.tree_parent)))
        except ValueError:
            return None

    for row in rows:
        chain, on_chain, current = [], set(), row
        while current is not None and id(current) not in levels:
            if id(current) in on_chain:
                raise ImportFailure(
                    "parent references form a cycle", file=row.file, row=row.number, field=spec.tree_parent
                )
            chain.append(current)
            on_chain.add(id(current))
            current = by_id.get(parent_of(current))
        level = levels[id(current)] + 1 if current is not None else 0
        for member in reversed(chain):
            levels[id(member)] = level
            level += 1
    return sorted(((row, levels[id(row)]) for row in rows), key=lambda pair: pair[1])
