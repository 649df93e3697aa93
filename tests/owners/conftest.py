import datetime

import pytest

from cmdb.models import RelationshipType
from tests.factories.cmdb import (
    ApplicationServiceFactory,
    BusinessServiceFactory,
    RelationshipFactory,
    ServerFactory,
    UserFactory,
)
from tests.factories.offerings import OfferingCommitmentFactory, ServiceOfferingFactory

UTC = datetime.UTC


def at(day, hour=0, minute=0, month=3, year=2025):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def depends_on(db):
    return RelationshipType.objects.get(name="Depends on::Used by")


@pytest.fixture
def owner(db):
    return UserFactory(username="olivia")


@pytest.fixture
def stack(db, depends_on, owner):
    """A business service, its offering with a 99.9 % monthly commitment, the application service the
    offering depends on, and the server that application service depends on."""
    service = BusinessServiceFactory(name="Payroll", owned_by=owner)
    offering = ServiceOfferingFactory(name="Payroll Gold", parent=service)
    app = ApplicationServiceFactory(name="payroll-prod")
    server = ServerFactory(name="srv-payroll-01")
    RelationshipFactory(parent=offering, child=app, type=depends_on)
    RelationshipFactory(parent=app, child=server, type=depends_on)
    OfferingCommitmentFactory(
        service_offering=offering,
        service_commitment__name="99.9 % monthly",
        service_commitment__target_value="99.9",
        service_commitment__period="monthly",
    )
    return {"service": service, "offering": offering, "app": app, "server": server}
