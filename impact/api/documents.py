"""The impact document: what the impact endpoints answer, built in one place for all of them.

GET /api/v1/impact/, /api/v1/incidents/<number>/impact/ and /api/v1/changes/<number>/impact/ differ
only in where the source CIs come from; the document itself is built here.
"""

from cmdb.models import ConfigurationItem
from core.models import format_sys_id
from customers.impacted import ImpactedCustomers
from impact.customers import customers_impacted_by
from impact.engine import SUBSCRIBER_KEYS, impacted_by
from impact.services import APPLICATION_SERVICE, BUSINESS_SERVICE, SERVICE_OFFERING, TECHNICAL_SERVICE

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000
MAX_SOURCES = 100

# (list key in the document, sys_class_name of its entries)
SECTIONS = (
    ("business_services", BUSINESS_SERVICE),
    ("service_offerings", SERVICE_OFFERING),
    ("application_services", APPLICATION_SERVICE),
    ("technical_services", TECHNICAL_SERVICE),
)


# Who may see impacted businesses named: the permission to view that kind of record, as on its own
# list endpoint or admin page. Without it the kind is counted, not named (issue 10).
SUBSCRIBER_VIEW_PERMISSIONS = {
    kind: f"{model._meta.app_label}.view_{model._meta.model_name}" for model, kind in SUBSCRIBER_KEYS.items()
}


def subscriber_kinds_named_for(user) -> frozenset[str]:
    """The kinds of impacted businesses ("users", "companies", ...) that `user` may see named."""
    return frozenset(kind for kind, perm in SUBSCRIBER_VIEW_PERMISSIONS.items() if user.has_perm(perm))


def impact_document(source_ids, *, max_depth=None, limit=DEFAULT_LIMIT, named_kinds=None):
    """The impact of an outage of the CIs `source_ids` (pks, in the order to list them) as a dict.

    Every list holds at most `limit` entries, sorted by depth then name; `counts` and
    `business_counts` give the full totals and `truncated` says whether any list was cut. Impacted
    businesses of a kind not in `named_kinds` (default: all) are counted but not listed, and the
    kind is named in `withheld_businesses`. Without sources nothing is queried and every list is empty.
    """
    result = impacted_by(source_ids, max_depth=max_depth)

    truncated = False
    counts = {}
    sections = {}
    for key, sys_class_name in SECTIONS:
        # Counted without details; only the listed entries are fetched (a hub reaches half the CMDB).
        counts[key] = result.count_of_class(sys_class_name)
        truncated = truncated or counts[key] > limit
        sections[key] = result.of_class(sys_class_name, limit=limit)

    parents = _offering_parents(result, sections["service_offerings"])
    document = {
        "sources": [_source(result.impacted[pk]) for pk in result.source_ids],
        "max_depth": result.max_depth,
        "impacted_ci_count": result.impacted_ci_count,
        "counts": counts,
        "truncated": False,  # set below; here for the key order of the schema
    }
    for key, _ in SECTIONS:
        document[key] = [_entry(result, ci) for ci in sections[key]]
    for entry, ci in zip(document["service_offerings"], sections["service_offerings"], strict=True):
        entry["parent"] = parents.get(ci.parent_id)

    businesses = {}
    business_counts = {}
    withheld = []
    for kind, subscribers in result.subscribers.items():
        business_counts[kind] = len(subscribers)
        if named_kinds is not None and kind not in named_kinds:
            withheld.append(kind)
            subscribers = []
        if len(subscribers) > limit:
            truncated = True
            subscribers = subscribers[:limit]
        businesses[kind] = [_subscriber(kind, subscriber) for subscriber in subscribers]
    document["impacted_businesses"] = businesses
    document["business_counts"] = business_counts
    document["withheld_businesses"] = sorted(withheld)

    customers = customers_impacted_by(result)
    counts["customer_accounts"] = len(customers.accounts)
    counts["consumers"] = len(customers.consumers)
    if len(customers.accounts) > limit or len(customers.consumers) > limit:
        truncated = True
    document["impacted_customers"] = customers_section(customers, limit)
    document["truncated"] = truncated
    return document


def customers_section(customers: ImpactedCustomers, limit=DEFAULT_LIMIT):
    """The document's `impacted_customers`: accounts and consumers, each with what impacts it."""
    return {
        "accounts": [_customer(customer) for customer in customers.accounts[:limit]],
        "consumers": [_customer(customer) for customer in customers.consumers[:limit]],
    }


def _customer(customer):
    return {
        "sys_id": format_sys_id(customer.sys_id),
        "number": customer.number,
        "name": customer.name,
        "sold_products": [
            {
                "sys_id": format_sys_id(product.sys_id),
                "name": product.name,
                "service_offering": _reference(product.service_offering),
            }
            for product in customer.sold_products
        ],
        "install_base_items": [
            {
                "sys_id": format_sys_id(item.sys_id),
                "name": item.name,
                "configuration_item": _reference(item.configuration_item),
            }
            for item in customer.install_base_items
        ],
    }


def _reference(reference):
    return {"sys_id": format_sys_id(reference.sys_id), "name": reference.name}


def _source(ci):
    return {"sys_id": format_sys_id(ci.sys_id), "name": ci.name, "sys_class_name": ci.sys_class_name}


def _entry(result, ci):
    return {
        "sys_id": format_sys_id(ci.sys_id),
        "name": ci.name,
        "sys_class_name": ci.sys_class_name,
        "depth": ci.depth,
        "path": result.path_sys_ids(ci.id),
    }


def _offering_parents(result, offerings):
    """{parent pk: {"sys_id", "name"}} for the listed offerings.

    A parent is usually impacted itself (the offering -> parent edge), so it is known already; the
    others (cut off by max_depth) are fetched in one query.
    """
    parent_ids = {ci.parent_id for ci in offerings if ci.parent_id is not None}
    result.prefetch(parent_ids)
    parents = {}
    missing = []
    for pk in parent_ids:
        parent = result.impacted.get(pk)
        if parent is None:
            missing.append(pk)
        else:
            parents[pk] = {"sys_id": format_sys_id(parent.sys_id), "name": parent.name}
    if missing:
        rows = ConfigurationItem.objects.filter(pk__in=missing).values_list("pk", "sys_id", "name")
        for pk, sys_id, name in rows:
            parents[pk] = {"sys_id": format_sys_id(sys_id), "name": name}
    return parents


def _subscriber(kind, subscriber):
    if kind == "users":
        return {
            "sys_id": format_sys_id(subscriber.sys_id),
            "user_name": subscriber.user_name,
            "name": subscriber.name,
        }
    return {"sys_id": format_sys_id(subscriber.sys_id), "name": subscriber.name}
