"""The in-memory impact graph never answers from a stale state, whoever writes and however."""

import threading

import pytest
from django.db import connection, connections, transaction

from cmdb.models import ConfigurationItem, Relationship, RelationshipType
from impact import graph as impact_graph
from impact.engine import dependencies_of, impacted_by
from impact.graph import graph_for
from impact.graph_version import missing_triggers, trigger_names
from offerings.models import ServiceOffering
from tests.factories.cmdb import (
    ApplicationFactory,
    BusinessServiceFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    ServerFactory,
)
from tests.factories.offerings import ServiceOfferingFactory

DEPENDS_ON = "Depends on::Used by"


def depends(parent, child):
    return RelationshipFactory(parent=parent, child=child, type=RelationshipTypeFactory(name=DEPENDS_ON))


def in_another_connection(work):
    """Run `work()` in a thread, hence on a connection of its own, and commit it there."""
    failure = []

    def run():
        try:
            with transaction.atomic():
                work()
        except Exception as error:  # pragma: no cover - reported below
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


@pytest.mark.django_db(transaction=True)
def test_relationship_committed_by_another_connection_is_seen_by_the_next_call():
    server, application = ServerFactory(), ApplicationFactory()
    depends_on = RelationshipTypeFactory(name=DEPENDS_ON)
    assert set(impacted_by([server.pk]).impacted) == {server.pk}  # the graph is built here
    built = graph_for(connection)

    in_another_connection(
        lambda: Relationship.objects.create(
            parent_id=application.pk, child_id=server.pk, type_id=depends_on.pk
        )
    )

    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}
    assert graph_for(connection).version != built.version


@pytest.mark.django_db(transaction=True)
def test_rolled_back_write_changes_nothing_even_after_the_next_commit():
    server, application, database = ServerFactory(), ApplicationFactory(), ServerFactory()
    impacted_by([server.pk])
    with pytest.raises(RuntimeError), transaction.atomic():
        depends(application, server)
        # Inside the transaction the call sees its own write (and builds a graph of it).
        assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}
        raise RuntimeError("roll back")

    assert set(impacted_by([server.pk]).impacted) == {server.pk}
    # A counter would now hand the next commit the rolled-back transaction's version again, and the
    # graph built inside it would be taken for current.
    depends(application, database)
    assert set(impacted_by([server.pk]).impacted) == {server.pk}
    assert set(impacted_by([database.pk]).impacted) == {database.pk, application.pk}


@pytest.mark.django_db
def test_bulk_and_raw_writes_advance_the_version():
    server, application, service = ServerFactory(), ApplicationFactory(), BusinessServiceFactory()
    depends_on = RelationshipTypeFactory(name=DEPENDS_ON)
    impacted_by([server.pk])

    Relationship.objects.bulk_create([Relationship(parent=application, child=server, type=depends_on)])
    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}

    template = Relationship(parent=service, child=application, type=depends_on)
    columns = ["sys_id", "sys_created_on", "sys_updated_on", "parent", "child", "type"]
    fields = [Relationship._meta.get_field(name) for name in columns]
    values = [field.get_db_prep_save(field.pre_save(template, True), connection) for field in fields]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:  # the importer's way: a raw insert
        cursor.execute(
            f"INSERT INTO {q(Relationship._meta.db_table)} ({', '.join(q(field.column) for field in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))})",
            values,
        )
    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk, service.pk}

    Relationship.objects.filter(child=server).delete()
    assert set(impacted_by([server.pk]).impacted) == {server.pk}


@pytest.mark.django_db
def test_switching_a_type_off_with_update_is_seen():
    server, application = ServerFactory(), ApplicationFactory()
    depends(application, server)
    assert application.pk in impacted_by([server.pk]).impacted

    RelationshipType.objects.filter(name=DEPENDS_ON).update(propagates_impact=False)

    assert set(impacted_by([server.pk]).impacted) == {server.pk}


@pytest.mark.django_db
def test_moving_an_offering_to_another_service_with_update_is_seen():
    first, second = BusinessServiceFactory(), BusinessServiceFactory()
    offering = ServiceOfferingFactory(parent=first)
    assert first.pk in impacted_by([offering.pk]).impacted

    ServiceOffering.objects.filter(pk=offering.pk).update(parent=second)

    assert set(impacted_by([offering.pk]).impacted) == {offering.pk, second.pk}
    assert dependencies_of([second.pk]) == {second.pk: 0, offering.pk: 1}


