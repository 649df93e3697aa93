#!/usr/bin/env python
"""Benchmark of import_servicenow beside a raw COPY of the same rows (run by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rs_bench DJANGO_DEBUG=1 \
        .venv/bin/python bench/import.py --size 100k

Writes a ServiceNow export of the CSDM-shaped CMDB that bench/impact.py generates (`--size` CIs,
about five relationships per CI: 100k CIs come with ~500k relationships) into a temporary folder,
in the shape ServiceNow's Table API writes (`{"result": [...]}`, every value a string, system
fields included). Then, each in its own process so that its peak memory (max RSS) is its own:

- raw COPY: the files streamed with the same JSON reader, every row COPYed into cmdb_ci, its class
  table and cmdb_rel_ci with no checks at all (pks assigned in Python) — the floor;
- import: `import_folder` on the same files, a first load (every row created) and a re-import
  (every row unchanged), each with its own peak memory.

Every step runs in a transaction that is rolled back, so the database is left as it was (it is
created and migrated when missing, and vacuumed before each step: it should be a database of its
own). A rollback skips the deferred foreign-key checks a commit
would run (one per reference of every inserted row: seconds per 100k rows), so each step ends
with `SET CONSTRAINTS ALL IMMEDIATE` inside its timing: the times are what a committing user
waits for. Prints times, rows/s, the import/COPY ratio, peak RSS and the load average before and
after, since this machine is shared.
"""

import argparse
import datetime
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.impact import ensure_database, generate, parse_size  # noqa: E402

NAMESPACE = uuid.UUID("5f3d0a52-9a0e-4a53-8a61-696d706f7274")
STAMP = "2025-12-06 18:24:00"
SYSTEM_FIELDS = ("sys_created_on", "sys_updated_on", "sys_created_by", "sys_updated_by")
# Fields by class, beside the ones every CI gets, as ServiceNow would export them (strings).
CLASS_FIELDS = {
    "cmdb_ci_server": {
        "os": "Linux",
        "os_version": "9.4",
        "cpu_count": "8",
        "ram": "32768",
        "virtual": "true",
    },
    "cmdb_ci_db_instance": {"type": "PostgreSQL", "version": "15.4", "tcp_port": "5432"},
    "cmdb_ci_appl": {"version": "2.4.1", "tcp_port": "8443"},
    "cmdb_ci_service_auto": {"service_classification": "Application Service"},
    "cmdb_ci_service_business": {"service_classification": "Business Service"},
    "cmdb_ci_service_technical": {"service_classification": "Technical Service"},
    "service_offering": {"price": "120", "price_unit": "per_user"},
}


def sys_id(kind, number):
    return uuid.uuid5(NAMESPACE, f"{kind}:{number}").hex


class ExportFile:
    """One `{"result": [...]}` file written a row at a time, indented as ServiceNow writes it."""

    def __init__(self, path):
        self.stream = path.open("w", encoding="utf-8")
        self.count = 0

    def write(self, row):
        self.stream.write('{\n  "result": [\n' if not self.count else ",\n")
        self.stream.write(textwrap.indent(json.dumps(row, indent=2), "    "))
        self.count += 1

    def close(self):
        self.stream.write("\n  ]\n}\n" if self.count else '{\n  "result": []\n}\n')
        self.stream.close()


def write_export(folder, size, seed):
    """The generated CMDB as ServiceNow export files; returns (CIs, relationships, bytes)."""
    graph = generate(size, seed)
    files = {}
    system = dict(zip(SYSTEM_FIELDS, (STAMP, STAMP, "admin", "admin"), strict=True))
    for ci_id, name, class_name, _ in graph.cis:
        file = files.get(class_name) or files.setdefault(
            class_name, ExportFile(folder / f"{class_name}.json")
        )
        row = {
            "sys_id": sys_id("ci", ci_id),
            "sys_class_name": class_name,
            "name": name,
            "short_description": f"{name}, generated for the import benchmark",
            "operational_status": "1",
            "install_status": "1",
            "environment": "Production",
            "busines_criticality": "2 - somewhat critical",
            **CLASS_FIELDS.get(class_name, {}),
            **system,
        }
        if class_name == "service_offering":
            row["parent"] = sys_id("ci", graph.offering_parent[ci_id])
        file.write(row)
    types = sorted({type_name for _, type_name, _ in graph.relationships})
    type_file = ExportFile(folder / "cmdb_rel_type.json")
    for type_name in types:
        type_file.write({"sys_id": sys_id("type", type_name), "name": type_name, **system})
    type_file.close()
    relationships = ExportFile(folder / "cmdb_rel_ci.json")
    for number, (parent, type_name, child) in enumerate(graph.relationships):
        relationships.write(
            {
                "sys_id": sys_id("rel", number),
                "parent": sys_id("ci", parent),
                "type": sys_id("type", type_name),
                "child": sys_id("ci", child),
                **system,
            }
        )
    relationships.close()
    for file in files.values():
        file.close()
    size_bytes = sum(file.stat().st_size for file in folder.glob("*.json"))
    return graph.ci_count, len(graph.relationships), size_bytes


