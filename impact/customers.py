"""Where impact meets customers: who an impact result reaches, and proactive cases for an incident."""

from customers.cases import ProactiveCases, open_proactive_cases
from customers.impacted import ImpactedCustomers, impacted_customers
from impact.engine import ImpactResult, impacted_by
from impact.models import Outage
from impact.services import task_source_ids


def customers_impacted_by(result: ImpactResult) -> ImpactedCustomers:
    """The accounts and consumers an impact result reaches (its CIs, sources included, and offerings)."""

    def describe(ci_ids):
        result.prefetch(ci_ids)
        return {pk: (result.impacted[pk].sys_id, result.impacted[pk].name) for pk in ci_ids}

    return impacted_customers(list(result.impacted), result.offering_ids, describe)


def open_proactive_cases_for(incident) -> ProactiveCases:
    """Open a proactive case for every customer the incident impacts that has none for it yet,
    linked to the incident, its outage (the open one, else the latest) and the impacted install base."""
    source_ids = task_source_ids(incident)
    customers = customers_impacted_by(impacted_by(source_ids)) if source_ids else ImpactedCustomers([], [])
    outages = Outage.objects.filter(task=incident)
    outage = outages.filter(end__isnull=True).order_by("-begin").first() or outages.order_by("-begin").first()
    return open_proactive_cases(incident, customers, outage=outage)
