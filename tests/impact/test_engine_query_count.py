"""The engine's query count depends on the depth of the walk, never on the size of the graph."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmdb.models import ConfigurationItem, Relationship
from impact import engine
from impact.engine import dependencies_of, impacted_by
from tests.factories.cmdb import RelationshipTypeFactory
from tests.factories.offerings import CompanySubscriptionFactory, ServiceOfferingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sql_engine(settings):
    """The SQL engine's own query counts: the in-memory graph off."""
    settings.IMPACT_GRAPH_MAX_MB = 0


def layered_graph(width):
    """source <- `width` servers <- `width` applications <- one offering <- its business service.

    Every level is a single frontier, so the walk has the same depth whatever the width. Rows are
    bulk-created (set sys_class_name by hand: bulk_create skips save()).
    """
    depends_on = RelationshipTypeFactory(name="Depends on::Used by")
    source = ConfigurationItem.objects.create(name="core switch", sys_class_name="cmdb_ci_ip_switch")
    servers = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"srv-{n}", sys_class_name="cmdb_ci_server") for n in range(width)
    )
    applications = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"app-{n}", sys_class_name="cmdb_ci_appl") for n in range(width)
    )
    offering = ServiceOfferingFactory()
    CompanySubscriptionFactory(service_offering=offering)
    edges = [(server, source) for server in servers]
    edges += zip(applications, servers, strict=True)
    edges += [(offering, application) for application in applications]
    Relationship.objects.bulk_create(
        (Relationship(parent=parent, child=child, type=depends_on) for parent, child in edges),
        batch_size=2000,
    )
    return source, 1 + 2 * width + 2


def queries_of(function, *args):
    with CaptureQueriesContext(connection) as queries:
        result = function(*args)
    return len(queries), result


def test_impacted_by_issues_as_many_queries_for_10_cis_as_for_10000(monkeypatch, sql_engine):
    # Both walks exceed the recursive attempt's row cap, so both take the breadth-first path of hubs.
    monkeypatch.setattr(engine, "RECURSIVE_WALK_ROW_LIMIT", 5)
    small_source, small_size = layered_graph(4)
    big_source, big_size = layered_graph(5000)

    small_count, small = queries_of(impacted_by, [small_source.pk])
    big_count, big = queries_of(impacted_by, [big_source.pk])

    assert (len(small.impacted), len(big.impacted)) == (small_size, big_size)
    assert small_count == big_count


def test_impacted_by_on_10000_cis_stays_within_one_query_per_level_plus_three(sql_engine):
    source, _size = layered_graph(5000)

    count, result = queries_of(impacted_by, [source.pk], 4)

    assert max(ci.depth for ci in result.impacted.values()) == 4
    assert count <= 4 + 3


def test_small_walk_takes_one_query(sql_engine):
    source, size = layered_graph(4)

    count, result = queries_of(impacted_by, [source.pk])

    assert (len(result.impacted), len(result.subscribers["companies"]), count) == (size, 1, 1)


def test_impacted_by_issues_at_most_one_query_per_level_plus_two(monkeypatch, sql_engine):
    monkeypatch.setattr(engine, "RECURSIVE_WALK_ROW_LIMIT", 0)
    source, _size = layered_graph(50)

    count, result = queries_of(impacted_by, [source.pk], 3)

    assert max(ci.depth for ci in result.impacted.values()) == 3
    assert count <= 3 + 2


def test_dependencies_of_issues_as_many_queries_for_10_cis_as_for_10000(sql_engine):
    small_source, _ = layered_graph(4)
    big_source, _ = layered_graph(5000)
    small_top = impacted_by([small_source.pk]).of_class("cmdb_ci_service_business")[0].id
    big_top = impacted_by([big_source.pk]).of_class("cmdb_ci_service_business")[0].id

    small_count, small = queries_of(dependencies_of, [small_top])
    big_count, big = queries_of(dependencies_of, [big_top])

    assert (len(small), len(big)) == (11, 10_003)
    assert small_count == big_count


def test_graph_answers_in_one_query_for_10_cis_as_for_10000(monkeypatch):
    # The details (all of them for the small walk, the source's for the hub, whose counts come from
    # the graph) with the subscribers and the graph version, in one query.
    small_source, small_size = layered_graph(4)
    big_source, big_size = layered_graph(5000)
    impacted_by([small_source.pk])  # builds the graph

    small_count, small = queries_of(impacted_by, [small_source.pk])
    big_count, big = queries_of(impacted_by, [big_source.pk])

    assert (len(small.impacted), len(big.impacted)) == (small_size, big_size)
    assert (small_count, big_count) == (1, 1)
    assert (len(small.subscribers["companies"]), len(big.subscribers["companies"])) == (1, 1)


def test_graph_dependencies_of_issues_as_many_queries_for_10_cis_as_for_10000():
    small_source, _ = layered_graph(4)
    big_source, _ = layered_graph(5000)
    small_top = impacted_by([small_source.pk]).of_class("cmdb_ci_service_business")[0].id
    big_top = impacted_by([big_source.pk]).of_class("cmdb_ci_service_business")[0].id

    small_count, small = queries_of(dependencies_of, [small_top])
    big_count, big = queries_of(dependencies_of, [big_top])

    assert (len(small), len(big)) == (11, 10_003)
    assert small_count == big_count == 1
