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


class UserSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = models.UserSubscription

    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")
    user = factory.SubFactory("tests.factories.cmdb.UserFactory")


class CompanySubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = models.CompanySubscription

    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")
    company = factory.SubFactory("tests.factories.cmdb.CompanyFactory")


class DepartmentSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = models.DepartmentSubscription

    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")
    department = factory.SubFactory("tests.factories.cmdb.DepartmentFactory")


class LocationSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = models.LocationSubscription

    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")
    location = factory.SubFactory("tests.factories.cmdb.LocationFactory")


class GroupSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = models.GroupSubscription

    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")
    group = factory.SubFactory("tests.factories.cmdb.GroupFactory")
