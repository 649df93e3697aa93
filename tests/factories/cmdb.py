import factory
from factory.django import DjangoModelFactory

from cmdb import models


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = models.Company

    name = factory.Sequence(lambda n: f"Company {n}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = models.Location

    name = factory.Sequence(lambda n: f"Location {n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = models.Department

    name = factory.Sequence(lambda n: f"Department {n}")
    company = factory.SubFactory("tests.factories.cmdb.CompanyFactory")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = models.Group

    name = factory.Sequence(lambda n: f"Group {n}")


class GroupMembershipFactory(DjangoModelFactory):
    class Meta:
        model = models.GroupMembership

    user = factory.SubFactory("tests.factories.cmdb.UserFactory")
    group = factory.SubFactory("tests.factories.cmdb.GroupFactory")


class ConfigurationItemFactory(DjangoModelFactory):
    class Meta:
        model = models.ConfigurationItem

    name = factory.Sequence(lambda n: f"CI {n}")


class ServerFactory(ConfigurationItemFactory):
    class Meta:
        model = models.Server

    name = factory.Sequence(lambda n: f"srv-{n:04d}")


class DatabaseInstanceFactory(ConfigurationItemFactory):
    class Meta:
        model = models.DatabaseInstance

    name = factory.Sequence(lambda n: f"db-{n:04d}")


class ApplicationFactory(ConfigurationItemFactory):
    class Meta:
        model = models.Application


class BusinessApplicationFactory(ConfigurationItemFactory):
    class Meta:
        model = models.BusinessApplication

    name = factory.Sequence(lambda n: f"Business application {n}")
    logical = True


class ApplicationServiceFactory(ConfigurationItemFactory):
    class Meta:
        model = models.ApplicationService

    name = factory.Sequence(lambda n: f"Application service {n}")
    logical = True


class TechnicalServiceFactory(ConfigurationItemFactory):
    class Meta:
        model = models.TechnicalService

    name = factory.Sequence(lambda n: f"Technical service {n}")
    logical = True


class BusinessServiceFactory(ConfigurationItemFactory):
    class Meta:
        model = models.BusinessService

    name = factory.Sequence(lambda n: f"Business service {n}")
    logical = True


class RelationshipTypeFactory(DjangoModelFactory):
    class Meta:
        model = models.RelationshipType
        django_get_or_create = ("name",)

    name = "Depends on::Used by"


class RelationshipFactory(DjangoModelFactory):
    class Meta:
        model = models.Relationship

    parent = factory.SubFactory("tests.factories.cmdb.ConfigurationItemFactory")
    child = factory.SubFactory("tests.factories.cmdb.ConfigurationItemFactory")
    type = factory.SubFactory("tests.factories.cmdb.RelationshipTypeFactory")


class ProductModelFactory(DjangoModelFactory):
    class Meta:
        model = models.ProductModel

    name = factory.Sequence(lambda n: f"Model {n}")


class ServiceFactory(ConfigurationItemFactory):
    class Meta:
        model = models.Service

    name = factory.Sequence(lambda n: f"Service {n}")
    logical = True


class ApplicationModelFactory(ProductModelFactory):
    class Meta:
        model = models.ApplicationModel


class ServiceModelFactory(ProductModelFactory):
    class Meta:
        model = models.ServiceModel


class SoftwareModelFactory(ProductModelFactory):
    class Meta:
        model = models.SoftwareModel
