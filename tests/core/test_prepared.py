"""Prepared statements (PostgreSQL) answer the same after reconnects and rollbacks, and are planned once."""

import pytest
from django.db import connection, transaction

from core.prepared import fetch_prepared, supports_prepared_statements
from impact.engine import impacted_by
from tests.factories.cmdb import (
    ApplicationFactory,
    RelationshipFactory,
    RelationshipTypeFactory,
    ServerFactory,
)
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.skipif(
    not supports_prepared_statements(connection), reason="PostgreSQL has prepared statements; SQLite does not"
)

DEPENDS_ON = "Depends on::Used by"


def add_one(value):
    return fetch_prepared(connection, "runstage_test_sum", lambda: "SELECT $1 + 1", ("int",), [value])


def plan_cache_mode():
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_statement_first_prepared_in_a_rolled_back_transaction_still_answers():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert fetch_prepared(connection, "runstage_test_sum", lambda: "SELECT $1 + 1", ("int",), [1]) == [
            (2,)
        ]
        raise RuntimeError("roll back")

    # The statement outlived the rollback; the SET LOCAL of generic plans did not, so the session is
    # set now that no transaction is open.
    assert add_one(41) == [(42,)]
    assert plan_cache_mode() == "force_generic_plan"


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again():
    assert fetch_prepared(connection, "runstage_test_twice", lambda: "SELECT $1 * 2", ("int",), [2]) == [(4,)]
    connection.close()
    assert fetch_prepared(connection, "runstage_test_twice", lambda: "SELECT $1 * 2", ("int",), [3]) == [(6,)]


@pytest.mark.django_db(transaction=True)
def test_impact_answers_the_same_after_a_reconnect_and_a_rollback():
    server, application = ServerFactory(), ApplicationFactory()
    offering = ServiceOfferingFactory()
    depends_on = RelationshipTypeFactory(name=DEPENDS_ON)
    RelationshipFactory(parent=application, child=server, type=depends_on)
    RelationshipFactory(parent=offering, child=application, type=depends_on)
    expected = {server.pk, application.pk, offering.pk, offering.parent_id}

    assert set(impacted_by([server.pk]).impacted) == expected
    connection.close()
    assert set(impacted_by([server.pk]).impacted) == expected
    with pytest.raises(RuntimeError), transaction.atomic():
        assert set(impacted_by([server.pk]).impacted) == expected
        raise RuntimeError("roll back")
    assert set(impacted_by([server.pk]).impacted) == expected


@pytest.mark.django_db
def test_a_typical_impact_is_one_statement_planned_once(django_assert_num_queries):
    server, application = ServerFactory(), ApplicationFactory()
    RelationshipFactory(parent=application, child=server, type=RelationshipTypeFactory(name=DEPENDS_ON))
    impacted_by([server.pk])  # builds the graph and prepares the statement

    with django_assert_num_queries(1) as captured:
        impacted_by([server.pk])
    assert captured.captured_queries[0]["sql"].startswith("SET LOCAL plan_cache_mode")
    assert "EXECUTE runstage_impact_answer" in captured.captured_queries[0]["sql"]


@pytest.mark.django_db
def test_switched_off_the_same_answer_comes_from_a_plain_query(settings, django_assert_num_queries):
    server, application = ServerFactory(), ApplicationFactory()
    offering = ServiceOfferingFactory()
    depends_on = RelationshipTypeFactory(name=DEPENDS_ON)
    RelationshipFactory(parent=application, child=server, type=depends_on)
    RelationshipFactory(parent=offering, child=application, type=depends_on)
    prepared = impacted_by([server.pk])
    settings.DATABASE_PREPARED_STATEMENTS = False

    with django_assert_num_queries(1) as captured:
        plain = impacted_by([server.pk])
    assert "EXECUTE" not in captured.captured_queries[0]["sql"]
    assert plain.impacted == prepared.impacted and plain.subscribers == prepared.subscribers
