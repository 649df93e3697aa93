"""The impact engine on small hand-built graphs whose answers are known."""

import gc

import pytest

from cmdb.models import ConfigurationItem, Relationship
from impact import engine, graph_answers
from impact.engine import HARD_MAX_DEPTH, dependencies_of, impacted_by
from offerings.models import ServiceOffering
from tests.factories.cmdb import (
    ApplicationFactory,
    ApplicationServiceFactory,
    BusinessServiceFactory,
    CompanyFactory,
    ConfigurationItemFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    ServerFactory,
)
from tests.factories.offerings import (
    CompanySubscriptionFactory,
    DepartmentSubscriptionFactory,
    GroupSubscriptionFactory,
    LocationSubscriptionFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)
from tests.graph_helpers import map_every_graph

pytestmark = pytest.mark.django_db

DEPENDS_ON = "Depends on::Used by"
CONNECTS_TO = "Connects to::Connected by"  # a standard type that does not propagate impact


@pytest.fixture(autouse=True, params=["recursive", "breadth_first", "graph", "graph_lazy", "graph_files"])
def walk_strategy(request, monkeypatch, settings, tmp_path):
    """Every behaviour must hold for every way impacted_by walks: in SQL, one recursive query (small
    walks) or breadth first, one query per level (hubs); over the in-memory graph, with every detail
    fetched at once (small walks) or only those listed (hubs), and over read-only arrays mapped from
    the files another process saved."""
    if request.param in ("recursive", "breadth_first"):
        settings.IMPACT_GRAPH_MAX_MB = 0
    if request.param == "breadth_first":
        monkeypatch.setattr(engine, "RECURSIVE_WALK_ROW_LIMIT", 0)
    if request.param == "graph_lazy":
        monkeypatch.setattr(graph_answers, "EAGER_DETAILS_LIMIT", 0)
    if request.param == "graph_files":
        map_every_graph(tmp_path / "db", monkeypatch, settings)
    return request.param


def depends(parent, child, type_name=DEPENDS_ON):
    """`parent` depends on `child`: impact flows from child to parent."""
    return RelationshipFactory(parent=parent, child=child, type=RelationshipTypeFactory(name=type_name))


def chain(length):
    """CIs c0 <- c1 <- ... : each one depends on the one before, so c0 impacts them all."""
    cis = [ConfigurationItemFactory(name=f"c{index}") for index in range(length)]
    for child, parent in zip(cis, cis[1:], strict=False):
        depends(parent, child)
    return cis


def depths(result):
    return {pk: ci.depth for pk, ci in result.impacted.items()}


def assert_path_is_real(result, pk):
    """Every step of the path is an edge along which impact flows, from the source up to `pk`."""
    path = result.path(pk)
    assert path[0] in result.source_ids
    assert len(path) == result.impacted[pk].depth + 1
    for child_id, parent_id in zip(path, path[1:], strict=False):
        related = Relationship.objects.filter(
            child_id=child_id, parent_id=parent_id, type__propagates_impact=True
        ).exists()
        offered = ServiceOffering.objects.filter(pk=child_id, parent_id=parent_id).exists()
        assert related or offered, f"{child_id} -> {parent_id} is not an impact edge"


def test_chain_gives_every_ci_its_distance():
    cis = chain(4)

    result = impacted_by([cis[0].pk])

    assert depths(result) == {ci.pk: index for index, ci in enumerate(cis)}


def test_chain_path_runs_from_the_source_to_the_ci():
    cis = chain(4)

    result = impacted_by([cis[0].pk])

    assert result.path(cis[3].pk) == [ci.pk for ci in cis]


def test_path_sys_ids_are_32_hex_characters():
    cis = chain(3)

    result = impacted_by([cis[0].pk])

    assert result.path_sys_ids(cis[2].pk) == [ci.sys_id.hex for ci in cis]


