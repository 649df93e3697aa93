"""CSDM data-health checks: the gaps in the service portfolio that CSDM says should not be there.

Each check is a named function registered with `@health_check`; it returns the offending records
and nothing else, so "no records" means the check passes. Every check costs a fixed number of
queries (NOT EXISTS subqueries, one edge list for the cycle search), never one per record, so the
report stays cheap on a CMDB with a million CIs. `run_checks()` runs them in registration order;
the `csdm_health` command and the admin page at /admin/csdm-health/ render its results.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse

from cmdb.models import (
    ApplicationService,
    BusinessService,
    ConfigurationItem,
    Relationship,
    Service,
    ci_models_by_class,
)
from core.models import format_sys_id
from core.sql import id_in
from impact.edges import propagating_relationships, reliance_edges
from impact.graph import cycles_of, graph_for, ids_without_child_of_class, unlinked_ids
from offerings.models import SUBSCRIPTION_MODELS, OfferingCommitment, ServiceOffering

RECORD_FIELDS = ("pk", "sys_id", "name", "sys_class_name")


def admin_change_url(sys_class_name, pk):
    """The admin change page of a CI's concrete class, or None when that class has no admin.

    A class without a Django model (an imported `cmdb_ci_linux_server`) is edited as a base CI.
    """
    model = ci_models_by_class().get(sys_class_name, ConfigurationItem)
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class HealthRecord:
    """One offending CI, as much of it as a report needs."""

    pk: int
    sys_id: object
    name: str
    sys_class_name: str

    def __str__(self):
        return self.name

    @property
    def sys_id_hex(self):
        return format_sys_id(self.sys_id)

    @property
    def admin_url(self):
        return admin_change_url(self.sys_class_name, self.pk)

    def as_dict(self):
        return {"sys_id": self.sys_id_hex, "name": self.name, "sys_class_name": self.sys_class_name}


@dataclass(frozen=True)
class Cycle:
    """CIs that rely on each other in a loop, in the order the relationships lead from one to the next."""

    members: tuple

    def __str__(self):
        names = [member.name for member in self.members]
        return " → ".join([*names, names[0]])

    def as_dict(self):
        return [member.as_dict() for member in self.members]


@dataclass(frozen=True)
class Check:
    """A named data-health check."""

    key: str
    title: str
    explanation: str
    find: Callable[[], "Findings"]


class Findings:
    """What a check found, without loading it: a count, a page, or every record streamed."""

    def count(self) -> int:
        raise NotImplementedError

    def page(self, offset: int, limit: int | None) -> list:
        raise NotImplementedError

    def __iter__(self):
        raise NotImplementedError

    def among(self, pks) -> list:
        """The records about these CIs (for a cycle: with a member among them), in order."""
        raise NotImplementedError


class QueryFindings(Findings):
    """Findings that are the CIs of a queryset (any CI model), by name: one query for the count, one
    per page, and a chunked cursor when every record is streamed."""

    def __init__(self, queryset):
        self.queryset = queryset.order_by("name", "sys_id")

    def count(self):
        return self.queryset.count()

    def page(self, offset, limit):
        end = None if limit is None else offset + limit
        return [HealthRecord(*row) for row in self.queryset.values_list(*RECORD_FIELDS)[offset:end]]

    def __iter__(self):
        for row in self.queryset.values_list(*RECORD_FIELDS).iterator(chunk_size=2000):
            yield HealthRecord(*row)

    def among(self, pks):
        pks = list(pks)
        return [HealthRecord(*row) for row in self.queryset.filter(pk__in=pks).values_list(*RECORD_FIELDS)]


class ListFindings(Findings):
    """Findings computed in Python (cycles), already in order."""

    def __init__(self, found):
        self.found = list(found)

    def count(self):
        return len(self.found)

    def page(self, offset, limit):
        return self.found[offset:] if limit is None else self.found[offset : offset + limit]

    def __iter__(self):
        return iter(self.found)

    def among(self, pks):
        wanted = set(pks)
        return [item for item in self.found if getattr(item, "pk", None) in wanted]


# Findings a report lists per check unless told otherwise: enough to act on, small enough that the
# page and the command stay bounded on a CMDB of millions of CIs (the count is always exact).
DEFAULT_PAGE_SIZE = 50


@dataclass
class CheckResult:
    """What one check found (its exact count and one page of records); it passes when it found nothing."""

    check: Check
    findings: Findings
    offset: int = 0
    limit: int | None = DEFAULT_PAGE_SIZE

    def __post_init__(self):
        self.count = self.findings.count()
        # limit 0: no page at all (a caller that streams every record from `findings`).
        self.records = self.findings.page(self.offset, self.limit) if self.count and self.limit != 0 else []

    @property
    def ok(self):
        return not self.count

    @property
    def truncated(self):
        """Whether records beyond this page exist."""
        return self.offset + len(self.records) < self.count

    @property
    def page_end(self):
        """The 1-based number of the last record listed."""
        return self.offset + len(self.records)

    @property
    def next_offset(self):
        return self.offset + len(self.records) if self.truncated else None

    @property
    def previous_offset(self):
        return max(0, self.offset - (self.limit or 0)) if self.offset else None

    def as_dict(self):
        return {
            "key": self.check.key,
            "title": self.check.title,
            "ok": self.ok,
            "count": self.count,
            "records": [record.as_dict() for record in self.records],
        }


CHECKS = {}


def health_check(key, title, explanation):
    """Register a check function under a stable key; checks run in the order they are declared."""

    def register(find):
        if key in CHECKS:
            raise ValueError(f"A health check with key {key!r} is already registered.")
        CHECKS[key] = Check(key=key, title=title, explanation=explanation, find=find)
        return find

    return register


def selected_checks(keys=None) -> list[Check]:
    """The checks named by `keys` (all of them by default), in registration order; KeyError for an
    unknown key."""
    if keys is None:
        return list(CHECKS.values())
    unknown = sorted(set(keys) - CHECKS.keys())
    if unknown:
        raise KeyError(", ".join(unknown))
    return [check for key, check in CHECKS.items() if key in set(keys)]


def run_checks(keys=None, *, offset: int = 0, limit: int | None = DEFAULT_PAGE_SIZE) -> list[CheckResult]:
    """Run the checks named by `keys` (all of them by default), in registration order: each one's exact
    count and the page of `limit` records from `offset` (None: all of them).

    KeyError for an unknown key, before any check runs.
    """
    return [
        CheckResult(check=check, findings=check.find(), offset=offset, limit=limit)
        for check in selected_checks(keys)
    ]


def records(queryset) -> QueryFindings:
    """The CIs of `queryset` (any CI model) as findings, by name."""
    return QueryFindings(queryset)


def business_offerings():
    return ServiceOffering.objects.filter(classification=ServiceOffering.Classification.BUSINESS)


@health_check(
    "business_service_without_offering",
    "Business services without a business service offering",
    "Consumers subscribe to, order and get commitments from offerings; a business service with no "
    "business offering cannot be subscribed to, ordered or measured.",
)
def business_services_without_offering():
    has_offering = business_offerings().filter(parent=OuterRef("pk"))
    return records(BusinessService.objects.exclude(Exists(has_offering)))


@health_check(
    "offering_without_parent",
    "Service offerings without a parent service",
    "An offering fine-tunes one service; without its parent, its outages and subscribers reach no "
    "service and it sits outside the portfolio.",
)
def offerings_without_parent():
    return records(ServiceOffering.objects.filter(parent__isnull=True))


@health_check(
    "business_offering_without_application_service",
    "Business offerings that depend on no application service",
    "CSDM links the business to technology through business offerings depending on application "
    "services; without that link, no infrastructure outage can reach the offering.",
)
def business_offerings_without_application_service():
    graph = graph_for(connection)
    if graph is not None:  # its edges are the propagating relationships (and offering -> parent)
        offerings = ids_without_child_of_class(
            graph, ServiceOffering._meta.db_table, ApplicationService._meta.db_table
        )
        return records(_pk_among(business_offerings(), offerings.tolist()))
    depends_on_application_service = propagating_relationships().filter(
        parent=OuterRef("pk"), child__sys_class_name=ApplicationService._meta.db_table
    )
    return records(business_offerings().exclude(Exists(depends_on_application_service)))


@health_check(
    "technical_offering_without_support_group",
    "Technical offerings without a support group",
    "Technical offerings say who supports a platform; incidents on it have nobody to be assigned to.",
)
def technical_offerings_without_support_group():
    return records(
        ServiceOffering.objects.filter(
            classification=ServiceOffering.Classification.TECHNICAL, support_group__isnull=True
        )
    )


@health_check(
    "offering_without_commitments",
    "Service offerings without commitments",
    "Commitments (availability, response times, maintenance windows) are what an offering promises; "
    "without them its service level cannot be agreed or measured.",
)
def offerings_without_commitments():
    has_commitment = OfferingCommitment.objects.filter(service_offering=OuterRef("pk"))
    return records(ServiceOffering.objects.exclude(Exists(has_commitment)))


@health_check(
    "offering_without_subscribers",
    "Service offerings without subscribers",
    "Subscribers are who an outage impacts and who may order the offering; with none, impact "
    "analysis finds nobody to notify.",
)
def offerings_without_subscribers():
    offerings = ServiceOffering.objects.all()
    for model, _subscriber_field in SUBSCRIPTION_MODELS:
        offerings = offerings.exclude(Exists(model.objects.filter(service_offering=OuterRef("pk"))))
    return records(offerings)


@health_check(
    "service_without_owner",
    "Services without an owner",
    "Every business, technical and application service and every offering needs an accountable "
    "owner who answers for its level of service.",
)
def services_without_owner():
    return records(Service.objects.filter(owned_by__isnull=True))


@health_check(
    "logical_ci_without_product_model",
    "Logical CIs without a product model",
    "Logical CIs are not discovered, so nothing else gives them a model; without one, they cannot be "
    "grouped, licensed or reported on by product (manage.py autogenerate_product_models fixes this).",
)
def logical_cis_without_product_model():
    return records(ConfigurationItem.objects.filter(logical=True, model__isnull=True))


@health_check(
    "ci_without_relationship",
    "CIs without any relationship",
    "A CI related to nothing is invisible to impact analysis: its outage reaches no service, and "
    "it is often stale data.",
)
def cis_without_relationship():
    # An offering's parent reference is an edge of the service graph, as a relationship is.
    isolated = (
        ConfigurationItem.objects.exclude(Exists(Relationship.objects.filter(parent=OuterRef("pk"))))
        .exclude(Exists(Relationship.objects.filter(child=OuterRef("pk"))))
        .exclude(Exists(ServiceOffering.objects.filter(parent=OuterRef("pk"))))
        .exclude(Exists(ServiceOffering.objects.filter(pk=OuterRef("pk"), parent__isnull=False)))
    )
    graph = graph_for(connection)
    if graph is not None and graph.node_count:
        # A CI with an impact edge is related: only the CIs without one are checked, so that the cost
        # follows them and not the five million relationships. A CI added since the build has a higher
        # pk (ids come from one sequence) and is checked too.
        isolated = _pk_among(isolated, unlinked_ids(graph).tolist(), above=int(graph.ids[-1]))
    return records(isolated)


def _pk_among(queryset, pks, above=None):
    """`queryset` narrowed to `pks` (any number of them, bound as one parameter), or pks above `above`."""
    q = connection.ops.quote_name
    column = f"{q(queryset.model._meta.db_table)}.{q(queryset.model._meta.pk.column)}"
    condition, params = id_in(column, pks, connection)
    if above is not None:
        condition, params = f"({condition} OR {column} > %s)", [*params, above]
    return queryset.extra(where=[condition], params=params)


@health_check(
    "relationship_cycle",
    "Cycles of relationships that propagate impact",
    "A CI that, through other CIs, relies on itself makes impact analysis report every member of "
    "the loop as impacting every other; such loops are almost always modelling mistakes.",
)
def relationship_cycles():
    graph = graph_for(connection)
    if graph is not None:  # the in-memory impact graph holds exactly these edges
        components, successors = cycles_of(graph)
    else:
        successors = successors_by_node(reliance_edges().iterator(chunk_size=10_000))
        components = [c for c in strongly_connected_components(successors) if len(c) > 1]
    details = records_by_pk(pk for component in components for pk in component)
    cycles = [
        Cycle(tuple(walk_component([details[pk] for pk in component], successors)))
        for component in components
    ]
    return ListFindings(
        sorted(cycles, key=lambda cycle: (cycle.members[0].name, cycle.members[0].sys_id_hex))
    )


def successors_by_node(edges):
    """The adjacency lists of a directed graph given as (from, to) pairs."""
    successors = defaultdict(list)
    for source, target in edges:
        successors[source].append(target)
    return successors


def strongly_connected_components(successors):
    """Tarjan's algorithm, iterative (a deep graph must not hit Python's recursion limit).

    `successors` maps each node to the nodes it has an edge to; returns the components as lists.
    """
    index, lowlink = {}, {}
    stack, on_stack, components = [], set(), []
    counter = 0
    for root in list(successors):
        if root in index:
            continue
        index[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors.get(root, ())))]
        while work:
            node, targets = work[-1]
            descended = False
            for target in targets:
                if target not in index:
                    index[target] = lowlink[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(successors.get(target, ()))))
                    descended = True
                    break
                if target in on_stack:
                    lowlink[node] = min(lowlink[node], index[target])
            if descended:
                continue
            work.pop()
            if work:
                caller = work[-1][0]
                lowlink[caller] = min(lowlink[caller], lowlink[node])
            if lowlink[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def walk_component(members, successors):
    """The members of a strongly connected component, in the order a walk along its edges meets them.

    The walk starts at the first member by name and always takes the next member by name, so
    a simple loop comes out as the loop itself, the same way on every run.
    """
    by_pk = {member.pk: member for member in members}
    order_key = {member.pk: (member.name, member.sys_id_hex) for member in members}
    start = min(by_pk, key=order_key.__getitem__)
    ordered, seen, pending = [], set(), [start]
    while pending:
        pk = pending.pop()
        if pk in seen:
            continue
        seen.add(pk)
        ordered.append(by_pk[pk])
        inside = [child for child in successors.get(pk, ()) if child in by_pk and child not in seen]
        pending.extend(sorted(inside, key=order_key.__getitem__, reverse=True))
    return ordered


def records_by_pk(pks):
    """HealthRecords for the given CI pks, by pk, in as few queries as the database allows."""
    pks = sorted(set(pks))
    # SQLite caps bound parameters; PostgreSQL (max_query_params None) takes the whole list at once.
    batch_size = connection.features.max_query_params or len(pks) or 1
    found = {}
    for start in range(0, len(pks), batch_size):
        rows = ConfigurationItem.objects.filter(pk__in=pks[start : start + batch_size]).values_list(
            *RECORD_FIELDS
        )
        found.update((row[0], HealthRecord(*row)) for row in rows)
    return found
