"""Which customers an outage reaches: accounts and consumers holding an active sold product of an
impacted offering, or an install base item on an impacted CI.

The impact engine (a layer above) walks the graph and hands over the impacted CI and offering ids;
this module turns them into customers in two queries, whatever their number.
"""

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import connection

from core.sql import id_in
from customers.models import InstallBaseItem, SoldProduct


@dataclass(frozen=True, slots=True)
class Reference:
    id: int
    sys_id: uuid.UUID
    name: str


@dataclass(frozen=True, slots=True)
class ImpactedSoldProduct:
    id: int
    sys_id: uuid.UUID
    name: str
    service_offering: Reference


@dataclass(frozen=True, slots=True)
class ImpactedInstallBaseItem:
    id: int
    sys_id: uuid.UUID
    name: str
    configuration_item: Reference


@dataclass
class ImpactedCustomer:
    """An account or a consumer, with the sold products and install base items it is impacted through."""

    kind: str  # "account" or "consumer"
    id: int
    sys_id: uuid.UUID
    number: str
    name: str
    sold_products: list[ImpactedSoldProduct] = field(default_factory=list)
    install_base_items: list[ImpactedInstallBaseItem] = field(default_factory=list)


@dataclass
class ImpactedCustomers:
    accounts: list[ImpactedCustomer]  # sorted by name
    consumers: list[ImpactedCustomer]  # sorted by name

    def __iter__(self):
        yield from self.accounts
        yield from self.consumers

    def __len__(self):
        return len(self.accounts) + len(self.consumers)


def impacted_customers(
    ci_ids: Collection[int], offering_ids: Collection[int], *, on: datetime.date | None = None
) -> ImpactedCustomers:
    """The customers impacted when the CIs `ci_ids` (sources included) and offerings `offering_ids` are.

    A sold product counts while it is in force on `on` (default today); an install base item counts
    unless retired. Each customer appears once, with only the products and items it is impacted
    through. At most two queries; none without ids.
    """
    customers: dict[tuple[str, int], ImpactedCustomer] = {}

    def customer_of(row):
        kind, owner = ("account", row.account) if row.account_id else ("consumer", row.consumer)
        key = (kind, owner.pk)
        if key not in customers:
            customers[key] = ImpactedCustomer(kind, owner.pk, owner.sys_id, owner.number, owner.name)
        return customers[key]

    if offering_ids:
        condition, params = id_in(_column(SoldProduct, "service_offering_id"), offering_ids, connection)
        sold = (
            SoldProduct.objects.active(on)
            .extra(where=[condition], params=params)
            .select_related("account", "consumer", "service_offering")
            .order_by("name", "pk")
        )
        for product in sold:
            offering = product.service_offering
            customer_of(product).sold_products.append(
                ImpactedSoldProduct(
                    product.pk,
                    product.sys_id,
                    product.name,
                    Reference(offering.pk, offering.sys_id, offering.name),
                )
            )
    if ci_ids:
        condition, params = id_in(_column(InstallBaseItem, "configuration_item_id"), ci_ids, connection)
        items = (
            InstallBaseItem.objects.exclude(state=InstallBaseItem.State.RETIRED)
            .extra(where=[condition], params=params)
            .select_related("account", "consumer", "configuration_item")
            .order_by("name", "pk")
        )
        for item in items:
            ci = item.configuration_item
            customer_of(item).install_base_items.append(
                ImpactedInstallBaseItem(item.pk, item.sys_id, item.name, Reference(ci.pk, ci.sys_id, ci.name))
            )

    ordered = sorted(customers.values(), key=lambda customer: (customer.name, customer.id))
    return ImpactedCustomers(
        accounts=[customer for customer in ordered if customer.kind == "account"],
        consumers=[customer for customer in ordered if customer.kind == "consumer"],
    )


def _column(model, attname):
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(attname).column)}"
