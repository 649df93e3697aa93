"""The demo's customers: accounts, consumers, the open incident's proactive cases, the persona."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpRequest  # django-axes needs a request to authenticate
from django.urls import reverse

from cmdb.management.commands import load_demo
from cmdb.models import User
from cmdb.servicenow.importer import import_folder
from customers.models import Case, Consumer, CustomerAccount, SoldProduct
from impact.api.documents import impact_document
from impact.customers import open_proactive_cases_for
from impact.models import Incident
from impact.services import task_source_ids

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"


@pytest.fixture
def demo():
    import_folder(DEMO)


def test_demo_sells_to_accounts_and_consumers(demo):
    assert sorted(CustomerAccount.objects.values_list("number", "name")) == [
        ("ACC0000001", "Brightwater Retail"),
        ("ACC0000002", "Nordlicht Logistics"),
        ("ACC0000003", "Meridian Brokers"),
    ]
    assert Consumer.objects.count() == 3
    assert SoldProduct.objects.active().count() == SoldProduct.objects.count() - 1  # one has ended
    brightwater = CustomerAccount.objects.get(name="Brightwater Retail")
    assert sorted(brightwater.contacts.values_list("username", flat=True)) == ["anouk.devries", "eva.smit"]
    assert brightwater.subscriptions.exists()  # still the subscriber it was as a company


def test_the_demos_proactive_cases_are_the_ones_runstage_would_open(demo):
    incident = Incident.objects.get(number="INC0010086")

    result = open_proactive_cases_for(incident)

    assert result.created == []
    document = impact_document(task_source_ids(incident))
    customers = document["impacted_customers"]
    assert [entry["name"] for entry in customers["accounts"]] == ["Brightwater Retail", "Nordlicht Logistics"]
    assert [entry["name"] for entry in customers["consumers"]] == [
        "Lucas Fontaine",
        "Mia Schneider",
        "Tom Reilly",
    ]
    assert Case.objects.filter(incident=incident, proactive=True).count() == 5
    assert all(case.outage_id for case in result.existing)


def test_the_customer_persona_is_printed_and_lands_on_the_portal_with_a_banner(
    client, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(load_demo, "PASSWORD_FILE", tmp_path / "password")
    monkeypatch.setenv(load_demo.PASSWORD_ENV, "demo-secret")

    call_command("load_demo")

    out = capsys.readouterr().out
    assert "anouk.devries" in out and "/support/" in out
    assert User.objects.get(username="anouk.devries").sys_class_name == "customer_contact"
    assert client.login(request=HttpRequest(), username="anouk.devries", password="demo-secret")
    assert client.get("/").url == reverse("support:status")
    html = client.get(reverse("support:status")).content.decode()
    assert "Degraded service: Brightwater benefits portal" in html
    assert "Service disruption: Customer Portal PROD slow" in html
