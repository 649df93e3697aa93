import datetime

import factory
from factory.django import DjangoModelFactory

from impact.models import Outage
from portfolio.models import Initiative


class OutageFactory(DjangoModelFactory):
    class Meta:
        model = Outage

    cmdb_ci = factory.SubFactory("tests.factories.cmdb.ServerFactory")
    type = Outage.Type.OUTAGE
    begin = datetime.datetime(2025, 3, 10, 8, 0, tzinfo=datetime.UTC)
    end = factory.LazyAttribute(lambda outage: outage.begin + datetime.timedelta(hours=1))
    short_description = factory.Sequence(lambda n: f"Outage {n}")


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative

    service = factory.SubFactory("tests.factories.cmdb.BusinessServiceFactory")
    title = factory.Sequence(lambda n: f"Initiative {n}")
