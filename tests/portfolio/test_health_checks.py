from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmdb.models import ConfigurationItem, Relationship
from offerings.models import ServiceOffering
from portfolio.health import CHECKS, Cycle, run_checks, strongly_connected_components
from tests.factories.cmdb import (
    ApplicationServiceFactory,
    BusinessApplicationFactory,
    BusinessServiceFactory,
    GroupFactory,
    ProductModelFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    ServerFactory,
    TechnicalServiceFactory,
    UserFactory,
)
from tests.factories.offerings import (
    CompanySubscriptionFactory,
    DepartmentSubscriptionFactory,
    GroupSubscriptionFactory,
    LocationSubscriptionFactory,
    OfferingCommitmentFactory,
    ServiceOfferingFactory,
    UserSubscriptionFactory,
)
from tests.graph_helpers import map_every_graph

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["graph", "graph_files", "sql"])
def engine(request, settings, monkeypatch, tmp_path):
    """Every check runs three times: answered with the in-memory impact graph's help (built here, or
    mapped from the files another process saved), and by SQL alone."""
    if request.param == "sql":
        settings.IMPACT_GRAPH_MAX_MB = 0
    if request.param == "graph_files":
        map_every_graph(tmp_path / "db", monkeypatch, settings)
    return request.param


BUSINESS = ServiceOffering.Classification.BUSINESS
TECHNICAL = ServiceOffering.Classification.TECHNICAL


def depends_on(parent, child):
    return RelationshipFactory(
        parent=parent, child=child, type=RelationshipTypeFactory(name="Depends on::Used by")
    )


def found(key):
    """Names of what the check `key` reports (cycles as "A → B → A")."""
    return [str(record) for record in CHECKS[key].find()]


def healthy_offering(parent, classification=BUSINESS, **fields):
    """An offering with everything CSDM asks of one: commitments, a subscriber, a model, support."""
    offering = ServiceOfferingFactory(
        parent=parent,
        classification=classification,
        model=ProductModelFactory(),
        support_group=GroupFactory(),
        **fields,
    )
    OfferingCommitmentFactory(service_offering=offering)
    CompanySubscriptionFactory(service_offering=offering)
    return offering


@pytest.fixture
def portfolio():
    """A little portfolio that passes every check: business service → business offering → application
    service → server, and a technical service whose technical offering contains the application service.
    """
    owner = UserFactory()
    application_service = ApplicationServiceFactory(
        name="Mail stack", owned_by=owner, model=ProductModelFactory()
    )
    server = ServerFactory(name="mail-01")
    RelationshipFactory(
        parent=application_service, child=server, type=RelationshipTypeFactory(name="Runs on::Runs")
    )
    business_service = BusinessServiceFactory(name="Email", owned_by=owner, model=ProductModelFactory())
    business_offering = healthy_offering(business_service, name="Email for staff")
    depends_on(business_offering, application_service)
    technical_service = TechnicalServiceFactory(name="Hosting", owned_by=owner, model=ProductModelFactory())
    technical_offering = healthy_offering(technical_service, TECHNICAL, name="Linux hosting")
    RelationshipFactory(
        parent=technical_offering,
        child=application_service,
        type=RelationshipTypeFactory(name="Contains::Contained by"),
    )
    return SimpleNamespace(
        owner=owner,
        business_service=business_service,
        business_offering=business_offering,
        application_service=application_service,
        server=server,
        technical_service=technical_service,
        technical_offering=technical_offering,
    )


def test_the_clean_portfolio_passes_every_check(portfolio):
    assert {result.check.key: result.records for result in run_checks()} == {key: [] for key in CHECKS}


def test_checks_run_in_their_documented_order():
    assert list(CHECKS) == [
        "business_service_without_offering",
        "offering_without_parent",
        "business_offering_without_application_service",
        "technical_offering_without_support_group",
        "offering_without_commitments",
        "offering_without_subscribers",
        "service_without_owner",
        "logical_ci_without_product_model",
        "ci_without_relationship",
        "relationship_cycle",
    ]


