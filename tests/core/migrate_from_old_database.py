"""Run by tests/core/test_migrations.py in a subprocess, against a database of its own.

Migrates an empty database to the migrations of the last release before the one-way layers (Outage
still in cmdb), fills it through the historical models of that state, migrates to the latest
migrations, and prints the row counts of every table it filled, before and after, as JSON.
"""

import datetime
import json
import os
import sys

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
django.setup()

from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

# The leaf migrations of every Runstage app before Outage moved from cmdb to impact.
RELEASED = [
    ("cmdb", "0007_relationship_index_covers_parent"),
    ("offerings", "0001_initial"),
    ("portfolio", "0003_service_owners_group"),
    ("impact", "0002_incident_managers_group"),
    ("catalog", "0002_approval_label"),
]
TABLES = ["cmdb_ci", "cmdb_ci_outage", "task", "incident", "change_request", "sc_request", "sc_req_item"]
MOMENT = datetime.datetime(2026, 3, 12, 9, 30, tzinfo=datetime.UTC)


def counts():
    with connection.cursor() as cursor:
        result = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            result[table] = cursor.fetchone()[0]
        cursor.execute("SELECT MIN(begin), MAX(short_description) FROM cmdb_ci_outage")
        result["outage_values"] = [str(value) for value in cursor.fetchone()]
    return result


def fill(apps):
    User = apps.get_model("cmdb", "User")
    Server = apps.get_model("cmdb", "Server")
    Outage = apps.get_model("cmdb", "Outage")
    Incident = apps.get_model("impact", "Incident")
    ChangeRequest = apps.get_model("impact", "ChangeRequest")
    CatalogItem = apps.get_model("catalog", "CatalogItem")
    Request = apps.get_model("catalog", "Request")
    RequestedItem = apps.get_model("catalog", "RequestedItem")

    user = User.objects.create(username="old.release", first_name="Old", last_name="Release")
    servers = [
        Server.objects.create(name=f"srv-{index}", sys_class_name="cmdb_ci_server") for index in range(3)
    ]
    incident = Incident.objects.create(
        number="INC0010001", sys_class_name="incident", short_description="Database down", cmdb_ci=servers[0]
    )
    ChangeRequest.objects.create(
        number="CHG0030001", sys_class_name="change_request", short_description="Patch", cmdb_ci=servers[1]
    )
    for index, server in enumerate(servers):
        Outage.objects.create(
            cmdb_ci=server,
            begin=MOMENT + datetime.timedelta(hours=index),
            end=MOMENT + datetime.timedelta(hours=index + 1),
            short_description=f"Outage {index}",
            task=incident if index == 0 else None,
        )
    item = CatalogItem.objects.create(name="Laptop")
    request = Request.objects.create(number="REQ0010001", requested_for=user, opened_by=user)
    RequestedItem.objects.create(number="RITM0010001", request=request, cat_item=item, quantity=1)


def main():
    executor = MigrationExecutor(connection)
    executor.migrate(RELEASED)
    fill(executor.loader.project_state(RELEASED).apps)
    before = counts()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = counts()
    from impact.models import Outage  # the model where it lives now

    moved = Outage.objects.filter(task__number="INC0010001").values_list("cmdb_ci__name", flat=True)
    print(json.dumps({"before": before, "after": after, "outage_of_incident": list(moved)}))


if __name__ == "__main__":
    main()
