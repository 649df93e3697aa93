from pathlib import Path

import pytest
from django.core.management import call_command

from cmdb.management.commands import load_demo
from cmdb.models import BusinessService, ConfigurationItem, User
from cmdb.servicenow.importer import import_folder
from offerings.models import ServiceOffering
from portfolio.health import run_checks
from tests.fixtures.servicenow.helpers import database_snapshot

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"
EXPECTED_GAPS = {
    "business_service_without_offering": ["Pet Insurance"],
    "technical_offering_without_support_group": ["Managed Database – Non-production"],
    "offering_without_commitments": ["Data Analytics – Standard"],
    "offering_without_subscribers": ["Travel Claims – Partner"],
    "logical_ci_without_product_model": ["Broker Portal TEST"],
    "ci_without_relationship": ["win-fax-01"],
}


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    path = tmp_path / ".runstage-admin-password"
    monkeypatch.setattr(load_demo, "PASSWORD_FILE", path)
    monkeypatch.delenv(load_demo.PASSWORD_ENV, raising=False)
    return path


def test_demo_folder_imports_cleanly():
    result = import_folder(DEMO)

    assert result.skipped_files == []
    assert not any(counts.ignored_fields for counts in result.tables.values())
    assert BusinessService.objects.count() == 30


def test_demo_has_exactly_the_documented_health_gaps():
    import_folder(DEMO)

    found = {result.check.key: sorted(str(record) for record in result.records) for result in run_checks()}

    assert {key: names for key, names in found.items() if names} == EXPECTED_GAPS


def test_demo_gaps_are_documented_in_the_readme():
    readme = (DEMO / "README.md").read_text()

    assert all(name in readme for names in EXPECTED_GAPS.values() for name in names)


def test_demo_has_subscribers_of_every_kind():
    import_folder(DEMO)

    offering = ServiceOffering.objects
    assert offering.filter(user_subscriptions__isnull=False).exists()
    assert offering.filter(company_subscriptions__isnull=False).exists()
    assert offering.filter(location_subscriptions__isnull=False).exists()
    assert offering.filter(department_subscriptions__isnull=False).exists()
    assert offering.filter(group_subscriptions__isnull=False).exists()


def test_load_demo_twice_changes_nothing(password_file):
    call_command("load_demo", verbosity=0)
    first = database_snapshot()
    passwords = dict(User.objects.values_list("username", "password"))

    call_command("load_demo", verbosity=0)

    assert database_snapshot() == first
    assert dict(User.objects.values_list("username", "password")) == passwords


def test_load_demo_password_is_generated_once_and_reused(password_file):
    call_command("load_demo", verbosity=0)
    password = password_file.read_text().strip()

    call_command("load_demo", verbosity=0)

    assert password_file.read_text().strip() == password
    assert User.objects.get(username="admin").check_password(password)


def test_load_demo_takes_password_from_environment(password_file, monkeypatch):
    monkeypatch.setenv(load_demo.PASSWORD_ENV, "s3cret-demo-password")

    call_command("load_demo", verbosity=0)

    assert User.objects.get(username="emma.clark").check_password("s3cret-demo-password")
    assert not password_file.exists()


def test_load_demo_personas_have_sensible_flags(password_file):
    call_command("load_demo", verbosity=0)

    flags = dict(User.objects.values_list("username", "is_staff"))
    assert User.objects.get(username="admin").is_superuser
    assert (flags["emma.clark"], flags["raj.patel"]) == (False, True)


def test_load_demo_welcome_names_logins_and_an_impact_example(password_file, capsys):
    call_command("load_demo", "--host", "example.test", "--port", "9000")

    output = capsys.readouterr().out
    server = ConfigurationItem.objects.get(name="lnx-pgdb-01")
    assert "http://example.test:9000/catalog/" in output
    assert f"/api/v1/impact/?ci={server.sys_id.hex}" in output
    assert password_file.read_text().strip() in output
