import factory
from factory.django import DjangoModelFactory

from portfolio.models import PortfolioNode


class PortfolioNodeFactory(DjangoModelFactory):
    """Creates through save() so django-mptt keeps the tree fields right."""

    class Meta:
        model = PortfolioNode

    name = factory.Sequence(lambda n: f"Portfolio {n}")
    parent = None
