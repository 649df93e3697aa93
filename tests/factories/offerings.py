import factory
from factory.django import DjangoModelFactory

from offerings import models


class ServiceOfferingFactory(DjangoModelFactory):
    class Meta:
        model = models.ServiceOffering

    name = factory.Sequence(lambda n: f"Offering {n}")
    parent = factory.SubFactory("tests.factories.cmdb.BusinessServiceFactory")
    logical = True


class ServiceCommitmentFactory(DjangoModelFactory):
    class Meta:
        model = models.ServiceCommitment

    name = factory.Sequence(lambda n: f"Commitment {n}")
    type = models.ServiceCommitment.Type.AVAILABILITY
    target_value = "99.9"
    target_unit = "%"


class OfferingCommitmentFactory(DjangoModelFactory):
    class Meta:
        model = models.OfferingCommitment

    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")
    service_commitment = factory.SubFactory("tests.factories.offerings.ServiceCommitmentFactory")
