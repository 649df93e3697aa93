"""Fixtures of the impact tests: a small world of people affected through every kind of subscriber."""

import pytest

from cmdb.models import RelationshipType
from offerings.models import SUBSCRIPTION_MODELS
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
from tests.factories.offerings import ServiceOfferingFactory

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
    # get_or_create: a transactional test may run after another one flushed the data migrations' rows.
    depends_on, _ = RelationshipType.objects.get_or_create(
        name=DEPENDS_ON, defaults={"propagates_impact": True}
    )
    RelationshipFactory(parent=app, child=server, type=depends_on)
    offering = ServiceOfferingFactory(name="Payroll Gold")
    RelationshipFactory(parent=offering, child=app, type=depends_on)
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
