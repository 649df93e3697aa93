"""Helpers shared by the API tests: clients for users with given permissions, a small impact graph."""

from dataclasses import dataclass

from django.contrib.auth.models import Group as PermissionGroup
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from cmdb.models import RelationshipType
from tests.factories.cmdb import (
    ApplicationFactory,
    ApplicationServiceFactory,
    BusinessServiceFactory,
    CompanyFactory,
    DepartmentFactory,
    GroupFactory,
    LocationFactory,
    RelationshipFactory,
    ServerFactory,
    TechnicalServiceFactory,
    UserFactory,
)
from tests.factories.offerings import (
    CompanySubscriptionFactory,
    DepartmentSubscriptionFactory,
    GroupSubscriptionFactory,
    LocationSubscriptionFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)

INCIDENT_MANAGERS = "Incident managers"


def user_with_perms(*perms, username=None):
    """A user holding exactly `perms` ("app_label.codename")."""
    user = UserFactory(**({"username": username} if username else {}))
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def incident_manager():
    """A user whose only permissions come from the seeded "Incident managers" group."""
    user = UserFactory()
    user.groups.add(PermissionGroup.objects.get(name=INCIDENT_MANAGERS))
    return user


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def rel_type(name):
    return RelationshipType.objects.get(name=name)


@dataclass
class ImpactGraph:
    """
    srv-billing (server, the usual source)
      <- Runs on -   Billing engine (application)
      <- Depends on- Billing stack (application service)
      <- Depends on- Billing Gold (offering of Billing), Payroll Standard (offering of Payroll)
      <- parent -    Billing, Payroll (business services)
    srv-billing <- Contains - Storage (technical service)
    srv-billing <- Connects to - Monitoring (does not propagate impact)
    """

    server: object
    application: object
    app_service: object
    gold: object
    standard: object
    billing: object
    payroll: object
    storage: object
    monitoring: object
    company: object
    department: object
    location: object
    group: object
    user: object


def build_impact_graph():
    server = ServerFactory(name="srv-billing")
    application = ApplicationFactory(name="Billing engine")
    app_service = ApplicationServiceFactory(name="Billing stack")
    billing = BusinessServiceFactory(name="Billing")
    payroll = BusinessServiceFactory(name="Payroll")
    gold = ServiceOfferingFactory(name="Billing Gold", parent=billing)
    standard = ServiceOfferingFactory(name="Payroll Standard", parent=payroll)
    storage = TechnicalServiceFactory(name="Storage")
    monitoring = BusinessServiceFactory(name="Monitoring")

    RelationshipFactory(parent=application, child=server, type=rel_type("Runs on::Runs"))
    RelationshipFactory(parent=app_service, child=application, type=rel_type("Depends on::Used by"))
    RelationshipFactory(parent=gold, child=app_service, type=rel_type("Depends on::Used by"))
    RelationshipFactory(parent=standard, child=app_service, type=rel_type("Depends on::Used by"))
    RelationshipFactory(parent=storage, child=server, type=rel_type("Contains::Contained by"))
    RelationshipFactory(parent=monitoring, child=server, type=rel_type("Connects to::Connected by"))

    company = CompanyFactory(name="Acme")
    department = DepartmentFactory(name="Finance", company=company)
    location = LocationFactory(name="Berlin")
    group = GroupFactory(name="Ops")
    user = UserFactory(username="jdoe", first_name="Jane", last_name="Doe")
    CompanySubscriptionFactory(service_offering=gold, company=company)
    CompanySubscriptionFactory(service_offering=standard, company=company)
    DepartmentSubscriptionFactory(service_offering=standard, department=department)
    LocationSubscriptionFactory(service_offering=gold, location=location)
    GroupSubscriptionFactory(service_offering=standard, group=group)
    UserSubscriptionFactory(service_offering=gold, user=user)
    return ImpactGraph(
        server=server,
        application=application,
        app_service=app_service,
        gold=gold,
        standard=standard,
        billing=billing,
        payroll=payroll,
        storage=storage,
        monitoring=monitoring,
        company=company,
        department=department,
        location=location,
        group=group,
        user=user,
    )


def list_query_count(client, url, params=None):
    """Queries one GET of `url` takes, measured after a warm-up request (which loads permissions)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries)