def test_diamond_lists_a_ci_reached_twice_once_at_its_smallest_depth():
    source = ServerFactory()
    long_a, long_b, top = ApplicationFactory(), ApplicationFactory(), ApplicationServiceFactory()
    depends(long_a, source)
    depends(long_b, long_a)
    depends(top, long_b)
    depends(top, source)

    result = impacted_by([source.pk])

    assert result.impacted[top.pk].depth == 1
    assert result.path(top.pk) == [source.pk, top.pk]


def test_diamond_of_equal_branches_keeps_one_shortest_path():
    source, left, right, top = (ConfigurationItemFactory() for _ in range(4))
    depends(left, source)
    depends(right, source)
    depends(top, left)
    depends(top, right)

    result = impacted_by([source.pk])

    assert len(result.impacted) == 4
    assert result.path(top.pk) in ([source.pk, left.pk, top.pk], [source.pk, right.pk, top.pk])


def test_cycle_terminates_with_each_ci_once():
    a, b, c = chain(3)
    depends(a, c)  # c -> a closes the cycle a -> b -> c -> a

    result = impacted_by([a.pk])

    assert depths(result) == {a.pk: 0, b.pk: 1, c.pk: 2}


def test_cis_beyond_the_depth_cap_are_absent():
    cis = chain(5)

    result = impacted_by([cis[0].pk], max_depth=2)

    assert set(result.impacted) == {cis[0].pk, cis[1].pk, cis[2].pk}


def test_default_depth_comes_from_settings(settings):
    settings.IMPACT_MAX_DEPTH = 1
    cis = chain(3)

    result = impacted_by([cis[0].pk])

    assert (result.max_depth, set(result.impacted)) == (1, {cis[0].pk, cis[1].pk})


@pytest.mark.parametrize("max_depth", [0, -1, HARD_MAX_DEPTH + 1, 100])
def test_depth_outside_the_allowed_range_is_refused(max_depth):
    with pytest.raises(ValueError):
        impacted_by([1], max_depth=max_depth)


@pytest.mark.parametrize("max_depth", ["3", 2.5, True])
def test_depth_that_is_not_an_integer_is_refused(max_depth):
    with pytest.raises(ValueError):
        impacted_by([1], max_depth=max_depth)


def test_hard_maximum_depth_is_allowed():
    cis = chain(2)

    result = impacted_by([cis[0].pk], max_depth=HARD_MAX_DEPTH)

    assert result.max_depth == HARD_MAX_DEPTH


def test_non_propagating_relationships_are_ignored():
    source, connected, dependent = ServerFactory(), ServerFactory(), ApplicationFactory()
    depends(connected, source, type_name=CONNECTS_TO)
    depends(dependent, source)

    result = impacted_by([source.pk])

    assert set(result.impacted) == {source.pk, dependent.pk}


def test_relationship_of_a_type_switched_off_is_ignored():
    source, parent = ServerFactory(), ApplicationFactory()
    relationship = depends(parent, source, type_name="Feeds::Fed by")
    relationship.type.propagates_impact = False
    relationship.type.save()

    result = impacted_by([source.pk])

    assert set(result.impacted) == {source.pk}


def test_impact_does_not_flow_from_parent_to_child():
    child, parent = ServerFactory(), ApplicationFactory()
    depends(parent, child)

    result = impacted_by([parent.pk])

    assert set(result.impacted) == {parent.pk}


def test_multiple_sources_measure_depth_from_the_nearest():
    cis = chain(5)

    result = impacted_by([cis[0].pk, cis[3].pk])

    assert depths(result) == {cis[0].pk: 0, cis[1].pk: 1, cis[2].pk: 2, cis[3].pk: 0, cis[4].pk: 1}


def test_source_reached_from_another_source_stays_at_depth_zero():
    cis = chain(3)

    result = impacted_by([cis[0].pk, cis[1].pk])

    assert (result.impacted[cis[1].pk].depth, result.impacted[cis[1].pk].via) == (0, None)


def test_offering_impacts_its_parent_service():
    application_service = ApplicationServiceFactory()
    offering = ServiceOfferingFactory()
    depends(offering, application_service)

    result = impacted_by([application_service.pk])

    assert result.path(offering.parent_id) == [application_service.pk, offering.pk, offering.parent_id]


