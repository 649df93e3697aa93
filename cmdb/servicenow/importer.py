"""Load ServiceNow Table API rows (a folder of `<table>.json` files, or a pulled instance) in one
transaction.

Rows come from a source (`cmdb.servicenow.sources`) one table at a time, as a stream, so memory
holds a batch, not the export. The load is set-based so that a million CIs take minutes, not
hours: rows go in batches, each row is read by a plan worked out once per table
(`cmdb.servicenow.values`), every reference of a batch is resolved with one query per referenced
model, existing rows are found with one query per batch, and new rows of a multi-table-inherited
model are inserted table by table (COPY on PostgreSQL; Django's bulk_create refuses such models).
On PostgreSQL the COPYs and a batch's look-ups run on a thread while the next batch is parsed
(`database.BackgroundWrites`), and a first load sets the secondary indexes and foreign keys of the
tables it fills aside and rebuilds them once (`database.set_aside_indexes`). Any bad row aborts
the whole load with a message naming file, row and field; nothing is half-loaded.
"""

import contextlib
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from cmdb.servicenow import database
from cmdb.servicenow.progress import NoProgress
from cmdb.servicenow.registry import family_root, load_order
from cmdb.servicenow.sources import FolderSource, ImportFailure, SourceRow, plain_value
from cmdb.servicenow.values import (
    MISSING,
    RowPlan,
    differs,
    sys_id_key,
)
from cmdb.servicenow.written import WrittenSysIds
from core.cyclic_gc import cyclic_gc_paused
from core.models import parse_sys_id

__all__ = ["ImportFailure", "ImportResult", "SourceRow", "import_folder", "import_source", "plain_value"]

# Rows per batch: each batch costs a handful of round trips (look-ups, COPY); 5,000 rows halved the
# wall time of 1,000 on a busy server, and a batch of CIs holds a few MB.
BATCH_SIZE = 5000
REFERENCE_CACHE_SIZE = 100_000
# A load of at least this many rows that at least triples a table sets its secondary indexes and
# foreign keys aside and rebuilds them at the end (PostgreSQL; `database.set_aside_indexes`).
BULK_LOAD_MIN_ROWS = 10_000
# Rows a pulled table is assumed to hold (its size is unknown up front), to size `WrittenSysIds`.
PULLED_ROWS_GUESS = 100_000


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
class ParsedRow:
    source: SourceRow
    sys_id: str  # 32 lowercase hex characters (`sys_id_key`)
    values: dict  # model attname -> Python value, for the fields present in the row
    references: dict  # ServiceNow name -> target sys_id (`sys_id_key`) or None
    missing: list  # required ServiceNow fields absent from the row

    def fail(self, message, field=None):
        return ImportFailure(message, file=self.source.file, row=self.source.number, field=field)


def import_folder(path, *, using=DEFAULT_DB_ALIAS, dry_run=False, progress=None) -> "ImportResult":
    """Upsert every `<table>.json` in `path` by sys_id; return the per-table counts.

    Raises ImportFailure (and changes nothing) when any file or row is bad.
    """
    return import_source(FolderSource(path), using=using, dry_run=dry_run, progress=progress)


def import_source(source, *, using=DEFAULT_DB_ALIAS, dry_run=False, progress=None) -> "ImportResult":
    """Upsert every row `source` gives (see `cmdb.servicenow.sources`) by sys_id, all or nothing."""
    importer = Importer(using, progress or NoProgress())
    try:
        with transaction.atomic(using=using):
            importer.load(source)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        importer.progress.finish()
    importer.result.skipped_files = list(source.skipped)
    return importer.result


class _DryRun(Exception):
    pass