# --- steps, each run in a subprocess ---------------------------------------------------------------


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


class Rollback(Exception):
    pass


def raw_copy(folder):
    """COPY every CI and relationship of the export with no checks; returns seconds (rolled back).

    pks are taken from the sequences up front and kept in a dict by sys_id, so references cost a
    dict look-up: the least any loader must do besides reading JSON and COPY.
    """
    from django.db import connection, transaction

    from cmdb.models import RelationshipType
    from cmdb.servicenow.registry import spec_for_table
    from cmdb.servicenow.sources import FolderSource

    now = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            pks = {}
            by_name = dict(RelationshipType.objects.values_list("name", "pk"))
            for row, _ in FolderSource.read(folder / "cmdb_rel_type.json", spec_for_table("cmdb_rel_type")):
                pks[row.data["sys_id"]] = by_name[row.data["name"]]
            # Business services before offerings, whose parent they are.
            ci_files = sorted(
                folder.glob("*.json"), key=lambda file: (file.stem == "service_offering", file.stem)
            )
            for file in ci_files:
                if file.stem not in ("cmdb_rel_ci", "cmdb_rel_type"):
                    copy_cis(connection, file, pks, now)
            copy_relationships(connection, folder / "cmdb_rel_ci.json", pks, now)
            check_deferred_constraints(connection)
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed


def copy_cis(connection, file, pks, now):
    """One class file: its rows into every table of the class's inheritance chain."""
    from bench.impact import TableRows, load_rows
    from cmdb.servicenow.database import reserve_pks
    from cmdb.servicenow.registry import spec_for_class, spec_for_table
    from cmdb.servicenow.sources import FolderSource

    file_spec = spec_for_table(file.stem)
    rows = [row.data for row, _ in FolderSource.read(file, file_spec)]
    spec = spec_for_class(file_spec, file.stem)
    chain = [*reversed(spec.model._meta.get_parent_list()), spec.model]
    new_pks = reserve_pks(connection, chain[0], len(rows))
    for row, pk in zip(rows, new_pks, strict=True):
        pks[row["sys_id"]] = pk
    # ServiceNow name -> model field name, for the fields the rows carry, plus the base's own fields.
    fields = {name: model_name for name, model_name in spec.fields.items() if name in rows[0]}
    base_fields = {name: name for name in ("sys_id", "sys_class_name", *SYSTEM_FIELDS)}
    for link in chain:
        table_rows = TableRows(link, connection, now)
        local = {f.name for f in table_rows.fields}
        names = [name for name, model_name in (fields | base_fields).items() if model_name in local]
        maker = table_rows.maker(["pk", *((fields | base_fields)[name] for name in names)])
        references = {
            name for name in names if link._meta.get_field((fields | base_fields)[name]).is_relation
        }
        load_rows(
            connection,
            table_rows,
            (
                maker([pk, *(pks[row[name]] if name in references else row[name] for name in names)])
                for row, pk in zip(rows, new_pks, strict=True)
            ),
        )


