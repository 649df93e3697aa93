"""Which customers an outage reaches: accounts and consumers holding an active sold product of an
impacted offering, or an install base item on an impacted CI.

The impact engine (a layer above) walks the graph and hands over the impacted CI and offering ids;
this module turns them into customers in one query, whatever their number.
"""

import datetime
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from cmdb.models import Company
from core.prepared import fetch_prepared, supports_prepared_statements
from core.sql import id_in, int_array_literal
from customers.models import Consumer, CustomerAccount, InstallBaseItem, SoldProduct


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
    through. One query; none without CIs. `describe(pks)` gives {pk: (sys_id, name)} of the
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

    sold, items = [], []
    for kind, *row in _sold_and_installed(list(offering_ids), list(impacted_ids), on or timezone.localdate()):
        (sold if kind == "sold" else items).append(row)
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


def installed_ci_ids() -> list[int]:
    """pks of the CIs that an install base item (not retired) is on, each once."""
    return list(
        InstallBaseItem.objects.exclude(state=InstallBaseItem.State.RETIRED)
        .filter(configuration_item__isnull=False)
        .order_by()
        .values_list("configuration_item_id", flat=True)
        .distinct()
    )


def _sold_and_installed(offering_ids, ci_ids, day):
    """Rows (kind, pk, sys_id, name, offering or CI pk, account pk, sys_id, number, name, consumer pk,
    sys_id, number, name): the sold products of `offering_ids` in force on `day` (kind "sold") and
    the install base items on `ci_ids` not retired ("installed"), each kind sorted by name.

    One query for both, prepared on PostgreSQL (core/prepared.py): it runs with every impact answer,
    and compiling two querysets with three joins each cost more than the rest of a typical answer.
    Plain values, not model instances: thousands of customers of one offering are common.
    """
    if not offering_ids and not ci_ids:
        return []
    offering_column = _column(SoldProduct, "service_offering")
    ci_column = _column(InstallBaseItem, "configuration_item")
    if supports_prepared_statements(connection):
        rows = fetch_prepared(
            connection,
            "runstage_impacted_customers",
            lambda: _query(f"{offering_column} = ANY($1)", f"{ci_column} = ANY($2)", day="$3"),
            ("bigint[]", "bigint[]", "date"),
            [int_array_literal(offering_ids), int_array_literal(ci_ids), day],
        )
    else:
        offerings, offering_params = id_in(offering_column, offering_ids, connection)
        cis, ci_params = id_in(ci_column, ci_ids, connection)
        with connection.cursor() as cursor:
            cursor.execute(_query(offerings, cis, day="%s"), [*offering_params, day, day, *ci_params])
            rows = cursor.fetchall()
    return [
        tuple(_uuid(value) if index in SYS_ID_COLUMNS else value for index, value in enumerate(row))
        for row in rows
    ]


# The positions of the rows' sys_ids (as text): the record's own, its account's, its consumer's.
SYS_ID_COLUMNS = frozenset((2, 6, 10))


def _query(offering_condition, ci_condition, day):
    """The SQL of _sold_and_installed: the conditions on the offering and CI columns (_column), and
    the placeholder of the day, which comes twice after the offering condition."""
    q = connection.ops.quote_name
    account, company, consumer = CustomerAccount._meta, Company._meta, Consumer._meta

    account_pk, company_pk, consumer_pk = q(account.pk.column), q(company.pk.column), q(consumer.pk.column)

    def of(meta, name):
        return q(meta.get_field(name).column)

    def branch(kind, model, target, condition):
        return (
            f"SELECT '{kind}', r.{q(model._meta.pk.column)}, CAST({_column(model, 'sys_id')} AS text),"
            f" {_column(model, 'name')}, {_column(model, target)},"
            f" a.{account_pk}, CAST(ac.{of(company, 'sys_id')} AS text), a.{of(account, 'number')},"
            f" ac.{of(company, 'name')},"
            f" c.{consumer_pk}, CAST(c.{of(consumer, 'sys_id')} AS text), c.{of(consumer, 'number')},"
            f" c.{of(consumer, 'name')}"
            f" FROM {q(model._meta.db_table)} r"
            f" LEFT OUTER JOIN {q(account.db_table)} a ON a.{account_pk} = {_column(model, 'account')}"
            f" LEFT OUTER JOIN {q(company.db_table)} ac ON ac.{company_pk} = a.{account_pk}"
            f" LEFT OUTER JOIN {q(consumer.db_table)} c ON c.{consumer_pk} = {_column(model, 'consumer')}"
            f" WHERE {condition}"
        )

    start, end = _column(SoldProduct, "start_date"), _column(SoldProduct, "end_date")
    in_force = (
        f"{_column(SoldProduct, 'state')} = '{SoldProduct.State.ACTIVE.value}'"
        f" AND ({start} IS NULL OR {start} <= {day}) AND ({end} IS NULL OR {end} >= {day})"
    )
    not_retired = f"{_column(InstallBaseItem, 'state')} <> '{InstallBaseItem.State.RETIRED.value}'"
    sold = branch("sold", SoldProduct, "service_offering", f"{offering_condition} AND {in_force}")
    installed = branch(
        "installed", InstallBaseItem, "configuration_item", f"{ci_condition} AND {not_retired}"
    )
    return f"{sold} UNION ALL {installed} ORDER BY 1, 4, 2"


def _column(model, name):
    """A column of the row `r` of `model`'s table in _query."""
    return f"r.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def _uuid(text):
    return None if text is None else uuid.UUID(text)
