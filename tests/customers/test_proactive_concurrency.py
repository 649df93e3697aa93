"""Two concurrent requests to open proactive cases for one incident open each case once."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

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


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_open_one_case_per_customer(sold):
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
