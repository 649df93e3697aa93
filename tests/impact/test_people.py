"""The people behind an impact: the union rules, the counts by kind, naming rights, pages and CSV."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from impact.people import AffectedPeople, impacted_offering_ids
from offerings.models import SUBSCRIPTION_MODELS
from tests.api.helpers import client_for, incident_manager, rel_type, user_with_perms
from tests.factories.cmdb import (
    ApplicationServiceFactory,
    CompanyFactory,
    DepartmentFactory,
    GroupFactory,
    GroupMembershipFactory,
    LocationFactory,
    RelationshipFactory,
    ServerFactory,
    UserFactory,
)
from tests.factories.impact import ChangeRequestFactory, IncidentFactory
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db

DEPENDS_ON = "Depends on::Used by"


def subscribe(offering, subscriber):
    """A subscribe-by row of the right table for `subscriber` (a user, group, department, …)."""
    for model, field_name in SUBSCRIPTION_MODELS:
        if isinstance(subscriber, model._meta.get_field(field_name).related_model):
            return model.objects.create(service_offering=offering, **{field_name: subscriber})
    raise AssertionError(f"nothing subscribes a {type(subscriber).__name__}")


def person(username, first_name, **fields):
    return UserFactory(username=username, first_name=first_name, last_name="Tester", **fields)


@pytest.fixture
def world():
    """srv-1 <- app service <- offering "Payroll Gold"; people reached through every kind of subscriber."""
    server = ServerFactory(name="srv-1")
    app = ApplicationServiceFactory(name="Payroll app")
    RelationshipFactory(parent=app, child=server, type=rel_type(DEPENDS_ON))
    offering = ServiceOfferingFactory(name="Payroll Gold")
    RelationshipFactory(parent=offering, child=app, type=rel_type(DEPENDS_ON))
    unimpacted = ServiceOfferingFactory(name="Travel Standard")

    finance, london, acme = (
        DepartmentFactory(name="Finance"),
        LocationFactory(name="London"),
        CompanyFactory(name="Acme"),
    )
    payroll_team = GroupFactory(name="Payroll team")
    people = {
        "alice": person("alice", "Alice"),
        "bob": person("bob", "Bob", department=finance),
        "carol": person("carol", "Carol", department=finance),
        "dave": person("dave", "Dave", company=acme, is_active=False),
        "erin": person("erin", "Erin", company=acme),
        "frank": person("frank", "Frank", location=london),
        "grace": person("grace", "Grace"),
        "henry": person("henry", "Henry"),
    }
    GroupMembershipFactory(group=payroll_team, user=people["alice"])
    GroupMembershipFactory(group=payroll_team, user=people["bob"])
    for subscriber in (payroll_team, finance, acme, london, people["grace"]):
        subscribe(offering, subscriber)
    subscribe(unimpacted, people["henry"])
    return {"server": server, "offering": offering, "finance": finance, "team": payroll_team, **people}


def people_of(world, **params):
    client = client_for(user_with_perms("cmdb.view_configurationitem", "cmdb.view_user"))
    response = client.get(reverse("impact-api:impact-people"), {"ci": world["server"].sys_id.hex, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_each_person_is_counted_once_and_by_every_kind_that_reaches_them(world):
    document = people_of(world)
    # alice, bob (group); bob, carol (department); erin (company; dave is inactive); frank; grace
    assert document["count"] == 6
    assert document["by_kind"] == {"users": 1, "companies": 1, "departments": 2, "locations": 1, "groups": 2}


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
    client = client_for(incident_manager())
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
        people = AffectedPeople(impacted_offering_ids([world["server"].pk]))
        with CaptureQueriesContext(connection) as captured:
            people.count()
            people.people(limit=100)
        return len(captured)

    assert queries(2) == queries(40)
