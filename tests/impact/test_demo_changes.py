"""The demo's change management: every state, a conflict, a budget breach, approvals for raj.patel."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.http import HttpRequest  # django-axes needs a request to authenticate

from cmdb.management.commands import load_demo
from cmdb.models import User
from cmdb.servicenow.importer import import_folder
from impact.changes import pending_approvals_for
from impact.conflicts import conflicts_of
from impact.downtime import downtime_budget
from impact.models import ChangeRequest
from impact.risk import risk_of

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"
# The day the demo history ends (demo/history.py HISTORY_END).
DEMO_NOW = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def demo():
    import_folder(DEMO)


def change_titled(start):
    return ChangeRequest.objects.get(short_description__startswith=start)


def test_demo_has_changes_in_every_state(demo):
    states = set(ChangeRequest.objects.values_list("state", flat=True))
    assert states == set(ChangeRequest.states())


def test_demo_portal_release_conflicts_with_the_second_portal_server(demo):
    change = change_titled("Customer Portal front-end release")
    [conflict] = [c for c in conflicts_of(change) if c.kind == "change"]
    assert conflict.task.short_description == "Add a second application server to the Customer Portal"
    assert conflict.where.startswith("CI Customer Portal PROD")


def test_demo_quote_engine_replatforming_would_breach_online_quote_and_buy(demo):
    change = change_titled("Re-platform the Quote Engine")
    budget = downtime_budget(change, now=DEMO_NOW)
    breached = {line.offering.name for line in budget if line.would_breach}
    assert any(name.startswith("Online Quote & Buy") for name in breached)
    assert risk_of(change, budget=budget).label == "High"


def test_demo_raj_patel_has_changes_to_approve(demo):
    raj = User.objects.get(username="raj.patel")
    titles = [approval.change.short_description for approval in pending_approvals_for(raj)]
    assert titles == [
        "Upgrade pg-shared-prd to PostgreSQL 16",
        "Re-platform the Quote Engine onto the new Kubernetes cluster",
    ]


def test_load_demo_prints_where_raj_patel_finds_his_approvals(tmp_path, monkeypatch, capsys, client):
    monkeypatch.setattr(load_demo, "PASSWORD_FILE", tmp_path / "password")
    monkeypatch.setenv(load_demo.PASSWORD_ENV, "demo-password")
    call_command("load_demo", verbosity=0)
    out = capsys.readouterr().out
    assert "Changes waiting for raj.patel's approval (log in as raj.patel):" in out
    url = (
        out.split("Changes waiting for raj.patel's approval")[1]
        .split()[-1]
        .removeprefix("http://127.0.0.1:8000")
    )
    client.login(request=HttpRequest(), username="raj.patel", password="demo-password")
    page = client.get(url).content.decode()
    assert "Upgrade pg-shared-prd to PostgreSQL 16" in page
    assert "Re-platform the Quote Engine" in page
    assert "Customer Portal front-end release" not in page
