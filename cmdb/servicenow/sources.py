"""Where imported rows come from: a folder of `<table>.json` files, read as a stream.

A source hands the importer the rows of one table spec at a time, in the importer's load order,
so that memory holds a batch, not an export. Every source gives:

- `rows(spec)`: the SourceRows that load through `spec`, in file order;
- `total(spec)`: how many there are, or None when unknown (for the progress bar);
- `skipped`: names of files (or tables) that Runstage has no table for.

A folder is read twice: a first pass streams every file once to sort its rows to specs (a row of
`cmdb_ci.json` may be a server, loaded with the servers) and to count them (a file whose rows can
only be its own table's, such as `cmdb_rel_ci.json`, has its "sys_id" keys counted instead); the
load then streams each file again for each spec that has rows in it. Reading JSON is a small
part of an import, and the alternative, holding or spooling the rows of every file, costs memory
or disk in proportion to the export. The instance source (`cmdb.servicenow.instance`) pulls one
table per spec instead.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

from cmdb.servicenow.registry import family_root, spec_for_class, spec_for_table


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
class SourceRow:
    file: str
    number: int
    data: dict
    class_name: str


def plain_value(value):
    """A field's stored value: fields may come as {"value": ..., "display_value": ..., "link": ...}
    (references, or every field of a `sysparm_display_value=all` export); null is empty."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    return "" if value is None else value


def routed_rows(rows, file_name, file_spec, default_class):
    """(SourceRow, spec that loads it) for the raw rows of one file (or pulled table)."""
    for number, data in enumerate(rows, start=1):
        if not isinstance(data, dict):
            raise ImportFailure("a row must be a JSON object", file=file_name, row=number)
        class_name = plain_value(data.get("sys_class_name")) or default_class
        spec = spec_for_class(file_spec, class_name)
        if spec is None:
            raise ImportFailure(
                f"{class_name!r} is not a class of {file_spec.table}",
                file=file_name,
                row=number,
                field="sys_class_name",
            )
        yield SourceRow(file_name, number, data, class_name), spec


class FolderSource:
    """The `<table>.json` files of a folder, each `{"result": [...]}` as the Table API writes it."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise ImportFailure(f"{self.path} is not a folder")
        self.skipped = []
        self.totals = Counter()
        self.files = defaultdict(list)  # spec -> [(file, its own spec)] holding rows of that spec
        for file in sorted(self.path.glob("*.json")):
            file_spec = spec_for_table(file.stem)
            if file_spec is None:
                self.skipped.append(file.name)
                continue
            if family_root(file_spec) is None:
                # Every row of the file is the file's table's (no class family): only the count is
                # needed, and counting the rows' "sys_id" keys reads the bytes ten times faster
                # than parsing them (cmdb_rel_ci.json of a million CIs: 2 GB). A file without
                # such keys is parsed, to be refused row by row as it loads.
                count = count_sys_id_keys(file)
                if count:
                    self.files[file_spec].append((file, file_spec))
                    self.totals[file_spec] += count
                    continue
            for _, spec in self.read(file, file_spec):
                if not self.files[spec] or self.files[spec][-1][0] != file:
                    self.files[spec].append((file, file_spec))
                self.totals[spec] += 1

    def total(self, spec):
        return self.totals.get(spec, 0)

    def rows(self, spec) -> Iterator[SourceRow]:
        for file, file_spec in self.files.get(spec, ()):
            for row, row_spec in self.read(file, file_spec):
                if row_spec is spec:
                    yield row

    @staticmethod
    def read(file, file_spec):
        """Stream (SourceRow, spec) out of one file; a malformed file fails naming itself."""
        with file.open("rb") as stream:
            found = 0
            try:
                raw_rows = ijson.items(stream, "result.item", use_float=True)
                for pair in routed_rows(raw_rows, file.name, file_spec, file.stem):
                    found += 1
                    yield pair
                if not found:
                    stream.seek(0)
                    check_result_list(stream, file.name)
            except UnicodeDecodeError as error:
                raise ImportFailure(f"not UTF-8 text ({error})", file=file.name) from error
            except ijson.JSONError as error:
                raise ImportFailure(f"malformed JSON after row {found}: {error}", file=file.name) from error


SYS_ID_KEY = re.compile(rb'"sys_id"\s*:')


def count_sys_id_keys(file, chunk_size=1 << 20):
    """How many "sys_id" keys the JSON file holds: one per row in the Table API's shape (the key
    of a string value; a quote inside a JSON string is escaped, so no string holds the pattern)."""
    count, tail = 0, b""
    with file.open("rb") as stream:
        while chunk := stream.read(chunk_size):
            data = tail + chunk
            # Matches inside the tail were counted with the previous chunk.
            count += len(SYS_ID_KEY.findall(data)) - len(SYS_ID_KEY.findall(tail))
            tail = data[-64:]
    return count


def check_result_list(stream, file_name):
    """A file that gave no rows must still be `{"result": [...]}`: `[...]` or `{}` is a mistake.

    Only files without rows get here, so reading the whole structure is cheap.
    """
    # ("result", "start_array") only occurs when the top level is an object whose "result" is a list.
    if not any(prefix == "result" and event == "start_array" for prefix, event, _ in ijson.parse(stream)):
        raise ImportFailure('expected {"result": [ ... ]}', file=file_name)


class RowsSource:
    """Rows held in memory, {table name: [row, ...]}, read as the folder's files would be."""

    def __init__(self, tables):
        self.skipped = []
        self.rows_by_spec = defaultdict(list)
        for table, rows in tables.items():
            file_spec = spec_for_table(table)
            if file_spec is None:
                self.skipped.append(table)
                continue
            for row, spec in routed_rows(rows, table, file_spec, table):
                self.rows_by_spec[spec].append(row)

    def total(self, spec):
        return len(self.rows_by_spec.get(spec, ()))

    def rows(self, spec):
        return iter(self.rows_by_spec.get(spec, ()))
