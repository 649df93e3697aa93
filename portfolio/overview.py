"""What the owner pages show: the portfolio tree with a health mark per service, and one service's page.

Both are assembled here, with a query count that does not depend on how many months, weeks or
outages are shown; the views only parse the request and render what these functions return.
"""

from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, F
from django.utils import timezone

from cmdb.models import BusinessService, ConfigurationItem, Service, ci_models_by_class
from impact.edges import offerings_with_parent, propagating_relationships
from impact.models import Outage
from offerings.models import ServiceOffering
from portfolio import health
from portfolio.availability import (
    ServiceAvailability,
    as_offering,
    availability_of_services,
    current_month,
)
from portfolio.charts import (
    DEPENDENCY_LAYOUT,
    GraphNode,
    availability_chart,
    dependency_picture,
    incidents_chart,
)
from portfolio.models import Initiative, PortfolioNode
from portfolio.trends import incidents_impacting, service_trends

# The data-health checks whose findings are about a service or one of its offerings.
SERVICE_HEALTH_CHECKS = (
    "business_service_without_offering",
    "business_offering_without_application_service",
    "offering_without_commitments",
    "offering_without_subscribers",
    "service_without_owner",
)


# --- who sees what -----------------------------------------------------------------------------------


# The one rule for the owner pages and the availability/trends API (issue 10): a service's figures are
# computed from the service records and their outages, so whoever may read both reads every service's
# figures; anyone else reads only the services they own.
SERVICE_FIGURES_PERMISSIONS = ("cmdb.view_service", "impact.view_outage")


def reads_every_service(user) -> bool:
    return user.has_perms(SERVICE_FIGURES_PERMISSIONS)


def shows_only_own_services(user, mine_requested):
    """Who reads every service sees all unless they ask for their own; everybody else sees only their own."""
    return mine_requested or not reads_every_service(user)


def can_view_service(user, service) -> bool:
    """May `user` read this service's owner page and its availability and trends (web and API alike)?"""
    return reads_every_service(user) or (service.owned_by_id is not None and service.owned_by_id == user.pk)


def class_label(sys_class_name):
    """ "Business service" for cmdb_ci_service_business; the table name for classes without a model."""
    model = ci_models_by_class().get(sys_class_name)
    return model._meta.verbose_name.capitalize() if model else sys_class_name


# --- the portfolio tree ------------------------------------------------------------------------------


@dataclass
class ServiceHealth:
    """The mark a service gets in the portfolio tree."""

    service: BusinessService
    availability: ServiceAvailability
    problems: list[str] = field(default_factory=list)  # titles of failed data-health checks

    @property
    def breached(self):
        return [result for result in self.availability.commitments if not result.met]

    @property
    def status(self):
        if self.availability.open_outages or self.breached:
            return "bad"
        if self.problems or self.availability.figures.downtime_seconds:
            return "warn"
        return "ok"

    @property
    def summary(self):
        parts = []
        if self.availability.open_outages:
            parts.append(f"{self.availability.open_outages} open outage(s)")
        if self.breached:
            parts.append("commitment breached")
        if self.problems:
            parts.append(f"{len(self.problems)} data problem(s)")
        if not parts and self.availability.figures.downtime_seconds:
            parts.append("outages this month")
        return ", ".join(parts) or "healthy"


@dataclass
class TreeEntry:
    """A portfolio node with the business services under it and its child nodes."""

    node: PortfolioNode | None  # None: the services that sit in no portfolio
    services: list[ServiceHealth] = field(default_factory=list)  # those listed on this page
    children: list["TreeEntry"] = field(default_factory=list)
    own_total: int = 0  # business services in this node itself, on every page

    @property
    def service_count(self):
        """Business services in this subtree, on every page."""
        return self.own_total + sum(child.service_count for child in self.children)

    @property
    def listed_count(self):
        """Business services of this subtree listed on this page."""
        return len(self.services) + sum(child.listed_count for child in self.children)

    @property
    def problem_count(self):
        own = sum(1 for entry in self.services if entry.status == "bad")
        return own + sum(child.problem_count for child in self.children)


