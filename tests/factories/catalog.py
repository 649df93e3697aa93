import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from catalog import models


class CatalogFactory(DjangoModelFactory):
    class Meta:
        model = models.Catalog

    title = factory.Sequence(lambda n: f"Catalog {n}")


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = models.Category

    catalog = factory.SubFactory("tests.factories.catalog.CatalogFactory")
    title = factory.Sequence(lambda n: f"Category {n}")


class CatalogItemFactory(DjangoModelFactory):
    """An active item open to everyone unless told otherwise."""

    class Meta:
        model = models.CatalogItem
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Item {n}")
    short_description = factory.LazyAttribute(lambda item: f"Order {item.name.lower()}")
    price = Decimal("10.00")
    available_to_all = True
    delivery_time = datetime.timedelta(days=2)

    @factory.post_generation
    def catalogs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.catalogs.set(extracted)


class CatalogItemOfferingFactory(DjangoModelFactory):
    class Meta:
        model = models.CatalogItemOffering

    catalog_item = factory.SubFactory("tests.factories.catalog.CatalogItemFactory", available_to_all=False)
    service_offering = factory.SubFactory("tests.factories.offerings.ServiceOfferingFactory")


class ItemVariableFactory(DjangoModelFactory):
    class Meta:
        model = models.ItemVariable

    catalog_item = factory.SubFactory("tests.factories.catalog.CatalogItemFactory")
    name = factory.Sequence(lambda n: f"question_{n}")
    question_text = factory.Sequence(lambda n: f"Question {n}")
    type = models.VariableType.SINGLE_LINE_TEXT


class VariableChoiceFactory(DjangoModelFactory):
    class Meta:
        model = models.VariableChoice

    question = factory.SubFactory(
        "tests.factories.catalog.ItemVariableFactory", type=models.VariableType.CHOICE
    )
    text = factory.Sequence(lambda n: f"Choice {n}")
    value = factory.Sequence(lambda n: f"choice_{n}")


class CartFactory(DjangoModelFactory):
    class Meta:
        model = models.Cart
        django_get_or_create = ("user",)

    user = factory.SubFactory("tests.factories.cmdb.UserFactory")


class CartItemFactory(DjangoModelFactory):
    class Meta:
        model = models.CartItem

    cart = factory.SubFactory("tests.factories.catalog.CartFactory")
    catalog_item = factory.SubFactory("tests.factories.catalog.CatalogItemFactory")
    quantity = 1