def test_run_checks_runs_only_the_named_checks(portfolio):
    results = run_checks(["relationship_cycle", "offering_without_parent"])
    assert [result.check.key for result in results] == ["offering_without_parent", "relationship_cycle"]


def test_run_checks_refuses_an_unknown_key():
    with pytest.raises(KeyError):
        run_checks(["no_such_check"])


def test_business_service_without_offering_is_found_until_it_gets_one(portfolio):
    payroll = BusinessServiceFactory(name="Payroll", owned_by=portfolio.owner)
    assert found("business_service_without_offering") == ["Payroll"]
    ServiceOfferingFactory(parent=payroll, classification=BUSINESS)
    assert found("business_service_without_offering") == []


def test_a_technical_offering_does_not_count_as_a_business_services_offering(portfolio):
    payroll = BusinessServiceFactory(name="Payroll")
    ServiceOfferingFactory(parent=payroll, classification=TECHNICAL)
    assert found("business_service_without_offering") == ["Payroll"]


def test_offering_without_parent_is_found_until_it_gets_one(portfolio):
    orphan = healthy_offering(None, name="Orphan offering")
    assert found("offering_without_parent") == ["Orphan offering"]
    orphan.parent = portfolio.business_service
    orphan.save()
    assert found("offering_without_parent") == []


def test_business_offering_without_application_service_is_found_until_it_depends_on_one(portfolio):
    offering = healthy_offering(portfolio.business_service, name="Email for contractors")
    depends_on(offering, portfolio.server)  # infrastructure directly, not through an application service
    assert found("business_offering_without_application_service") == ["Email for contractors"]
    depends_on(offering, portfolio.application_service)
    assert found("business_offering_without_application_service") == []


def test_application_service_must_be_the_child_of_the_business_offerings_relationship(portfolio):
    offering = healthy_offering(portfolio.business_service, name="Email for contractors")
    depends_on(portfolio.application_service, offering)
    assert found("business_offering_without_application_service") == ["Email for contractors"]


def test_a_relationship_that_does_not_propagate_impact_is_no_dependency(portfolio):
    offering = healthy_offering(portfolio.business_service, name="Email for contractors")
    RelationshipFactory(
        parent=offering,
        child=portfolio.application_service,
        type=RelationshipTypeFactory(name="Connects to::Connected by"),
    )
    assert found("business_offering_without_application_service") == ["Email for contractors"]


def test_technical_offering_without_support_group_is_found_until_it_gets_one(portfolio):
    offering = portfolio.technical_offering
    offering.support_group = None
    offering.save()
    assert found("technical_offering_without_support_group") == ["Linux hosting"]
    offering.support_group = GroupFactory()
    offering.save()
    assert found("technical_offering_without_support_group") == []


def test_offering_without_commitments_is_found_until_it_gets_one(portfolio):
    offering = portfolio.business_offering
    offering.offering_commitments.all().delete()
    assert found("offering_without_commitments") == ["Email for staff"]
    OfferingCommitmentFactory(service_offering=offering)
    assert found("offering_without_commitments") == []


@pytest.mark.parametrize(
    "subscription_factory",
    [
        UserSubscriptionFactory,
        CompanySubscriptionFactory,
        DepartmentSubscriptionFactory,
        LocationSubscriptionFactory,
        GroupSubscriptionFactory,
    ],
)
def test_offering_without_subscribers_is_found_until_anyone_subscribes(portfolio, subscription_factory):
    offering = portfolio.business_offering
    offering.company_subscriptions.all().delete()
    assert found("offering_without_subscribers") == ["Email for staff"]
    subscription_factory(service_offering=offering)
    assert found("offering_without_subscribers") == []


def test_service_without_owner_is_found_until_it_gets_one(portfolio):
    service = portfolio.technical_service
    service.owned_by = None
    service.save()
    assert found("service_without_owner") == ["Hosting"]
    service.owned_by = portfolio.owner
    service.save()
    assert found("service_without_owner") == []