@dataclass
class PortfolioOverview:
    """The tree, and counts across it."""

    roots: list[TreeEntry]
    health: dict[int, ServiceHealth]  # the services listed on this page
    month_start: object
    only_own: bool
    page: object = None  # the django Page of services listed; None when every service is listed
    service_total: int = 0

    def count(self, status):
        return sum(1 for entry in self.health.values() if entry.status == status)

    @property
    def counts(self):
        return {status: self.count(status) for status in ("ok", "warn", "bad")}


def data_problems_by_service(services):
    """Service pk -> titles of the data-health checks it or one of its offerings fails.

    The checks look at these services and their offerings only: the cost follows the listed
    services, not the size of the portfolio.
    """
    service_ids = {service.pk for service in services}
    parent_of = dict(ServiceOffering.objects.filter(parent_id__in=service_ids).values_list("pk", "parent_id"))
    problems = {}
    for check in health.selected_checks(SERVICE_HEALTH_CHECKS):
        for record in check.find().among([*service_ids, *parent_of]):
            owner_pk = record.pk if record.pk in service_ids else parent_of.get(record.pk)
            if owner_pk is not None and check.title not in problems.setdefault(owner_pk, []):
                problems[owner_pk].append(check.title)
    return problems


# Business services listed per page of /portfolio/: the marks cost queries in proportion to them.
PORTFOLIO_PAGE_SIZE = 200


def portfolio_overview(user, mine_requested=False, now=None, page_number=1):
    """The portfolio tree the user may see, each business service of page `page_number` (in tree
    order, then by name) marked with this month's health; node counts cover every page."""
    now = now or timezone.now()
    only_own = shows_only_own_services(user, mine_requested)
    services = BusinessService.objects.select_related("owned_by")
    if only_own:
        services = services.filter(owned_by=user)
    totals = dict(services.order_by().values_list("portfolio").annotate(Count("pk")))
    paginator = Paginator(
        services.order_by(F("portfolio__tree_id").asc(nulls_last=True), "portfolio__lft", "name", "pk"),
        PORTFOLIO_PAGE_SIZE,
    )
    page = paginator.get_page(page_number)
    services = list(page.object_list)
    month_start, month_end = current_month(now)
    availability = availability_of_services(services, month_start, month_end, now=now)
    problems = data_problems_by_service(services)
    marks = {
        service.pk: ServiceHealth(service, availability[service.pk], problems.get(service.pk, []))
        for service in services
    }

    entries = {
        node.pk: TreeEntry(node, own_total=totals.get(node.pk, 0))
        for node in PortfolioNode.objects.order_by("tree_id", "lft")
    }
    unfiled = TreeEntry(None, own_total=totals.get(None, 0))
    for service in services:
        entries.get(service.portfolio_id, unfiled).services.append(marks[service.pk])
    roots = []
    for entry in entries.values():
        parent = entries.get(entry.node.parent_id)
        (parent.children if parent else roots).append(entry)
    paged = paginator.num_pages > 1
    if only_own or paged:
        roots = prune_empty(roots, listed_only=paged)
    if unfiled.services:
        roots.append(unfiled)
    return PortfolioOverview(
        roots=roots,
        health=marks,
        month_start=month_start,
        only_own=only_own,
        page=page if paged else None,
        service_total=paginator.count,
    )


def prune_empty(entries, listed_only=False):
    """Entries with at least one service in their subtree (listed on this page, with `listed_only`),
    their children pruned the same way."""
    kept = []
    for entry in entries:
        entry.children = prune_empty(entry.children, listed_only)
        if entry.listed_count if listed_only else entry.service_count:
            kept.append(entry)
    return kept


# --- one service -------------------------------------------------------------------------------------


@dataclass
class OfferingRow:
    """An offering on the service page: its commitments and how the availability ones did this month."""

    offering: ServiceOffering
    commitments: list
    results: list


@dataclass
class ServicePage:
    """Everything the service page shows."""

    service: Service
    class_label: str
    is_offering: bool
    this_month: ServiceAvailability
    offerings: list[OfferingRow]
    trends: object
    availability_svg: str
    incidents_svg: str
    target: object
    open_outages: list
    recent_outages: list
    recent_incidents: list
    initiatives: list
    dependency_svg: str
    dependency_count: int


