"""The primary/replica router, with a second database standing in for the replica.

Nothing replicates into the stand-in, so a row written to one database only tells which one a read
went to.
"""

import pytest
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from cmdb.models import ConfigurationItem, Relationship
from core.db_router import PIN_COOKIE, PRIMARY, REPLICA, PrimaryReplicaRouter, ReadYourWritesMiddleware
from impact.engine import impacted_by
from tests.factories.cmdb import RelationshipTypeFactory

pytestmark = [
    # No test-wide transaction: a read inside one on the primary stays on the primary, by design.
    pytest.mark.django_db(databases=[PRIMARY, REPLICA], transaction=True),
    pytest.mark.usefixtures("replica_router"),
]


@pytest.fixture
def replica_router():
    with override_settings(DATABASE_ROUTERS=["core.db_router.PrimaryReplicaRouter"]):
        yield


def ci(name, using):
    return ConfigurationItem.objects.using(using).create(name=name, sys_class_name="cmdb_ci_server")


def test_reads_go_to_the_replica_and_writes_to_the_primary():
    ci("only on the replica", REPLICA)

    ConfigurationItem.objects.create(name="written", sys_class_name="cmdb_ci_server")

    assert list(ConfigurationItem.objects.values_list("name", flat=True)) == ["only on the replica"]
    assert ConfigurationItem.objects.using(PRIMARY).get().name == "written"


def test_impact_is_read_from_the_replica():
    server, application = ci("srv", REPLICA), ci("app", REPLICA)
    depends_on = RelationshipTypeFactory._meta.model.objects.using(REPLICA).get_or_create(
        name="Depends on::Used by", defaults={"propagates_impact": True}
    )[0]
    Relationship.objects.using(REPLICA).create(parent=application, child=server, type=depends_on)

    result = impacted_by([server.pk])

    assert set(result.impacted) == {server.pk, application.pk}


def test_reads_inside_a_transaction_on_the_primary_stay_on_the_primary():
    ci("only on the replica", REPLICA)
    with transaction.atomic(using=PRIMARY):
        written = ConfigurationItem.objects.create(name="just written", sys_class_name="cmdb_ci_server")
        assert router.db_for_read(ConfigurationItem) == PRIMARY
        assert ConfigurationItem.objects.get().pk == written.pk


def reads_of(request):
    """Where the middleware sends the reads of `request`, and its response."""
    seen = []

    def view(request):
        seen.append(router.db_for_read(ConfigurationItem))
        return HttpResponse("ok")

    response = ReadYourWritesMiddleware(view)(request)
    return seen[0], response


def test_a_write_request_and_the_same_clients_next_reads_go_to_the_primary():
    factory = RequestFactory()
    assert reads_of(factory.get("/portfolio/"))[0] == REPLICA

    where, response = reads_of(factory.post("/admin/cmdb/relationship/add/"))
    assert where == PRIMARY
    follow_up = factory.get("/portfolio/")
    follow_up.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value

    assert reads_of(follow_up)[0] == PRIMARY
    assert router.db_for_read(ConfigurationItem) == REPLICA  # the pin ends with the request


def test_an_expired_or_forged_pin_reads_the_replica(settings):
    factory = RequestFactory()
    settings.REPLICA_PIN_SECONDS = -1
    _, response = reads_of(factory.post("/x/"))
    expired = factory.get("/portfolio/")
    expired.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
    forged = factory.get("/portfolio/")
    forged.COOKIES[PIN_COOKIE] = "9999999999"

    assert (reads_of(expired)[0], reads_of(forged)[0]) == (REPLICA, REPLICA)


def test_migrations_run_on_the_primary_only():
    assert PrimaryReplicaRouter().allow_migrate(PRIMARY, "cmdb")
    assert not PrimaryReplicaRouter().allow_migrate(REPLICA, "cmdb")


def test_the_replica_graph_is_its_own():
    from impact.graph import graph_for

    ci("srv", REPLICA)
    assert graph_for(connections[REPLICA]).node_count == 1
    assert graph_for(connections[PRIMARY]).node_count == 0