def copy_relationships(connection, file, pks, now):
    from bench.impact import TableRows, load_rows
    from cmdb.models import Relationship
    from cmdb.servicenow.database import reserve_pks
    from cmdb.servicenow.registry import spec_for_table
    from cmdb.servicenow.sources import FolderSource

    table_rows = TableRows(Relationship, connection, now)
    maker = table_rows.maker(["pk", "sys_id", "parent", "type", "child", *SYSTEM_FIELDS])
    spec = spec_for_table("cmdb_rel_ci")
    chunk = []

    def flush():
        new_pks = reserve_pks(connection, Relationship, len(chunk))
        load_rows(
            connection,
            table_rows,
            (
                maker(
                    [
                        pk,
                        row["sys_id"],
                        pks[row["parent"]],
                        pks[row["type"]],
                        pks[row["child"]],
                        *(row[name] for name in SYSTEM_FIELDS),
                    ]
                )
                for row, pk in zip(chunk, new_pks, strict=True)
            ),
        )
        chunk.clear()

    for row, _ in FolderSource.read(file, spec):
        chunk.append(row.data)
        if len(chunk) == 100_000:
            flush()
    if chunk:
        flush()


def run_import(folder):
    """(first import seconds, peak RSS after it, re-import seconds, peak RSS after it), rolled back."""
    from django.db import connection, transaction

    from cmdb.servicenow.importer import import_folder

    times = []
    try:
        with transaction.atomic():
            for _ in range(2):
                started = time.perf_counter()
                import_folder(folder)
                check_deferred_constraints(connection)
                times += [time.perf_counter() - started, peak_rss_mb()]
            raise Rollback
    except Rollback:
        pass
    return times


def check_deferred_constraints(connection):
    """Run now the deferred constraint checks a commit would run (the steps roll back)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def peak_rss_mb():
    """This process's peak resident memory. /proc's VmHWM where there is one: Linux carries
    getrusage's ru_maxrss over from the forking parent across exec."""
    try:
        with open("/proc/self/status") as status:
            return int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1)) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def vacuum():
    """Rewrite the database's tables without the rows earlier steps rolled back.

    A rolled-back insert leaves its rows behind as dead tuples until a vacuum: after a few runs at
    1M, cmdb_rel_ci held 8 GB of them and both steps ran a quarter slower. Each step starts from
    the same (empty) tables instead; not timed.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL ANALYZE")


def step(name, folder):
    """Run one step in a fresh process, after a vacuum; its result as JSON."""
    vacuum()
    output = subprocess.run(
        [sys.executable, __file__, "--step", name, "--folder", str(folder)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ | {"DJANGO_DEBUG": "1"},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def load_average():
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("100k"), help="CIs: 100k (default), 1m")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--step", choices=("copy", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--keep", type=Path, help="write the export here and keep it (default: a temporary folder)"
    )
    args = parser.parse_args()

    if args.step:
        setup_django()
        if args.step == "copy":
            result = {"seconds": raw_copy(args.folder), "rss": peak_rss_mb()}
        else:
            first, first_rss, second, second_rss = run_import(args.folder)
            result = {"first": first, "first_rss": first_rss, "second": second, "second_rss": second_rss}
        print(json.dumps(result))
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (created and migrated when missing).")
    ensure_database(url)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    with tempfile.TemporaryDirectory() as directory:
        folder = args.keep or Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        manifest = folder / "bench-manifest.txt"
        wanted = f"{args.size} {args.seed}"
        if manifest.exists() and manifest.read_text().split()[:2] == wanted.split():
            # --keep with an export of this size and seed already there: reuse it.
            cis, relationships, size_bytes = map(int, manifest.read_text().split()[2:])
            how = "reused"
        else:
            cis, relationships, size_bytes = write_export(folder, args.size, args.seed)
            manifest.write_text(f"{wanted} {cis} {relationships} {size_bytes}")
            how = f"written in {time.perf_counter() - started:.0f} s"
        rows = cis + relationships
        print(
            f"export: {cis:,} CIs, {relationships:,} relationships, "
            f"{size_bytes / 1e6:,.0f} MB of JSON ({how})",
            flush=True,
        )
        print(f"load average before: {load_average()}", flush=True)
        copy = step("copy", folder)
        print(
            f"raw COPY           {copy['seconds']:7.1f} s  {rows / copy['seconds']:9,.0f} rows/s"
            f"  peak RSS {copy['rss']:5.0f} MB",
            flush=True,
        )
        result = step("import", folder)
        for label, seconds, rss in (
            ("import (created)", result["first"], result["first_rss"]),
            ("re-import (same)", result["second"], result["second_rss"]),
        ):
            print(
                f"{label:18} {seconds:7.1f} s  {rows / seconds:9,.0f} rows/s  peak RSS {rss:5.0f} MB"
                f"  {seconds / copy['seconds']:.1f}x raw COPY",
                flush=True,
            )
        print(f"load average after: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