def strictest_target(commitment_pairs):
    """The highest availability target among (offering, commitment) pairs, or None."""
    targets = [commitment.target_value for _offering, commitment in commitment_pairs]
    return max(targets, default=None)


def offering_rows(service, results):
    """The service's offerings (or the offering itself) with every commitment they carry."""
    offering = as_offering(service)
    if offering is not None:
        offerings = ServiceOffering.objects.filter(pk=offering.pk)
    else:
        offerings = ServiceOffering.objects.filter(parent=service)
    offerings = offerings.prefetch_related("offering_commitments__service_commitment").order_by("name")
    return [
        OfferingRow(
            offering=item,
            commitments=[row.service_commitment for row in item.offering_commitments.all()],
            results=[result for result in results if result.offering.pk == item.pk],
        )
        for item in offerings
    ]


def dependency_nodes(timeline, max_per_layer=DEPENDENCY_LAYOUT.max_per_layer):
    """The CIs below the service as GraphNodes, and the edges among those that will be drawn."""
    depths = timeline.depths
    rows = ConfigurationItem.objects.filter(pk__in=list(depths)).values_list("pk", "name", "sys_class_name")
    open_ids = {span.ci_id for span in timeline.spans if span.end is None}
    touched_ids = {span.ci_id for span in timeline.spans}
    nodes = [
        GraphNode(
            pk=pk,
            name=name,
            class_label=class_label(sys_class_name),
            depth=depths[pk],
            tone="bad" if pk in open_ids else ("warn" if pk in touched_ids else ""),
        )
        for pk, name, sys_class_name in rows
    ]
    drawn = set()
    by_depth = {}
    for node in sorted(nodes, key=lambda node: (node.tone != "bad", node.name.lower())):
        by_depth.setdefault(node.depth, []).append(node.pk)
    for pks in by_depth.values():
        drawn.update(pks[:max_per_layer])
    edges = list(
        propagating_relationships()
        .filter(parent_id__in=drawn, child_id__in=drawn)
        .values_list("parent_id", "child_id")
    )
    edges += offerings_with_parent().filter(pk__in=drawn, parent_id__in=drawn).values_list("parent_id", "pk")
    return nodes, edges


def initiatives_of(service):
    """The service's initiatives, active ones first, each group by target date."""
    initiatives = Initiative.objects.filter(service=service).select_related("owner")
    return sorted(
        initiatives,
        key=lambda item: (not item.is_active, item.target_date is None, item.target_date, item.title),
    )


def service_page(service, now=None):
    """The service page of `service` (any Service: business, technical, application, offering)."""
    now = now or timezone.now()
    trends = service_trends(service, now=now)
    timeline = trends.timeline
    month_start, month_end = current_month(now)
    this_month = timeline.availability(month_start, month_end)
    target = strictest_target(timeline.commitments)
    ci_ids = timeline.ci_ids_by_target[timeline.service.pk]
    outages = Outage.objects.filter(cmdb_ci_id__in=sorted(ci_ids)).select_related("cmdb_ci", "task")
    nodes, edges = dependency_nodes(timeline)
    return ServicePage(
        service=service,
        class_label=class_label(service.sys_class_name),
        is_offering=as_offering(service) is not None,
        this_month=this_month,
        offerings=offering_rows(timeline.service, this_month.commitments),
        trends=trends,
        availability_svg=availability_chart(trends.months, target),
        incidents_svg=incidents_chart(trends.weeks),
        target=target,
        open_outages=list(outages.open().order_by("-begin")),
        recent_outages=list(
            outages.closed().filter(begin__gte=trends.months[0].start).order_by("-begin")[:10]
        ),
        recent_incidents=list(
            incidents_impacting(service).select_related("cmdb_ci").order_by("-opened_at")[:5]
        ),
        initiatives=initiatives_of(service),
        dependency_svg=dependency_picture(nodes, edges),
        dependency_count=len(nodes) - 1,
    )
