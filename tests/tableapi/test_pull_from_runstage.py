"""Pulling from a running instance: `import_servicenow --instance` against a second Runstage over HTTPS.

The source is this suite's database, holding the demo company and served over HTTPS with its Table
API; the target is the suite's second database ("replica" in the test settings, migrated like the
first, with nothing replicating into it). After a full pull both export to identical files; after a
change at the source, a pull `--since` a moment before it brings exactly that change over.
"""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from cmdb.servicenow.exporter import export_folder
from cmdb.servicenow.importer import import_folder
from offerings.models import ServiceOffering

DEMO = Path(__file__).resolve().parents[2] / "demo"
USER, PASSWORD = "pull.integration", "pull-secret-123"
TARGET = "replica"

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", TARGET])


@pytest.fixture
def source(https_instance, django_user_model, monkeypatch):
    """The demo company, served over HTTPS; an integration user who may read everything."""
    import_folder(DEMO)
    django_user_model.objects.create_superuser(USER, f"{USER}@example.com", PASSWORD)
    monkeypatch.setenv("SERVICENOW_PASSWORD", PASSWORD)
    return https_instance


def pull(source, *extra):
    call_command(
        "import_servicenow",
        "--instance",
        source.url,
        "--user",
        USER,
        "--ca-file",
        source.ca_bundle,
        "--database",
        TARGET,
        *extra,
        verbosity=0,
    )


def exported(tmp_path, using, name):
    folder = tmp_path / name
    export_folder(folder, using=using)
    return {path.name: path.read_text() for path in sorted(folder.glob("*.json"))}


def differing(left, right):
    return sorted(name for name in left.keys() | right.keys() if left.get(name) != right.get(name))


def test_a_full_pull_and_a_pull_since_leave_both_databases_holding_the_same_rows(source, tmp_path):
    assert not ServiceOffering.objects.using(TARGET).exists()  # two databases, not one
    pull(source)
    at_source = exported(tmp_path, "default", "source")
    assert len(at_source) > 30
    assert differing(at_source, exported(tmp_path, TARGET, "target")) == []

    before_change = timezone.now() - datetime.timedelta(seconds=1)
    offering = ServiceOffering.objects.order_by("name").first()
    offering.short_description = "Changed at the source after the first pull"
    offering.save()
    pull(source, "--since", before_change.strftime("%Y-%m-%d %H:%M:%S"))

    assert (
        ServiceOffering.objects.using(TARGET).get(sys_id=offering.sys_id).short_description
        == "Changed at the source after the first pull"
    )
    assert differing(exported(tmp_path, "default", "source-2"), exported(tmp_path, TARGET, "target-2")) == []
