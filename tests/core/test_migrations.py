"""A database at the last release's migrations migrates to today's, and keeps every row."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("migrate_from_old_database.py")


@pytest.fixture
def empty_database_url(tmp_path):
    """A URL of an empty database of this test's own, on the suite's database server."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'old-release.sqlite3'}"
        return
    settings = connection.settings_dict
    name = f"runstage_migrations_{os.getpid()}"
    server = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    yield f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.close()


def test_a_database_at_the_last_release_migrates_and_keeps_its_rows(empty_database_url):
    result = subprocess.run(
        [sys.executable, str(SCRIPT)],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": empty_database_url,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["before"]["cmdb_ci_outage"] == 3
    assert report["before"]["sc_req_item"] == 1
    assert report["after"] == report["before"]
    # The outage that came in under cmdb is now read through impact's model, with its incident and CI.
    assert report["outage_of_incident"] == ["srv-0"]
