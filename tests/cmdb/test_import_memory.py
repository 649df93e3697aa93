"""An import's memory does not grow with the export (issue 16): files are streamed, rows go in batches.

Each import runs in its own process, whose peak resident memory (max RSS) is read back; a ten
times larger export must not take noticeably more. The yardstick is measured beside it: reading the
files whole, as the importer once did, grows the peak by tens of MB between these two sizes (67 MB
here), and the import may grow by half that at most. A ratio of the two peaks was a worse gauge: it
moved whenever start-up imports (scipy, once) made every process's baseline larger or smaller.
(bench/import.py reports the peak at 100k CIs / 500k relationships and above.)
"""

import json
import os
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection

# No transaction left open in this process: SQLite's backup (below) waits for one to end.
pytestmark = pytest.mark.django_db(transaction=True)

NAMESPACE = uuid.UUID("4d454d4f-5259-4000-8000-000000000016")
DEPENDS_ON = "1a9cb166f1571100a92eb60da2bce5c5"
STAMP = "2025-12-06 18:24:00"
RELATIONSHIPS_PER_CI = 5

# Imports the folder in argv[1] (rolled back) and prints the process's peak RSS in kB. VmHWM, not
# getrusage's ru_maxrss: Linux carries ru_maxrss over from the forking parent (this test process)
# across exec, which would hide the child's own peak.
IMPORT_AND_MEASURE = """
import re, sys
import django
django.setup()
from cmdb.servicenow.importer import import_folder
result = import_folder(sys.argv[1], dry_run=True)
assert result.tables["cmdb_rel_ci"].created > 0
with open("/proc/self/status") as status:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
"""
# The same process's start, then every file of the folder in argv[1] read whole and kept.
READ_WHOLE_AND_MEASURE = """
import json, pathlib, re, sys
import django
django.setup()
held = [json.loads(path.read_text()) for path in sorted(pathlib.Path(sys.argv[1]).glob("*.json"))]
with open("/proc/self/status") as status:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
"""


def sys_id(kind, number):
    return uuid.uuid5(NAMESPACE, f"{kind}:{number}").hex


def write_export(folder, cis):
    """`cis` servers and five relationships per server, as ServiceNow writes them."""
    folder.mkdir()
    system = {
        "sys_created_on": STAMP,
        "sys_updated_on": STAMP,
        "sys_created_by": "admin",
        "sys_updated_by": "admin",
    }
    servers = [
        {
            "sys_id": sys_id("ci", number),
            "name": f"srv-{number:07d}",
            "short_description": "A server of the memory test, with a description of ordinary length",
            "operational_status": "1",
            "install_status": "1",
            "os": "Linux",
            "cpu_count": "8",
            "virtual": "true",
            **system,
        }
        for number in range(cis)
    ]
    (folder / "cmdb_ci_server.json").write_text(json.dumps({"result": servers}, indent=2))
    # The type travels with the export: earlier transactional tests may have flushed the standard ones.
    relationship_type = {"sys_id": DEPENDS_ON, "name": "Depends on::Used by"}
    (folder / "cmdb_rel_type.json").write_text(json.dumps({"result": [relationship_type]}))
    relationships = [
        {
            "sys_id": sys_id("rel", number * RELATIONSHIPS_PER_CI + offset),
            "parent": sys_id("ci", number),
            "type": DEPENDS_ON,
            "child": sys_id("ci", (number + offset) % cis),
            **system,
        }
        for number in range(cis)
        for offset in range(1, RELATIONSHIPS_PER_CI + 1)
    ]
    (folder / "cmdb_rel_ci.json").write_text(json.dumps({"result": relationships}, indent=2))


def database_url(tmp_path):
    """A database the child process can reach with the test database's schema."""
    if connection.vendor == "postgresql":
        # The test database itself; the child's import is a dry run, so nothing stays.
        config = connection.settings_dict
        return f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"
    # SQLite's test database lives in this process's memory: a copy on disk for the child.
    path = tmp_path / "memory.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def peak_rss_kb(script, folder, url):
    environment = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    completed = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return int(completed.stdout.strip().splitlines()[-1])


def test_a_ten_times_larger_export_takes_no_noticeably_more_peak_memory(tmp_path):
    write_export(tmp_path / "small", 1_000)
    write_export(tmp_path / "large", 10_000)
    url = database_url(tmp_path)

    small, large = (peak_rss_kb(IMPORT_AND_MEASURE, tmp_path / size, url) for size in ("small", "large"))
    read_small, read_large = (
        peak_rss_kb(READ_WHOLE_AND_MEASURE, tmp_path / size, url) for size in ("small", "large")
    )

    # 6,000 rows against 60,000 rows (about 24 MB of JSON).
    growth, whole_read_growth = large - small, read_large - read_small
    assert growth < whole_read_growth / 2, (
        f"peak RSS {small / 1024:.0f} MB -> {large / 1024:.0f} MB; reading the files whole"
        f" {read_small / 1024:.0f} MB -> {read_large / 1024:.0f} MB"
    )
