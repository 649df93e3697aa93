"""Time import_servicenow on N generated CIs plus relationships, then roll everything back.

    DJANGO_DEBUG=1 .venv/bin/python bench/import_speed.py --cis 100000
    DATABASE_URL=postgres://... DJANGO_DEBUG=1 .venv/bin/python bench/import_speed.py --cis 100000

The database must be migrated; nothing is left in it (the timed imports run in a transaction that
is rolled back). Reports the first load (all created) and a re-import (all unchanged).
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

NAMESPACE = uuid.UUID("0b7c1c1e-5f0a-4d3e-9a57-62656e636831")
DEPENDS_ON = "1a9cb166f1571100a92eb60da2bce5c5"
# (table, share of the CIs, extra fields)
CLASSES = (
    ("cmdb_ci_server", 0.4, {"os": "Linux", "cpu_count": "8", "ram": "32768", "virtual": "true"}),
    ("cmdb_ci_linux_server", 0.1, {}),
    ("cmdb_ci_db_instance", 0.1, {"type": "PostgreSQL", "version": "15", "tcp_port": "5432"}),
    ("cmdb_ci_appl", 0.3, {"version": "2.4", "tcp_port": "8443"}),
    ("cmdb_ci_service_auto", 0.1, {"logical": "true", "environment": "Production"}),
)


def sys_id(kind, index):
    return uuid.uuid5(NAMESPACE, f"{kind}:{index}").hex


def generate(folder, total):
    """Write N CIs across classes and about 1.5 relationships per CI (each CI depends on 1-2 others)."""
    ids, start = [], 0
    for table, share, extra in CLASSES:
        count = int(total * share)
        rows = [
            {
                "sys_id": sys_id("ci", index),
                "name": f"{table}-{index:07d}",
                "operational_status": "1",
                "install_status": "1",
                "sys_created_on": "2024-01-01 00:00:00",
                **extra,
            }
            for index in range(start, start + count)
        ]
        (folder / f"{table}.json").write_text(json.dumps({"result": rows}))
        ids.extend(row["sys_id"] for row in rows)
        start += count
    relationships = []
    for index in range(1, len(ids)):
        for target in {index // 2, index // 3}:
            if target != index:
                relationships.append(
                    {
                        "sys_id": sys_id("rel", len(relationships)),
                        "parent": ids[index],
                        "type": DEPENDS_ON,
                        "child": ids[target],
                    }
                )
    (folder / "cmdb_rel_ci.json").write_text(json.dumps({"result": relationships}))
    return len(ids), len(relationships)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cis", type=int, default=100_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction

    from cmdb.servicenow.importer import import_folder

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        cis, relationships = generate(folder, args.cis)
        print(f"{connection.vendor}: {cis} CIs, {relationships} relationships")
        try:
            with transaction.atomic():
                for label in ("first import", "re-import"):
                    started = time.perf_counter()
                    result = import_folder(folder)
                    elapsed = time.perf_counter() - started
                    created = sum(counts.created for counts in result.tables.values())
                    unchanged = sum(counts.unchanged for counts in result.tables.values())
                    print(f"{label}: {elapsed:.1f} s ({created} created, {unchanged} unchanged)")
                raise KeyboardInterrupt  # roll the benchmark rows back
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
