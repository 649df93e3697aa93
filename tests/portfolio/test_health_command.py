import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portfolio.health import CHECKS
from tests.factories.cmdb import BusinessServiceFactory, RelationshipFactory, ServerFactory

pytestmark = pytest.mark.django_db


def run(*args):
    """(exit status, stdout) of `manage.py csdm_health *args`."""
    out = StringIO()
    try:
        call_command("csdm_health", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def lone_server():
    return ServerFactory(name="mail-01")


def test_exit_status_is_zero_when_every_check_passes():
    assert run()[0] == 0


def test_exit_status_is_one_when_a_check_fails(lone_server):
    assert run()[0] == 1


def test_exit_status_is_zero_once_the_gap_is_fixed(lone_server):
    RelationshipFactory(parent=ServerFactory(name="mail-02"), child=lone_server)
    assert run()[0] == 0


def test_report_lists_each_check_with_its_status(lone_server):
    lines = run()[1].splitlines()
    assert lines[:3] == [
        "PASS business_service_without_offering (0): Business services without a business service offering",
        "PASS offering_without_parent (0): Service offerings without a parent service",
        "PASS business_offering_without_application_service (0): "
        "Business offerings that depend on no application service",
    ]
    assert lines[-1] == "9 of 10 checks passed."


def test_report_lists_the_offending_records(lone_server):
    output = run()[1]
    assert "FAIL ci_without_relationship (1): CIs without any relationship" in output
    assert f"     mail-01 [cmdb_ci_server {lone_server.sys_id.hex}]" in output


def test_report_shows_a_cycle_as_a_path():
    first, second = ServerFactory(name="node-a"), ServerFactory(name="node-b")
    RelationshipFactory(parent=first, child=second)
    RelationshipFactory(parent=second, child=first)
    path = (
        f"node-a [cmdb_ci_server {first.sys_id.hex}] → node-b [cmdb_ci_server {second.sys_id.hex}] → node-a"
    )
    assert f"     {path}" in run()[1]


def test_json_document_has_one_entry_per_check(lone_server):
    document = json.loads(run("--json")[1])
    assert document["ok"] is False
    assert [check["key"] for check in document["checks"]] == list(CHECKS)


def test_json_entry_describes_the_check_and_its_records(lone_server):
    document = json.loads(run("--json")[1])
    [entry] = [check for check in document["checks"] if check["key"] == "ci_without_relationship"]
    assert entry == {
        "key": "ci_without_relationship",
        "title": "CIs without any relationship",
        "ok": False,
        "count": 1,
        "records": [
            {"sys_id": lone_server.sys_id.hex, "name": "mail-01", "sys_class_name": "cmdb_ci_server"}
        ],
    }


def test_json_lists_cycles_as_lists_of_members():
    first, second = ServerFactory(name="node-a"), ServerFactory(name="node-b")
    RelationshipFactory(parent=first, child=second)
    RelationshipFactory(parent=second, child=first)
    document = json.loads(run("--json", "--check", "relationship_cycle")[1])
    assert document["checks"][0]["records"] == [
        [
            {"sys_id": first.sys_id.hex, "name": "node-a", "sys_class_name": "cmdb_ci_server"},
            {"sys_id": second.sys_id.hex, "name": "node-b", "sys_class_name": "cmdb_ci_server"},
        ]
    ]


def test_json_is_ok_when_every_check_passes():
    status, output = run("--json")
    assert (status, json.loads(output)["ok"]) == (0, True)


def test_check_option_runs_only_the_named_checks(lone_server):
    document = json.loads(run("--json", "--check", "offering_without_parent", "service_without_owner")[1])
    assert [check["key"] for check in document["checks"]] == [
        "offering_without_parent",
        "service_without_owner",
    ]


def test_exit_status_follows_only_the_checks_that_ran(lone_server):
    BusinessServiceFactory(name="Payroll")
    assert run("--check", "relationship_cycle")[0] == 0


def test_unknown_check_is_a_usage_error():
    with pytest.raises(CommandError, match="Unknown check: no_such_check") as excinfo:
        call_command("csdm_health", "--check", "no_such_check", stdout=StringIO())
    assert excinfo.value.returncode == 2


def test_limit_lists_a_page_and_says_how_many_more(lone_server):
    for n in range(3):
        ServerFactory(name=f"spare-{n}")
    output = run("--check", "ci_without_relationship", "--limit", "2")[1]
    assert "FAIL ci_without_relationship (4)" in output
    assert "… and 2 more (--limit 0 lists them all)" in output


def test_limit_0_streams_every_record_as_json(lone_server):
    for n in range(60):
        ServerFactory(name=f"spare-{n:02}")
    document = json.loads(run("--json", "--check", "ci_without_relationship", "--limit", "0")[1])
    [entry] = document["checks"]
    assert (entry["count"], len(entry["records"])) == (61, 61)


def test_default_json_lists_the_first_page_with_the_full_count(lone_server):
    for n in range(60):
        ServerFactory(name=f"spare-{n:02}")
    [entry] = json.loads(run("--json", "--check", "ci_without_relationship")[1])["checks"]
    assert (entry["count"], len(entry["records"])) == (61, 50)


def test_the_command_costs_the_same_queries_and_output_for_10_and_10000_offenders():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cmdb.models import ConfigurationItem

    def plant(count, start):
        ConfigurationItem.objects.bulk_create(
            ConfigurationItem(name=f"lone-{n:05}", sys_class_name="cmdb_ci_server")
            for n in range(start, start + count)
        )

    def report():
        with CaptureQueriesContext(connection) as queries:
            status, output = run("--json")
        return len(queries), json.loads(output)

    plant(10, 0)
    run("--json")  # builds the in-memory impact graph, as a second run would find it built
    few_queries, few = report()
    plant(9990, 10)
    run("--json")
    many_queries, many = report()

    assert many_queries == few_queries
    few_orphans, many_orphans = (
        next(entry for entry in document["checks"] if entry["key"] == "ci_without_relationship")
        for document in (few, many)
    )
    assert (few_orphans["count"], len(few_orphans["records"])) == (10, 10)
    assert (many_orphans["count"], len(many_orphans["records"])) == (10_000, 50)
