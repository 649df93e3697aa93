import datetime
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import CatalogItem
from cmdb.management.commands import load_demo
from cmdb.models import BusinessService, ConfigurationItem, User
from cmdb.servicenow.importer import import_folder
from impact.models import Incident, Outage, Task, TaskState
from impact.services import create_task, refresh_impacted_services
from offerings.models import ServiceOffering
from portfolio.availability import service_availability
from portfolio.health import run_checks
from portfolio.models import Initiative
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


# --- a year of operations history -----------------------------------------------------------------

HISTORY_END = datetime.datetime(2026, 11, 27, 3, 0, tzinfo=datetime.UTC)


def demo_rows(table):
    return json.loads((DEMO / f"{table}.json").read_text())["result"]


def test_demo_history_imports_every_row():
    result = import_folder(DEMO)

    for table in ("incident", "change_request", "task_ci", "task_cmdb_ci_service", "cmdb_ci_outage"):
        assert result.tables[table].created == len(demo_rows(table)) > 0
    assert Initiative.objects.count() == len(demo_rows("service_improvement_initiative"))


def test_demo_files_are_what_the_generator_writes():
    from demo.generate import Demo

    tables = Demo().build()

    assert tables.rows == {file.stem: demo_rows(file.stem) for file in DEMO.glob("*.json")}


def test_demo_impacted_services_are_what_a_refresh_computes():
    import_folder(DEMO)

    changed = [
        task.number for task in Task.objects.order_by("number") if refresh_impacted_services(task) != (0, 0)
    ]

    assert changed == []


def test_demo_breaches_a_monthly_availability_commitment():
    import_folder(DEMO)
    service = BusinessService.objects.get(name="Online Quote & Buy")
    march = (
        datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC),
    )

    availability = service_availability(service, *march, now=HISTORY_END)

    breached = [result for result in availability.commitments if not result.met]
    assert availability.commitments_met is False
    assert {result.target_percent for result in breached} == {Decimal("99.9")}
    assert all(result.downtime_minutes > 180 for result in breached)


def test_demo_has_an_open_outage_and_an_incident_still_worked_on():
    import_folder(DEMO)

    outage = Outage.objects.open().get()
    assert outage.task.state == TaskState.IN_PROGRESS


def test_demo_has_at_most_three_incidents_a_week():
    import_folder(DEMO)

    weeks = Counter(
        opened_at.isocalendar()[:2] for opened_at in Incident.objects.values_list("opened_at", flat=True)
    )

    assert max(weeks.values()) <= 3
    assert len(weeks) > 26


def test_demo_history_window_is_documented():
    readme = (DEMO / "README.md").read_text()

    assert "2025-11-01" in readme and "2026-11-27" in readme


def test_next_incident_after_load_demo_takes_a_fresh_number(password_file):
    call_command("load_demo", verbosity=0)
    highest = max(row["number"] for row in demo_rows("incident"))

    incident = create_task(Incident, short_description="Printer on fire")

    assert incident.number > highest


def test_load_demo_second_run_reports_nothing_created_or_updated(password_file, capsys):
    call_command("load_demo", verbosity=0)
    capsys.readouterr()

    call_command("load_demo", verbosity=0)

    assert "Demo data: 0 rows created, 0 updated" in capsys.readouterr().out


def test_load_demo_puts_staff_personas_in_their_permission_groups(password_file):
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)

    groups = {user.username: sorted(group.name for group in user.groups.all()) for user in User.objects.all()}
    assert groups["sofia.berg"] == ["Service owners"]
    assert groups["raj.patel"] == ["Change advisory board", "Incident managers"]
    assert not User.objects.get(username="sofia.berg").is_superuser


def test_service_owner_persona_works_in_the_portfolio_admin(password_file, client):
    call_command("load_demo", verbosity=0)
    client.force_login(User.objects.get(username="sofia.berg"))
    offering = ServiceOffering.objects.get(name="Online Quote & Buy – UK")

    tree = client.get(reverse("admin:portfolio_portfolionode_changelist"))
    change_page = client.get(reverse("admin:offerings_serviceoffering_change", args=[offering.pk]))

    assert (tree.status_code, change_page.status_code) == (200, 200)


def test_incident_manager_persona_can_ask_the_impact_api(password_file, client):
    call_command("load_demo", verbosity=0)
    client.force_login(User.objects.get(username="raj.patel"))
    server = ConfigurationItem.objects.get(name=load_demo.IMPACT_EXAMPLE_CI)

    response = client.get("/api/v1/impact/", {"ci": server.sys_id.hex})

    assert response.status_code == 200


# --- the request catalog ------------------------------------------------------------------------


def test_demo_catalog_items_are_documented_in_the_readme():
    readme = (DEMO / "README.md").read_text()

    names = [row["name"] for row in demo_rows("sc_cat_item")]
    assert "## Catalog" in readme
    assert [name for name in names if name not in " ".join(readme.split())] == []


def test_load_demo_twice_keeps_the_catalog_as_it_was(password_file):
    call_command("load_demo", verbosity=0)
    first = sorted(CatalogItem.catalogs.through.objects.values_list("catalogitem__name", "catalog__title"))

    call_command("load_demo", verbosity=0)

    assert (
        sorted(CatalogItem.catalogs.through.objects.values_list("catalogitem__name", "catalog__title"))
        == first
    )
    assert len(first) == len(demo_rows("sc_cat_item"))