def test_every_kind_of_service_needs_an_owner(portfolio):
    BusinessServiceFactory(name="Payroll")
    ApplicationServiceFactory(name="Payroll stack")
    ServiceOfferingFactory(name="Payroll for staff", parent=None)
    assert found("service_without_owner") == ["Payroll", "Payroll for staff", "Payroll stack"]


def test_a_ci_that_is_not_a_service_needs_no_owner(portfolio):
    ServerFactory(name="mail-02")
    assert found("service_without_owner") == []


def test_logical_ci_without_product_model_is_found_until_it_gets_one(portfolio):
    application = BusinessApplicationFactory(name="Mailer")
    assert found("logical_ci_without_product_model") == ["Mailer"]
    application.model = ProductModelFactory()
    application.save()
    assert found("logical_ci_without_product_model") == []


def test_a_discovered_ci_needs_no_product_model(portfolio):
    ServerFactory(name="mail-02", logical=False)
    assert found("logical_ci_without_product_model") == []


def test_ci_without_relationship_is_found_until_it_gets_one(portfolio):
    spare = ServerFactory(name="mail-02")
    assert found("ci_without_relationship") == ["mail-02"]
    RelationshipFactory(parent=portfolio.application_service, child=spare)
    assert found("ci_without_relationship") == []


def test_a_ci_related_only_by_a_type_that_does_not_propagate_is_related(portfolio):
    spare = ServerFactory(name="mail-02")
    rack = ServerFactory(name="rack-07")
    located_in = RelationshipTypeFactory(name="Located in::Houses", propagates_impact=False)
    assert {"mail-02", "rack-07"} <= set(found("ci_without_relationship"))
    RelationshipFactory(parent=rack, child=spare, type=located_in)
    assert {"mail-02", "rack-07"}.isdisjoint(found("ci_without_relationship"))


def test_a_ci_added_after_the_graph_was_built_is_checked(portfolio):
    assert found("ci_without_relationship") == []  # builds the graph (with the graph engine)
    ServerFactory(name="mail-03")  # a CI alone changes no impact edge: the graph is not rebuilt
    assert found("ci_without_relationship") == ["mail-03"]


def test_a_ci_of_a_class_without_model_is_checked_too(portfolio):
    ConfigurationItem.objects.create(name="lnx-01", sys_class_name="cmdb_ci_linux_server")
    assert found("ci_without_relationship") == ["lnx-01"]


def test_an_offering_related_only_through_its_parent_is_related(portfolio):
    ServiceOfferingFactory(name="Email for guests", parent=portfolio.business_service)
    assert "Email for guests" not in found("ci_without_relationship")


def test_a_business_service_related_only_through_its_offerings_is_related(portfolio):
    assert not Relationship.objects.filter(parent=portfolio.business_service).exists()
    assert not Relationship.objects.filter(child=portfolio.business_service).exists()
    assert "Email" not in found("ci_without_relationship")


def test_relationship_cycle_is_found_in_order_until_it_is_broken(portfolio):
    first, second, third = (ServerFactory(name=name) for name in ("node-a", "node-b", "node-c"))
    depends_on(first, second)
    depends_on(second, third)
    closing = depends_on(third, first)
    assert found("relationship_cycle") == ["node-a → node-b → node-c → node-a"]
    closing.delete()
    assert found("relationship_cycle") == []


def test_cycle_is_reported_once_with_its_members(portfolio):
    first, second = ServerFactory(name="node-a"), ServerFactory(name="node-b")
    depends_on(first, second)
    depends_on(second, first)
    [cycle] = CHECKS["relationship_cycle"].find()
    assert [(member.pk, member.sys_class_name) for member in cycle.members] == [
        (first.pk, "cmdb_ci_server"),
        (second.pk, "cmdb_ci_server"),
    ]


