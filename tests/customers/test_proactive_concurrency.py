"""Two concurrent requests to open proactive cases for one incident open each case once.

Transactional (two real connections). An earlier transactional test's flush removes the standard
relationship types a data migration creates, so the test puts them back itself (serialized
rollback would collide with the content types that a flush's post_migrate recreates).
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from cmdb.models import RelationshipType
from cmdb.relationship_types import STANDARD_RELATIONSHIP_TYPES, standard_sys_id
from customers.models import Case
from tests.api.helpers import client_for, user_with_perms
from tests.factories.impact import IncidentFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no row locks and serialises whole-database writes",
    ),
]


@pytest.fixture
def standard_relationship_types(transactional_db):
    for name, propagates, known_sys_id in STANDARD_RELATIONSHIP_TYPES:
        RelationshipType.objects.get_or_create(
            name=name,
            defaults={"propagates_impact": propagates, "sys_id": standard_sys_id(name, known_sys_id)},
        )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_open_one_case_per_customer(standard_relationship_types, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)
    user = user_with_perms("impact.view_incident", "customers.add_case", "customers.view_case")
    url = reverse("impact-api:incident-proactive-cases", args=[incident.number])
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def worker():
        try:
            client = client_for(user)  # each thread: its own client and its own database connection
            barrier.wait(timeout=10)
            statuses.append(client.post(url).status_code)
        except Exception as error:  # reported by the assertion below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(statuses) == [200, 201]
    assert Case.objects.filter(incident=incident, proactive=True).count() == 3
