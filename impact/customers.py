"""Where impact meets customers: who an impact result reaches, and proactive cases for an incident."""

from customers.cases import ProactiveCases, open_proactive_cases
from customers.impacted import ImpactedCustomers, impacted_customers, installed_ci_ids
from impact.engine import ImpactResult, impacted_by
from impact.models import Outage
from impact.services import task_source_ids

# Above this many impacted CIs, the CIs that have an install base item are read and matched against
# the impact in memory, instead of the impact's CIs being sent to the database (a core switch's half
# million ids took longer to write down than the query took to run).
MATCH_INSTALL_BASE_ABOVE = 50_000


def customers_impacted_by(result: ImpactResult) -> ImpactedCustomers:
    """The accounts and consumers an impact result reaches (its CIs, sources included, and offerings)."""

    def describe(ci_ids):
        result.prefetch(ci_ids)
        return {pk: (result.impacted[pk].sys_id, result.impacted[pk].name) for pk in ci_ids}

    impacted_ids = result.impacted
    if len(impacted_ids) > MATCH_INSTALL_BASE_ABOVE:
        impacted_ids = result.impacted_among(installed_ci_ids())
    return impacted_customers(list(impacted_ids), result.offering_ids, describe)


def open_proactive_cases_for(incident) -> ProactiveCases:
    """Open a proactive case for every customer the incident impacts that has none for it yet,
    linked to the incident, its outage (the open one, else the latest) and the impacted install base."""
    source_ids = task_source_ids(incident)
    customers = customers_impacted_by(impacted_by(source_ids)) if source_ids else ImpactedCustomers([], [])
    outages = Outage.objects.filter(task=incident)
    outage = outages.filter(end__isnull=True).order_by("-begin").first() or outages.order_by("-begin").first()
    return open_proactive_cases(incident, customers, outage=outage)
