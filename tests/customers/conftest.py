import pytest

from tests.api.helpers import build_impact_graph
from tests.factories.customers import (
    ConsumerFactory,
    CustomerAccountFactory,
    CustomerContactFactory,
    InstallBaseItemFactory,
    SoldProductFactory,
)


class Sold:
    """The impact graph of tests.api.helpers sold to two accounts and a consumer, and one bystander."""

    def __init__(self):
        self.graph = build_impact_graph()
        self.acme = CustomerAccountFactory(name="Acme Retail")
        self.acme_contact = CustomerContactFactory(account=self.acme, username="pat.acme")
        self.acme_product = SoldProductFactory(
            account=self.acme, name="Billing Gold for Acme", service_offering=self.graph.gold
        )
        self.acme_item = InstallBaseItemFactory(
            account=self.acme, name="Acme billing tenant", configuration_item=self.graph.app_service
        )
        self.globex = CustomerAccountFactory(name="Globex")
        self.globex_contact = CustomerContactFactory(account=self.globex, username="sam.globex")
        self.globex_item = InstallBaseItemFactory(
            account=self.globex, name="Globex payroll", configuration_item=self.graph.application
        )
        self.dana = ConsumerFactory(name="Dana Home")
        SoldProductFactory(account=None, consumer=self.dana, service_offering=self.graph.standard)
        self.bystander = CustomerAccountFactory(name="Bystander")
        SoldProductFactory(account=self.bystander)


@pytest.fixture
def sold():
    return Sold()
