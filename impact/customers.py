"""Where impact meets customers: who an impact result reaches, and proactive cases for an incident."""

from customers.impacted import ImpactedCustomers, impacted_customers
from impact.engine import ImpactResult


def customers_impacted_by(result: ImpactResult) -> ImpactedCustomers:
    """The accounts and consumers an impact result reaches (its CIs, sources included, and offerings)."""
    return impacted_customers(result.impacted.keys(), result.offering_ids)