def test_offering_records_its_parent_service():
    offering = ServiceOfferingFactory()

    result = impacted_by([offering.pk])

    assert result.impacted[offering.pk].parent_id == offering.parent_id


def test_service_source_is_at_depth_zero_with_a_path_of_one():
    service = BusinessServiceFactory()

    result = impacted_by([service.pk])

    assert (result.impacted[service.pk].depth, result.path(service.pk)) == (0, [service.pk])


def test_ci_is_classified_by_its_sys_class_name():
    server = ServerFactory()
    service, offering = ApplicationServiceFactory(), ServiceOfferingFactory()
    depends(service, server)
    depends(offering, service)

    result = impacted_by([server.pk])

    assert [ci.id for ci in result.of_class("service_offering", "cmdb_ci_service_business")] == [
        offering.pk,
        offering.parent_id,
    ]


def test_imported_class_without_subclass_keeps_its_class_name():
    linux = ConfigurationItem.objects.create(name="lnx-01", sys_class_name="cmdb_ci_linux_server")

    result = impacted_by([linux.pk])

    assert result.impacted[linux.pk].sys_class_name == "cmdb_ci_linux_server"


def test_impacted_ci_carries_name_and_sys_id():
    server = ServerFactory(name="srv-core-01")

    ci = impacted_by([server.pk]).impacted[server.pk]

    assert (ci.name, ci.sys_id) == ("srv-core-01", server.sys_id)


def test_unknown_source_ids_are_ignored():
    server = ServerFactory()

    result = impacted_by([server.pk, server.pk + 1000])

    assert (result.source_ids, list(result.impacted)) == ([server.pk], [server.pk])


def test_source_ids_keep_the_given_order_without_duplicates():
    first, second = ServerFactory(), ServerFactory()

    result = impacted_by([second.pk, first.pk, second.pk])

    assert result.source_ids == [second.pk, first.pk]


def test_no_source_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        result = impacted_by([])

    assert (result.impacted, result.subscribers["users"]) == ({}, [])


def test_subscribers_of_every_kind_of_impacted_offerings():
    server = ServerFactory()
    offering = ServiceOfferingFactory()
    depends(offering, server)
    subscriptions = [
        UserSubscriptionFactory(service_offering=offering),
        CompanySubscriptionFactory(service_offering=offering),
        DepartmentSubscriptionFactory(service_offering=offering),
        LocationSubscriptionFactory(service_offering=offering),
        GroupSubscriptionFactory(service_offering=offering),
    ]

    subscribers = impacted_by([server.pk]).subscribers

    assert {key: [s.id for s in found] for key, found in subscribers.items()} == {
        "users": [subscriptions[0].user_id],
        "companies": [subscriptions[1].company_id],
        "departments": [subscriptions[2].department_id],
        "locations": [subscriptions[3].location_id],
        "groups": [subscriptions[4].group_id],
    }


def test_subscriber_of_two_impacted_offerings_is_listed_once():
    server, company = ServerFactory(), CompanyFactory()
    for offering in ServiceOfferingFactory.create_batch(2):
        depends(offering, server)
        CompanySubscriptionFactory(service_offering=offering, company=company)

    subscribers = impacted_by([server.pk]).subscribers

    assert [s.id for s in subscribers["companies"]] == [company.pk]


def test_subscribers_of_a_source_offering_are_included():
    subscription = UserSubscriptionFactory()

    subscribers = impacted_by([subscription.service_offering_id]).subscribers

    assert [s.id for s in subscribers["users"]] == [subscription.user_id]


def test_subscribers_of_offerings_not_impacted_are_left_out():
    server = ServerFactory()
    UserSubscriptionFactory()  # its offering does not depend on the server

    subscribers = impacted_by([server.pk]).subscribers

    assert subscribers["users"] == []