def test_separate_cycles_are_reported_separately(portfolio):
    for names in (("node-a", "node-b"), ("node-x", "node-y")):
        first, second = (ServerFactory(name=name) for name in names)
        depends_on(first, second)
        depends_on(second, first)
    assert found("relationship_cycle") == ["node-a → node-b → node-a", "node-x → node-y → node-x"]


def test_a_loop_of_relationships_that_do_not_propagate_impact_is_no_cycle(portfolio):
    first, second = ServerFactory(name="node-a"), ServerFactory(name="node-b")
    connects = RelationshipTypeFactory(name="Connects to::Connected by")
    RelationshipFactory(parent=first, child=second, type=connects)
    RelationshipFactory(parent=second, child=first, type=connects)
    assert found("relationship_cycle") == []


def test_an_offering_that_depends_on_its_own_parent_closes_a_cycle(portfolio):
    depends_on(portfolio.business_offering, portfolio.business_service)
    assert found("relationship_cycle") == ["Email → Email for staff → Email"]


def test_cycle_search_survives_a_very_deep_graph():
    chain = {node: [node + 1] for node in range(20_000)}
    chain[20_000] = [0]
    components = strongly_connected_components(chain)
    assert [len(component) for component in components] == [20_001]


def test_cycle_search_keeps_acyclic_nodes_in_components_of_their_own():
    components = strongly_connected_components({1: [2], 2: [3, 1], 3: [4]})
    assert sorted(sorted(component) for component in components) == [[1, 2], [3], [4]]


def plant_every_problem(count):
    """`count` offenders for every check."""
    for _ in range(count):
        BusinessServiceFactory()  # no offering, no owner, no model, no relationship
        ServiceOfferingFactory(parent=None, classification=BUSINESS)  # and no commitment, subscriber...
        ServiceOfferingFactory(parent=None, classification=TECHNICAL)  # and no support group
        first, second = ServerFactory(), ServerFactory()
        depends_on(first, second)
        depends_on(second, first)


def count_queries(function):
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_run_checks_takes_the_same_number_of_queries_whatever_it_finds():
    plant_every_problem(1)
    run_checks()  # the cycle search builds the in-memory impact graph once per graph version
    with_one = count_queries(run_checks)
    plant_every_problem(5)
    results = run_checks()
    assert all(result.count > 5 for result in results)
    assert count_queries(run_checks) == with_one


def test_cycle_records_describe_each_member():
    first, second = ServerFactory(name="node-a"), ServerFactory(name="node-b")
    depends_on(first, second)
    depends_on(second, first)
    [cycle] = CHECKS["relationship_cycle"].find()
    assert isinstance(cycle, Cycle)
    assert cycle.as_dict() == [
        {"sys_id": first.sys_id.hex, "name": "node-a", "sys_class_name": "cmdb_ci_server"},
        {"sys_id": second.sys_id.hex, "name": "node-b", "sys_class_name": "cmdb_ci_server"},
    ]


def test_run_checks_lists_one_page_and_counts_everything():
    for _ in range(12):
        ServiceOfferingFactory(parent=None)

    [result] = run_checks(["offering_without_parent"], offset=10, limit=5)

    assert (result.count, len(result.records), result.truncated) == (12, 2, False)
    assert run_checks(["offering_without_parent"], limit=5)[0].next_offset == 5


def test_queries_and_page_size_are_the_same_for_10_and_10000_offenders():
    def plant(count):
        ConfigurationItem.objects.bulk_create(
            ConfigurationItem(name=f"lone-{n}", sys_class_name="cmdb_ci_server") for n in range(count)
        )

    plant(10)
    run_checks()
    few_queries = count_queries(run_checks)
    few = {result.check.key: len(result.records) for result in run_checks()}
    plant(9990)
    run_checks()

    assert count_queries(run_checks) == few_queries
    results = {result.check.key: result for result in run_checks()}
    assert results["ci_without_relationship"].count >= 10_000
    assert (few["ci_without_relationship"], len(results["ci_without_relationship"].records)) == (10, 50)
