"""Which customers an outage reaches: accounts and consumers holding an active sold product of an
impacted offering, or an install base item on an impacted CI.

The impact engine (a layer above) walks the graph and hands over the impacted CI and offering ids;
this module turns them into customers in two queries, whatever their number.
"""

import datetime
import uuid
from collections.abc import Callable, Collection, Mapping
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
    impacted_ids: Collection[int],
    offering_ids: Collection[int],
    describe: Callable[[list[int]], Mapping[int, tuple[uuid.UUID, str]]],
    *,
    on: datetime.date | None = None,
) -> ImpactedCustomers:
    """The customers impacted when the CIs `impacted_ids` (sources and offerings included) are,
    `offering_ids` being the offerings among them.

    A sold product counts while it is in force on `on` (default today); an install base item counts
    unless retired. Each customer appears once, with only the products and items it is impacted
    through. At most two queries; none without CIs. `describe(pks)` gives {pk: (sys_id, name)} of the
    CIs the answer names, asked once: the impact engine knows them, and a hub's lazy result fetches
    only those, not the half of the CMDB it walked.
    """
    customers: dict[tuple[str, int], ImpactedCustomer] = {}

    def customer_of(account, consumer):
        # (pk, sys_id, number, name) of whichever of the two the row belongs to
        kind, (pk, sys_id, number, name) = ("account", account) if account[0] else ("consumer", consumer)
        key = (kind, pk)
        if key not in customers:
            customers[key] = ImpactedCustomer(kind, pk, sys_id, number, name)
        return customers[key]

    # Plain values, not model instances: thousands of customers of one offering are common, and
    # building a model (with its joined account and offering) per row cost three times the query.
    owner_columns = (
        *("account_id", "account__sys_id", "account__number", "account__name"),
        *("consumer_id", "consumer__sys_id", "consumer__number", "consumer__name"),
    )
    sold, items = [], []
    if offering_ids:
        condition, params = id_in(_column(SoldProduct, "service_offering_id"), offering_ids, connection)
        sold = list(
            SoldProduct.objects.active(on)
            .extra(where=[condition], params=params)
            .order_by("name", "pk")
            .values_list("pk", "sys_id", "name", "service_offering_id", *owner_columns)
        )
    if impacted_ids:
        condition, params = id_in(_column(InstallBaseItem, "configuration_item_id"), impacted_ids, connection)
        items = list(
            InstallBaseItem.objects.exclude(state=InstallBaseItem.State.RETIRED)
            .extra(where=[condition], params=params)
            .order_by("name", "pk")
            .values_list("pk", "sys_id", "name", "configuration_item_id", *owner_columns)
        )
    named = describe(sorted({row[3] for row in sold} | {row[3] for row in items})) if sold or items else {}
    for pk, sys_id, name, offering_pk, *owner in sold:
        customer_of(owner[:4], owner[4:]).sold_products.append(
            ImpactedSoldProduct(pk, sys_id, name, Reference(offering_pk, *named[offering_pk]))
        )
    for pk, sys_id, name, ci_pk, *owner in items:
        customer_of(owner[:4], owner[4:]).install_base_items.append(
            ImpactedInstallBaseItem(pk, sys_id, name, Reference(ci_pk, *named[ci_pk]))
        )

    ordered = sorted(customers.values(), key=lambda customer: (customer.name, customer.id))
    return ImpactedCustomers(
        accounts=[customer for customer in ordered if customer.kind == "account"],
        consumers=[customer for customer in ordered if customer.kind == "consumer"],
    )


def _column(model, attname):
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(attname).column)}"