def test_subscribers_are_sorted_by_name():
    offering = ServiceOfferingFactory()
    for name in ("Zeta", "alpha", "Mu"):
        CompanySubscriptionFactory(service_offering=offering, company__name=name)

    subscribers = impacted_by([offering.pk]).subscribers

    assert [s.name for s in subscribers["companies"]] == ["alpha", "Mu", "Zeta"]


def test_user_subscriber_carries_full_name_and_user_name():
    subscription = UserSubscriptionFactory(
        user__username="jdoe", user__first_name="Jane", user__last_name="Doe"
    )

    (user,) = impacted_by([subscription.service_offering_id]).subscribers["users"]

    assert (user.name, user.user_name, user.sys_id) == ("Jane Doe", "jdoe", subscription.user.sys_id)


def test_every_path_is_made_of_real_edges():
    server = ServerFactory()
    database, application = ServerFactory(), ApplicationFactory()
    services = ApplicationServiceFactory.create_batch(2)
    offering = ServiceOfferingFactory()
    depends(database, server, type_name="Runs on::Runs")
    depends(application, database)
    depends(application, server, type_name="Runs on::Runs")
    depends(services[0], application)
    depends(services[1], services[0])
    depends(services[0], services[1])  # a cycle between the two services
    depends(offering, services[1])
    depends(server, offering, type_name=CONNECTS_TO)  # a non-propagating way back down

    result = impacted_by([server.pk])

    assert len(result.impacted) == 7  # the six above the server and the offering's parent service
    for pk in result.impacted:
        assert_path_is_real(result, pk)


def test_path_of_a_ci_not_impacted_raises_key_error():
    server = ServerFactory()

    with pytest.raises(KeyError):
        impacted_by([server.pk]).path(server.pk + 1000)


def test_dependencies_walk_down_from_parent_to_child():
    cis = chain(4)

    assert dependencies_of([cis[3].pk]) == {cis[3].pk: 0, cis[2].pk: 1, cis[1].pk: 2, cis[0].pk: 3}


def test_dependencies_include_offerings_of_a_service_and_what_they_run_on():
    offering = ServiceOfferingFactory()
    application_service = ApplicationServiceFactory()
    depends(offering, application_service)

    assert dependencies_of([offering.parent_id]) == {
        offering.parent_id: 0,
        offering.pk: 1,
        application_service.pk: 2,
    }


def test_dependencies_ignore_non_propagating_relationships_and_respect_the_cap():
    cis = chain(4)
    loose = ServerFactory()
    depends(cis[3], loose, type_name=CONNECTS_TO)

    assert dependencies_of([cis[3].pk], max_depth=2) == {cis[3].pk: 0, cis[2].pk: 1, cis[1].pk: 2}


def test_dependencies_survive_a_cycle():
    a, b, c = chain(3)
    depends(a, c)

    assert dependencies_of([a.pk]) == {a.pk: 0, c.pk: 1, b.pk: 2}


def test_dependencies_refuse_a_depth_beyond_the_hard_maximum():
    with pytest.raises(ValueError):
        dependencies_of([1], max_depth=HARD_MAX_DEPTH + 1)


def test_dependencies_ignore_unknown_ids():
    server = ServerFactory()

    assert dependencies_of([server.pk, server.pk + 1000]) == {server.pk: 0}


def test_walk_leaves_the_garbage_collector_enabled():
    cis = chain(3)

    impacted_by([cis[0].pk])

    assert gc.isenabled()


def test_walk_beyond_the_recursive_row_limit_gives_the_same_answer(monkeypatch):
    cis = chain(6)
    depends(cis[5], cis[2])  # a shortcut, so that depth and path matter
    expected = impacted_by([cis[0].pk])
    monkeypatch.setattr(engine, "RECURSIVE_WALK_ROW_LIMIT", 3)

    result = impacted_by([cis[0].pk])

    assert [(ci.id, ci.depth, ci.via) for ci in result.impacted.values()] == [
        (ci.id, ci.depth, ci.via) for ci in expected.impacted.values()
    ]
