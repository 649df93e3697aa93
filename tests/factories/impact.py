import factory
from factory.django import DjangoModelFactory

from impact import models


class IncidentFactory(DjangoModelFactory):
    class Meta:
        model = models.Incident

    short_description = factory.Sequence(lambda n: f"Incident {n}")


class ChangeRequestFactory(DjangoModelFactory):
    class Meta:
        model = models.ChangeRequest

    short_description = factory.Sequence(lambda n: f"Change {n}")


class AffectedCIFactory(DjangoModelFactory):
    class Meta:
        model = models.AffectedCI

    task = factory.SubFactory("tests.factories.impact.IncidentFactory")
    ci = factory.SubFactory("tests.factories.cmdb.ServerFactory")


class ImpactedServiceFactory(DjangoModelFactory):
    class Meta:
        model = models.ImpactedService

    task = factory.SubFactory("tests.factories.impact.IncidentFactory")
    service = factory.SubFactory("tests.factories.cmdb.BusinessServiceFactory")
    manually_added = False


class ChangeApprovalFactory(DjangoModelFactory):
    class Meta:
        model = models.ChangeApproval

    change = factory.SubFactory("tests.factories.impact.ChangeRequestFactory")
    approver = factory.SubFactory("tests.factories.cmdb.UserFactory")