@pytest.mark.django_db
def test_a_class_changed_with_update_is_counted_in_its_new_class(monkeypatch):
    from impact import graph_answers

    monkeypatch.setattr(graph_answers, "EAGER_DETAILS_LIMIT", 0)  # counts from the graph's classes
    server, application = ServerFactory(), ApplicationFactory()
    depends(application, server)
    assert impacted_by([server.pk]).count_of_class("cmdb_ci_appl") == 1

    ConfigurationItem.objects.filter(pk=application.pk).update(sys_class_name="cmdb_ci_service_auto")

    result = impacted_by([server.pk])
    assert (result.count_of_class("cmdb_ci_appl"), result.count_of_class("cmdb_ci_service_auto")) == (0, 1)


@pytest.mark.django_db
def test_a_ci_created_after_the_build_is_a_source():
    server = ServerFactory()
    impacted_by([server.pk])
    newcomer = ServerFactory(name="newcomer")  # no edge, so no new version

    result = impacted_by([newcomer.pk])

    assert result.source_ids == [newcomer.pk]
    assert result.impacted[newcomer.pk].name == "newcomer"
    assert dependencies_of([newcomer.pk]) == {newcomer.pk: 0}


@pytest.mark.django_db
def test_graph_over_the_memory_cap_leaves_the_answer_to_sql(settings, django_assert_max_num_queries):
    server, application = ServerFactory(), ApplicationFactory()
    depends(application, server)
    settings.IMPACT_GRAPH_MAX_MB = 1 / 1024 / 1024  # one byte

    assert graph_for(connection) is None
    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}


@pytest.mark.django_db
def test_graph_switched_off_runs_no_version_query(settings, django_assert_num_queries):
    settings.IMPACT_GRAPH_MAX_MB = 0
    with django_assert_num_queries(0):
        assert graph_for(connection) is None


@pytest.mark.django_db
def test_every_version_trigger_is_installed_after_migrating():
    assert trigger_names(connection)
    assert missing_triggers(connection) == []


@pytest.mark.django_db
def test_a_missing_trigger_leaves_the_answer_to_sql():
    server, application = ServerFactory(), ApplicationFactory()
    impact_graph.forget_graphs()
    name = trigger_names(connection)[0]
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {name} ON {Relationship._meta.db_table}")
        else:
            cursor.execute(f"DROP TRIGGER {name}")

    assert graph_for(connection) is None
    depends(application, server)
    assert set(impacted_by([server.pk]).impacted) == {server.pk, application.pk}
    impact_graph.forget_graphs()


@pytest.mark.django_db
def test_graph_counts_its_nodes_edges_and_memory():
    server, application = ServerFactory(), ApplicationFactory()
    offering = ServiceOfferingFactory()
    depends(application, server)
    depends(offering, application)

    graph = graph_for(connection)

    assert graph.node_count == ConfigurationItem.objects.count()
    assert graph.edge_count == 3  # two relationships and offering -> parent service
    assert 0 < graph.nbytes < 1024 * 1024


@pytest.mark.django_db
@pytest.mark.parametrize("vectorise_above", [0, 10_000])
def test_graph_walk_matches_the_sql_engine_on_a_random_graph(settings, monkeypatch, vectorise_above):
    import random

    monkeypatch.setattr(impact_graph, "VECTORISE_FRONTIER", vectorise_above)
    rng = random.Random(13)
    depends_on = RelationshipTypeFactory(name=DEPENDS_ON)
    cis = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(name=f"ci-{n}", sys_class_name="cmdb_ci_server") for n in range(300)
    )
    pairs = {(rng.choice(cis).pk, rng.choice(cis).pk) for _ in range(900)}
    Relationship.objects.bulk_create(
        Relationship(parent_id=parent, child_id=child, type=depends_on)
        for parent, child in pairs
        if parent != child
    )
    sources = [cis[0].pk, cis[1].pk]

    from_graph = impacted_by(sources, 6)
    graph_dependencies = dependencies_of(sources, 6)
    settings.IMPACT_GRAPH_MAX_MB = 0
    from_sql = impacted_by(sources, 6)

    def walked(result):
        return {pk: (ci.depth, ci.via) for pk, ci in result.impacted.items()}

    assert len(from_sql.impacted) > 50
    assert walked(from_graph) == walked(from_sql)
    assert graph_dependencies == dependencies_of(sources, 6)
