import factory
from factory.django import DjangoModelFactory

from customers import models


class CustomerAccountFactory(DjangoModelFactory):
    class Meta:
        model = models.CustomerAccount

    name = factory.Sequence(lambda n: f"Account {n:03d}")


class CustomerContactFactory(DjangoModelFactory):
    class Meta:
        model = models.CustomerContact
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"contact{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda contact: f"{contact.username}@customer.example")
    account = factory.SubFactory(CustomerAccountFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ConsumerFactory(DjangoModelFactory):
    class Meta:
        model = models.Consumer

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    name = factory.Sequence(lambda n: f"Consumer {n:03d}")


class SoldProductFactory(DjangoModelFactory):
    class Meta:
        model = models.SoldProduct

    name = factory.Sequence(lambda n: f"Sold product {n:03d}")
    account = factory.SubFactory(CustomerAccountFactory)
    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")


class InstallBaseItemFactory(DjangoModelFactory):
    class Meta:
        model = models.InstallBaseItem

    name = factory.Sequence(lambda n: f"Install base item {n:03d}")
    account = factory.SubFactory(CustomerAccountFactory)
    configuration_item = factory.SubFactory("tests.factories.cmdb.ApplicationServiceFactory")


class InstalledProductFactory(DjangoModelFactory):
    class Meta:
        model = models.InstalledProduct

    install_base_item = factory.SubFactory(InstallBaseItemFactory)
    sold_product = factory.SubFactory(SoldProductFactory)


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = models.Case

    short_description = factory.Sequence(lambda n: f"Case {n}")
    account = factory.SubFactory(CustomerAccountFactory)