class Importer:
    def __init__(self, using, progress=None):
        self.using = using
        self.progress = progress or NoProgress()
        self.connection = connections[using]
        self.result = ImportResult()
        # {model: {imported sys_id: local pk}} for rows merged into an existing row by name.
        self.aliases = defaultdict(dict)
        # {spec: [(ParsedRow, status), ...]} for rows with references set after every table loaded;
        # each holds only the row's deferred references, so that memory stays small.
        self.pending = defaultdict(list)
        self.now = timezone.now()
        # References repeat (every relationship names its type, many rows the same company or
        # group): each distinct text is checked once. {text: sys_id key}
        self.reference_keys = {}
        self.plans = {}  # {spec: RowPlan}
        self.writes = database.BackgroundWrites()
        # {model whose table holds the sys_ids: WrittenSysIds} for tables empty when the load began.
        self.written = {}

    def load(self, source):
        try:
            with cyclic_gc_paused():
                self.load_rows(source)
        finally:
            # Before the transaction ends, committed or rolled back: no COPY may still be running.
            self.writes.close()

    def load_rows(self, source):
        self.written = self.tables_empty_at_start(source)
        put_back = self.set_aside_indexes(source)
        for spec in load_order():
            total = source.total(spec)
            if total == 0:
                continue
            self.progress.start(spec.table, total)
            counts = self.result.counts(spec.table)
            # One batch ahead: batch N is parsed while PostgreSQL writes batch N-2 and looks up N-1's
            # references and existing rows (`prefetch`); then N-1 is finished with those answers.
            previous = None
            for batch in self.batches(spec, source.rows(spec)):
                parsed = self.parse_batch(spec, batch, counts)
                if previous is not None:
                    self.finish_batch(spec, *previous, counts)
                previous = (batch, parsed, self.prefetch(spec, parsed))
            if previous is not None:
                self.finish_batch(spec, *previous, counts)
        self.progress.finish()
        self.writes.wait()
        try:
            database.put_back_indexes(self.connection, put_back)
        except DatabaseError as error:
            raise ImportFailure(f"the database refused the loaded rows: {error}") from error
        for spec, pending in self.pending.items():
            for start in range(0, len(pending), BATCH_SIZE):
                self.set_deferred_references(spec, pending[start : start + BATCH_SIZE])
        # A hook shared by several tables (task, incident, change_request) runs once.
        hooks = dict.fromkeys(
            spec.after_load for spec in load_order() if spec.after_load and self.changed(spec.table)
        )
        for hook in hooks:
            hook()

    def set_aside_indexes(self, source):
        """On PostgreSQL, set aside the secondary indexes and foreign keys of the tables this load at
        least triples (`database.set_aside_indexes`); the statements that put them back."""
        if self.connection.vendor != "postgresql":
            return []
        tables = [
            model._meta.db_table
            for model, rows in self.incoming_rows(source, pulled=0).items()  # never for a pull
            if rows >= BULK_LOAD_MIN_ROWS
            and database.rows_at_most(self.connection, model, rows // 2 + 1) <= rows // 2
        ]
        if not tables:
            return []
        try:
            with transaction.atomic(using=self.using):
                return database.set_aside_indexes(self.connection, tables)
        except DatabaseError:
            # E.g. rows written earlier in the caller's transaction left deferred checks pending on
            # a table ("pending trigger events"): load with the indexes in place instead.
            return []

    def tables_empty_at_start(self, source):
        """{model: WrittenSysIds} for the tables, among those this load looks rows up in, that hold
        no row yet: their batches are looked up only for the sys_ids this load may have written."""
        incoming = self.incoming_rows(source, pulled=PULLED_ROWS_GUESS)
        lookup_models = {self.existing_lookup(spec)[0] for spec in load_order() if source.total(spec) != 0}
        return {
            model: WrittenSysIds(incoming[model])
            for model in lookup_models
            if database.rows_at_most(self.connection, model, 1) == 0
        }

    @staticmethod
    def incoming_rows(source, pulled):
        """{model: rows this load brings to its table} for every table of every spec's inheritance
        chain; a pulled table, of unknown size, counts as `pulled` rows."""
        incoming = Counter()
        for spec in load_order():
            total = source.total(spec)
            for model in (*spec.model._meta.get_parent_list(), spec.model):
                incoming[model] += pulled if total is None else total
        return incoming

    def sys_ids_to_look_up(self, spec, parsed):
        """The batch's sys_ids that may exist already, in the order of its rows; called once per
        batch, in batch order, as it records the batch's sys_ids as written."""
        sys_ids = [row.sys_id for row in parsed]
        written = self.written.get(self.existing_lookup(spec)[0])
        if written is None:
            return sys_ids
        maybe = written.maybe_written(sys_ids)
        written.add(sys_ids)
        return maybe

    def changed(self, table):
        counts = self.result.tables.get(table)
        return counts is not None and bool(counts.created or counts.updated)

    # Batching -------------------------------------------------------------------------------

    def batches(self, spec, rows):
        if spec.tree_parent:
            # Tree tables (categories, portfolio nodes) are small: held whole to order them.
            rows = parents_first(spec, list(rows))
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

    def parse_batch(self, spec, batch, counts):
        """The batch's rows parsed (no database work, so it may overlap the writes before it)."""
        parsed = [self.parse_row(spec, row, counts) for row in batch]
        seen = {}
        for row in parsed:
            first = seen.setdefault(row.sys_id, row)
            if first is not row:
                raise row.fail(f"sys_id also used by {first.source.file} row {first.source.number}", "sys_id")
        return parsed

    def prefetch(self, spec, parsed):
        """PostgreSQL: the batch's look-ups by sys_id (its references' targets, its existing rows),
        queued on the writer thread behind the writes before them, so that they see those rows;
        a future of (references {model: {sys_id: (pk,)}}, existing {sys_id: (pk, *columns)}).
        None elsewhere: `finish_batch` then looks up itself."""
        if self.connection.vendor != "postgresql":
            return None
        targets = self.reference_targets(spec, parsed)
        lookup_model, columns = self.existing_lookup(spec)
        sys_ids = self.sys_ids_to_look_up(spec, parsed)
        connection = self.connection

        def look_up():
            references = {
                model: database.select_by_sys_id(connection, model, ids, raw=True)
                for model, ids in targets.items()
            }
            return references, database.select_by_sys_id(connection, lookup_model, sys_ids, columns, raw=True)

        return self.writes.submit(look_up)

    def finish_batch(self, spec, batch, parsed, prefetched, counts):
        # Waits for the earlier writes first: a refused COPY is reported with its own rows.
        self.writes.wait()
        fetched_references, fetched_existing = prefetched.result() if prefetched else (None, None)
        self.resolve_references(spec, parsed, fetched=fetched_references)
        existing = self.existing_values(spec, parsed, fetched=fetched_existing)
        new_rows = [row for row in parsed if row.sys_id not in existing]
        new_rows = self.merge(spec, new_rows, counts)

        changed_objects, changed_fields = [], set()
        for row in parsed:
            current = existing.get(row.sys_id)
            if current is None:
                continue
            changed = [name for name, value in row.values.items() if differs(current[name], value)]
            if changed:
                obj = spec.model(**(current | row.values))
                if "sys_updated_on" not in row.values:
                    obj.sys_updated_on = self.now
                changed_objects.append(obj)
                changed_fields.update(changed)
            self.defer(spec, row, "updated" if changed else "unchanged")
        for row in new_rows:
            if row.missing:
                raise row.fail("required field is missing", row.missing[0])
            self.defer(spec, row, "created")

        with database_errors_named(batch):
            if changed_objects:
                fields = sorted(changed_fields | {"sys_updated_on"})
                database.update_rows(self.connection, spec.model, changed_objects, fields)
            if new_rows:
                self.insert(spec, new_rows, functools.partial(database_errors_named, batch))
        counts.created += len(new_rows)
        counts.updated += len(changed_objects)
        counts.unchanged += len(existing) - len(changed_objects)
        self.progress.advance(len(batch))

    def parse_row(self, spec, source, counts):
        data = source.data
        row = ParsedRow(source, None, {}, {}, [])
        raw_sys_id = data.get("sys_id")
        if type(raw_sys_id) is not str:
            raw_sys_id = plain_value(raw_sys_id)
        if raw_sys_id == "":
            raise row.fail("required field is missing", "sys_id")
        row.sys_id = sys_id_key(raw_sys_id)
        if row.sys_id is None:
            raise row.fail(f"{raw_sys_id!r} is not a sys_id", "sys_id")
        plan = self.plans.get(spec) or self.plan(spec)
        values, references, reference_keys = row.values, row.references, self.reference_keys
        if plan.class_family:
            values["sys_class_name"] = source.class_name
        for name, value in data.items():
            entry = plan.fields.get(name)
            if entry is None:
                if name not in plan.known:
                    counts.ignored_fields[name] += 1
                continue
            if type(value) is not str:
                value = plain_value(value)
            if entry.reference:
                target = reference_keys.get(value) if type(value) is str else None
                if target is None:
                    target = self.parse_reference(row, name, entry.model_field, value)
                if entry.canonical in references and references[entry.canonical] != target:
                    raise row.fail(f"disagrees with {entry.canonical}", name)
                references[entry.canonical] = target
                continue
            if entry.system and value == "":
                continue  # sys_created_on and the like: left to the import when empty
            python_value = entry.cache.get(value, MISSING) if type(value) is str else MISSING
            if python_value is MISSING:
                python_value = entry.convert(row, name, value)
            if entry.attname in values and differs(values[entry.attname], python_value):
                raise row.fail(f"disagrees with {entry.canonical}", name)
            values[entry.attname] = python_value
        for name, spellings in plan.required:
            if name not in data and not any(spelling in data for spelling in spellings):
                row.missing.append(name)
        return row

    def plan(self, spec):
        plan = self.plans[spec] = RowPlan.of(spec)
        return plan

    def parse_reference(self, row, name, model_field, value):
        if value == "":
            if not model_field.null:
                raise row.fail("required reference is empty", name)
            return None
        # parse_row asked the cache already.
        target = sys_id_key(value)
        if target is None:
            raise row.fail(f"{value!r} is not a sys_id", name)
        if type(value) is str and len(self.reference_keys) < REFERENCE_CACHE_SIZE:
            self.reference_keys[value] = target
        return target

    @staticmethod
    def wanted_references(spec, deferred):
        return {
            name: reference
            for name, reference in spec.references.items()
            if spec.is_deferred(name) == deferred
        }

    def reference_targets(self, spec, parsed, deferred=False):
        """{referenced model: sys_ids} of the batch's references (the deferred ones, or the others)."""
        wanted = self.wanted_references(spec, deferred)
        targets = defaultdict(set)
        for row in parsed:
            for name, target in row.references.items():
                if target is not None and name in wanted:
                    targets[wanted[name].related_model].add(target)
        return targets

    def resolve_references(self, spec, parsed, deferred=False, fetched=None):
        """Turn the batch's reference sys_ids into pks (the deferred ones, or all the others);
        `fetched` holds the look-ups' answers when they were made ahead (`prefetch`)."""
        wanted = self.wanted_references(spec, deferred)
        if fetched is None:
            targets = self.reference_targets(spec, parsed, deferred)
            select = functools.partial(database.select_by_sys_id, self.connection)
            fetched = {model: select(model, ids) for model, ids in targets.items()}
        found = {model: self.with_aliases(model, rows) for model, rows in fetched.items()}
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
                        f"no {reference.related_model._meta.db_table} row has sys_id {target}", name
                    )
                row.values[reference.attname] = pk

    def with_aliases(self, model, rows):
        """{sys_id: pk} from select_by_sys_id's rows, with the rows merged into existing ones."""
        found = {sys_id: pk for sys_id, (pk,) in rows.items()}
        found.update(self.aliases.get(model, {}))
        return found

    @staticmethod
    def existing_lookup(spec):
        """(model whose table holds the sys_ids, its columns to fetch) for finding existing rows."""
        root = family_root(spec)
        return (root.model, ("sys_class_name",)) if root else (spec.model, ())

    def existing_values(self, spec, parsed, fetched=None):
        """{sys_id: {attname: stored value}} for the batch's rows that exist already.

        The sys_ids are looked up first (one cheap query, or none for a table that was empty when the
        load began: `sys_ids_to_look_up`; a first load stops there). Then only the
        fields the rows carry are fetched, as plain values (with the pk, so that a changed row can
        become an instance for bulk_update): building a model instance for every row of a
        re-import cost more than comparing the values.
        """
        lookup_model, columns = self.existing_lookup(spec)
        found = fetched
        if found is None:
            found = database.select_by_sys_id(
                self.connection, lookup_model, self.sys_ids_to_look_up(spec, parsed), columns
            )
        if columns:
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
                    f"sys_id {row.sys_id} already exists as {current}, not {row.source.class_name}",
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
        if not spec.deferred_references:
            return
        deferred = {name: target for name, target in row.references.items() if spec.is_deferred(name)}
        if deferred:
            source = SourceRow(row.source.file, row.source.number, {}, row.source.class_name)
            stamp = {"sys_updated_on": row.values["sys_updated_on"]} if "sys_updated_on" in row.values else {}
            self.pending[spec].append((ParsedRow(source, row.sys_id, stamp, deferred, []), status))

    # Writing --------------------------------------------------------------------------------

    def insert(self, spec, new_rows, errors):
        database.insert_new_rows(
            self.connection,
            spec.model,
            self.new_records(spec, new_rows),
            run=functools.partial(self.writes.submit, errors=errors),
            pks_wanted=False,
        )

    def new_records(self, spec, new_rows):
        """{attname: value} for every column of every table of the model, one per new row."""
        defaults = {f.attname: f.get_default() for f in spec.model._meta.concrete_fields}
        stamps = {"sys_created_on": self.now, "sys_updated_on": self.now}
        records = []
        for row in new_rows:
            record = defaults | stamps | row.values
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
            obj.sys_id.hex: obj
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
            obj.sys_updated_on = row.values.get("sys_updated_on", self.now)
            changed_objects.append(obj)
            if status == "unchanged":
                counts.unchanged -= 1
                counts.updated += 1
        if changed_objects:
            with database_errors_named([row.source for row, _ in pending]):
                database.update_rows(
                    self.connection, spec.model, changed_objects, [*attnames, "sys_updated_on"]
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
