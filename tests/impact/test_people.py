"""The people behind an impact: the union rules, the counts by kind, naming rights, pages and CSV."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from impact.people import people_affected_by_outage_of
from tests.api.helpers import client_for, user_with_perms
from tests.factories.cmdb import (
    DepartmentFactory,
    UserFactory,
)
from tests.factories.customers import CustomerAccountFactory, CustomerContactFactory, SoldProductFactory
from tests.factories.impact import ChangeRequestFactory, IncidentFactory
from tests.impact.conftest import subscribe

pytestmark = pytest.mark.django_db


def people_of(world, **params):
    client = client_for(user_with_perms("cmdb.view_configurationitem", "cmdb.view_user"))
    response = client.get(reverse("impact-api:impact-people"), {"ci": world["server"].sys_id.hex, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_each_person_is_counted_once_and_by_every_kind_that_reaches_them(world):
    document = people_of(world)
    # alice, bob (group); bob, carol (department); erin (company; dave is inactive); frank; grace
    assert document["count"] == 6
    assert document["by_kind"] == {
        "users": 1,
        "companies": 1,
        "departments": 2,
        "locations": 1,
        "groups": 2,
        "customer_contacts": 0,
    }


def test_a_person_in_a_subscribed_group_and_department_is_listed_once_with_both_vias(world):
    bob = next(entry for entry in people_of(world)["results"] if entry["user_name"] == "bob")
    assert [(via["kind"], via["name"]) for via in bob["via"]] == [
        ("department", "Finance"),
        ("group", "Payroll team"),
    ]
    assert {via["service_offering"]["name"] for via in bob["via"]} == {"Payroll Gold"}
    assert bob["via"][0]["sys_id"] == world["finance"].sys_id.hex


def test_inactive_users_and_subscribers_of_unimpacted_offerings_are_left_out(world):
    names = [entry["user_name"] for entry in people_of(world)["results"]]
    assert "dave" not in names
    assert "henry" not in names


def test_results_are_sorted_by_name_and_paginated(world):
    first = people_of(world, limit=4)
    assert [entry["name"] for entry in first["results"]] == [
        "Alice Tester",
        "Bob Tester",
        "Carol Tester",
        "Erin Tester",
    ]
    assert first["previous"] is None
    assert "offset=4" in first["next"]
    second = people_of(world, limit=4, offset=4)
    assert [entry["user_name"] for entry in second["results"]] == ["frank", "grace"]
    assert second["next"] is None
    assert second["previous"] is not None


def test_a_caller_who_may_not_view_users_gets_the_counts_but_no_names(world):
    client = client_for(user_with_perms("cmdb.view_configurationitem"))
    document = client.get(reverse("impact-api:impact-people"), {"ci": world["server"].sys_id.hex}).json()
    assert document["count"] == 6
    assert document["by_kind"]["departments"] == 2
    assert document["named"] is False
    assert document["results"] == []


def test_csv_downloads_every_person(world):
    client = client_for(user_with_perms("cmdb.view_configurationitem", "cmdb.view_user"))
    response = client.get(
        reverse("impact-api:impact-people"), {"ci": world["server"].sys_id.hex, "format": "csv", "limit": 1}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["sys_id", "user_name", "name", "email", "via"]
    assert [row[1] for row in rows[1:]] == ["alice", "bob", "carol", "erin", "frank", "grace"]


def test_incidents_and_changes_list_the_people_of_their_cis(world):
    client = client_for(
        user_with_perms(
            "cmdb.view_configurationitem",
            "cmdb.view_user",
            "impact.view_incident",
            "impact.view_changerequest",
        )
    )
    incident = IncidentFactory(cmdb_ci=world["server"])
    change = ChangeRequestFactory(cmdb_ci=world["server"])
    for url in (
        reverse("impact-api:incident-people", args=[incident.number]),
        reverse("impact-api:change-people", args=[change.number]),
    ):
        document = client.get(url).json()
        assert document["count"] == 6, url


def test_bad_input_names_the_parameter(world):
    client = client_for(user_with_perms("cmdb.view_configurationitem"))
    response = client.get(reverse("impact-api:impact-people"), {"ci": "nope", "limit": 0})
    assert response.status_code == 400
    assert set(response.json()) == {"ci", "limit"}


def test_counting_and_a_page_cost_the_same_queries_for_few_and_many_people(world):
    def queries(count):
        department = DepartmentFactory()
        for index in range(count):
            UserFactory(department=department, username=f"p{count}-{index}")
        subscribe(world["offering"], department)
        people = people_affected_by_outage_of([world["server"].pk])
        with CaptureQueriesContext(connection) as captured:
            people.count()
            people.people(limit=100)
        return len(captured)

    assert queries(2) == queries(40)


def test_contacts_of_an_impacted_customer_account_are_affected_too(world):
    account = CustomerAccountFactory(name="Brightwater Retail")
    SoldProductFactory(account=account, service_offering=world["offering"])
    CustomerContactFactory(username="anouk", first_name="Anouk", last_name="Tester", account=account)
    CustomerContactFactory(username="ignored", account=CustomerAccountFactory())  # buys nothing impacted
    document = people_of(world)
    assert document["count"] == 7
    assert document["by_kind"]["customer_contacts"] == 1
    anouk = next(entry for entry in document["results"] if entry["user_name"] == "anouk")
    assert anouk["via"] == [
        {
            "kind": "customer_contact",
            "sys_id": account.sys_id.hex,
            "name": "Brightwater Retail",
            "service_offering": None,
        }
    ]
