"""What an impact edge is: the one place that says along which links impact flows.

Impact flows from child to parent along relationships whose type propagates impact, and from a
service offering to its parent service, a reference rather than a relationship row (DESIGN.md). The
engine's SQL, the health checks' cycle search, the owner pages' dependency picture and the benchmark
all take their edges from here, so that a change of that rule is made once.
"""

from cmdb.models import ConfigurationItem, Relationship, RelationshipType
from core.sql import id_in, in_subquery
from offerings.models import ServiceOffering


def propagating_relationships(queryset=None):
    """The relationships along which impact flows, from child to parent."""
    return (Relationship.objects.all() if queryset is None else queryset).filter(type__propagates_impact=True)


def offerings_with_parent(queryset=None):
    """The offerings whose impact flows to their parent service."""
    return (ServiceOffering.objects.all() if queryset is None else queryset).filter(parent__isnull=False)


def reliance_edges():
    """(parent pk, child pk) for every impact edge (impact flows from child to parent), in one query."""
    relationships = propagating_relationships().order_by().values_list("parent_id", "child_id")
    offerings = offerings_with_parent().order_by().values_list("parent_id", "pk")
    return relationships.union(offerings, all=True)


def all_edges_sql(connection) -> str:
    """The query of every impact edge as (child pk, parent pk) bigint rows, without parameters.

    An impact edge: a relationship whose type propagates impact (impact flows from child to parent),
    and a service offering -> its parent service. The in-memory graph is built from it.
    """
    q = connection.ops.quote_name
    rel, rel_type, offering = Relationship._meta, RelationshipType._meta, ServiceOffering._meta
    return (
        f"SELECT CAST(r.{q(rel.get_field('child').column)} AS bigint),"
        f" CAST(r.{q(rel.get_field('parent').column)} AS bigint)"
        f" FROM {q(rel.db_table)} r INNER JOIN {q(rel_type.db_table)} t"
        f" ON t.{q(rel_type.pk.column)} = r.{q(rel.get_field('type').column)}"
        f" WHERE t.{q(rel_type.get_field('propagates_impact').column)}"
        f" UNION ALL SELECT CAST(o.{q(offering.pk.column)} AS bigint),"
        f" CAST(o.{q(offering.get_field('parent').column)} AS bigint)"
        f" FROM {q(offering.db_table)} o WHERE o.{q(offering.get_field('parent').column)} IS NOT NULL"
    )


class EdgeSql:
    """The impact edges in SQL, and the quoted table and column names they need (from the models' _meta)."""

    def __init__(self, connection):
        q = connection.ops.quote_name
        ci, rel, rel_type, offering = (
            ConfigurationItem._meta,
            Relationship._meta,
            RelationshipType._meta,
            ServiceOffering._meta,
        )
        self.connection = connection
        self.ci = q(ci.db_table)
        self.ci_pk = q(ci.pk.column)
        self.ci_sys_id = q(ci.get_field("sys_id").column)
        self.ci_name = q(ci.get_field("name").column)
        self.ci_class = q(ci.get_field("sys_class_name").column)
        self.rel = q(rel.db_table)
        self.rel_parent = q(rel.get_field("parent").column)
        self.rel_child = q(rel.get_field("child").column)
        self.rel_type = q(rel.get_field("type").column)
        self.type = q(rel_type.db_table)
        self.type_pk = q(rel_type.pk.column)
        self.type_propagates = q(rel_type.get_field("propagates_impact").column)
        self.offering = q(offering.db_table)
        self.offering_pk = q(offering.pk.column)
        self.offering_parent = q(offering.get_field("parent").column)
        # Propagation is a property of the type: the level queries take the set of such types.
        propagating_types = f"SELECT t.{self.type_pk} FROM {self.type} t WHERE t.{self.type_propagates} = %s"
        self.propagates = in_subquery(f"r.{self.rel_type}", propagating_types, connection)

    def edges_leaving(self, frontier_ids, rel_from, rel_to, offering_from, offering_to):
        """(query, params) of the edges that leave the frontier, as (reached pk, frontier pk) rows: the
        relationships of propagating types from column `rel_from` to `rel_to`, and the offerings
        from `offering_from` to `offering_to` (an offering without a parent service has no edge)."""
        relationships, params = id_in(f"r.{rel_from}", frontier_ids, self.connection)
        offerings, offering_params = id_in(f"o.{offering_from}", frontier_ids, self.connection)
        # Edges, not an aggregate per reached CI: _walk de-duplicates anyway, and a GROUP BY over a
        # big frontier spilled its hash table to disk with the default work_mem.
        query = (
            f"SELECT r.{rel_to}, r.{rel_from} FROM {self.rel} r"
            f" WHERE {self.propagates} AND {relationships}"
            f" UNION ALL SELECT o.{offering_to}, o.{offering_from} FROM {self.offering} o"
            f" WHERE o.{self.offering_parent} IS NOT NULL AND {offerings}"
        )
        return query, [True, *params, *offering_params]
