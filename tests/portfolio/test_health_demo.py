"""The demo data's health report is exactly the gaps demo/README.md documents, and nothing else."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

DEMO_FOLDER = settings.BASE_DIR / "demo"

# The table "Deliberate data-health gaps" in demo/README.md, by check key.
DOCUMENTED_GAPS = {
    "business_service_without_offering": [["Pet Insurance"]],
    "technical_offering_without_support_group": [["Managed Database – Non-production"]],
    "offering_without_commitments": [["Data Analytics – Standard"]],
    "offering_without_subscribers": [["Travel Claims – Partner"]],
    "logical_ci_without_product_model": [["Broker Portal TEST"]],
    "ci_without_relationship": [["win-fax-01"]],
}


def names(record):
    """A record's name, or a cycle's names in order, as a list either way."""
    return [member["name"] for member in record] if isinstance(record, list) else [record["name"]]


@pytest.fixture
def health_report():
    call_command("import_servicenow", str(DEMO_FOLDER), stdout=StringIO())
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("csdm_health", "--json", stdout=out)
    return excinfo.value.returncode, json.loads(out.getvalue())


def test_demo_data_shows_exactly_the_documented_gaps(health_report):
    _status, report = health_report
    found = {check["key"]: [names(record) for record in check["records"]] for check in report["checks"]}
    assert {key: records for key, records in found.items() if records} == DOCUMENTED_GAPS


def test_demo_data_fails_the_health_check_because_of_its_gaps(health_report):
    status, report = health_report
    assert (status, report["ok"]) == (1, False)
