"""A small data set shaped like the demo company, with the demo's sys_ids where the OpenAPI schema
uses them as examples (config/schema.py), so that fuzzing reaches real records quickly."""

import datetime
import importlib
import uuid

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.db.models import Q
from rest_framework.authtoken.models import Token

from config.schema import PATH_EXAMPLES
from portfolio.models import PortfolioNode
from tests.factories.cmdb import (
    ApplicationServiceFactory,
    BusinessServiceFactory,
    CompanyFactory,
    GroupFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    ServerFactory,
    UserFactory,
)
from tests.factories.impact import AffectedCIFactory, ChangeRequestFactory, IncidentFactory
from tests.factories.offerings import (
    CompanySubscriptionFactory,
    OfferingCommitmentFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)
from tests.factories.owners import OutageFactory

EXAMPLE = {prefix.strip("/").split("/")[-1]: value for prefix, _table, value in PATH_EXAMPLES}


def demo_sys_id(key):
    return uuid.UUID(EXAMPLE[key])


def incident_manager_permissions():
    """The permissions the data migrations give the "Incident managers" group.

    Read from the migrations rather than from the group: an earlier transactional test's flush
    removes the group, and restoring it by serialized rollback clashes with the content types the
    flush re-created.
    """
    seeded = importlib.import_module("impact.migrations.0002_incident_managers_group")
    wanted = {*seeded.wanted_codenames(), ("impact", "view_outage")}  # + impact.0004
    # A flush that skipped post_migrate (serialized rollback elsewhere) also leaves no permissions.
    for app_label in {app_label for app_label, _codename in wanted}:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    query = Q()
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(query))
    found = {(p.content_type.app_label, p.codename) for p in permissions}
    assert found == wanted, wanted - found
    return permissions


def build_demo_like() -> dict[str, str]:
    """Create the data set; returns {"admin": token key, "incident_manager": token key}."""
    depends_on = RelationshipTypeFactory(name="Depends on::Used by", propagates_impact=True)
    company = CompanyFactory(name="Halvard Insurance Group")
    owner = UserFactory(username="sofia.berg")
    portfolio = PortfolioNode.objects.create(name="Insurance Services", sys_id=demo_sys_id("portfolio-nodes"))
    PortfolioNode.objects.create(name="Motor", parent=portfolio)
    server = ServerFactory(name="lnx-pgdb-01", sys_id=demo_sys_id("cis"), company=company)
    app_service = ApplicationServiceFactory(name="Quote Engine PROD")
    service = BusinessServiceFactory(
        name="Online Quote & Buy",
        sys_id=demo_sys_id("business-services"),
        owned_by=owner,
        portfolio=portfolio,
    )
    offering = ServiceOfferingFactory(
        name="Online Quote & Buy – UK", sys_id=demo_sys_id("offerings"), parent=service
    )
    ServiceOfferingFactory(name="Online Quote & Buy – Germany", parent=service)
    RelationshipFactory(
        parent=app_service, child=server, type=depends_on, sys_id=demo_sys_id("relationships")
    )
    RelationshipFactory(parent=offering, child=app_service, type=depends_on)
    OfferingCommitmentFactory(service_offering=offering)
    CompanySubscriptionFactory(service_offering=offering, company=company)
    UserSubscriptionFactory(service_offering=offering, user=UserFactory(username="emma.clark"))
    GroupFactory(name="Major Incident Management")
    begin = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    OutageFactory(cmdb_ci=server, begin=begin, sys_id=demo_sys_id("outages"))
    OutageFactory(cmdb_ci=app_service, begin=begin + datetime.timedelta(days=3), end=None)
    incident = IncidentFactory(number=EXAMPLE["incidents"], cmdb_ci=server)
    AffectedCIFactory(task=incident, ci=app_service)
    ChangeRequestFactory(number=EXAMPLE["changes"], cmdb_ci=app_service)

    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    manager = UserFactory(username="raj.patel", is_staff=True)
    manager.user_permissions.add(*incident_manager_permissions())
    return {
        "admin": Token.objects.create(user=admin).key,
        "incident_manager": Token.objects.create(user=manager).key,
    }
