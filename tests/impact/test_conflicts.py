"""Conflicts of a change: overlapping windows on a shared CI or impacted service, open incidents."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from impact.conflicts import conflicts_of
from impact.models import TaskState
from tests.factories.cmdb import BusinessServiceFactory, ServerFactory
from tests.factories.impact import (
    AffectedCIFactory,
    ChangeRequestFactory,
    ImpactedServiceFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db

NIGHT = dt.datetime(2030, 3, 4, 1, 0, tzinfo=dt.UTC)


def window(start_hours, end_hours):
    return {
        "start_date": NIGHT + dt.timedelta(hours=start_hours),
        "end_date": NIGHT + dt.timedelta(hours=end_hours),
    }


def change_on(ci=None, services=(), **fields):
    change = ChangeRequestFactory(cmdb_ci=ci, **fields)
    for service in services:
        ImpactedServiceFactory(task=change, service=service)
    return change


def test_overlapping_windows_on_a_shared_ci_conflict():
    db = ServerFactory(name="db-01")
    change = change_on(db, short_description="Patch db-01", **window(0, 2))
    other = change_on(short_description="Resize db-01", **window(1, 3))
    AffectedCIFactory(task=other, ci=db)
    [conflict] = conflicts_of(change)
    assert (conflict.kind, conflict.task, [ci.name for ci in conflict.shared_cis]) == (
        "change",
        other,
        ["db-01"],
    )
    assert conflict.description == (
        f"change {other.number} (Resize db-01) is planned 2030-03-04 02:00 to 2030-03-04 04:00 on CI db-01"
    )


def test_overlapping_windows_on_a_shared_impacted_service_only_conflict():
    billing = BusinessServiceFactory(name="Billing")
    change = change_on(ServerFactory(), [billing], **window(0, 2))
    other = change_on(ServerFactory(), [billing], **window(1, 3))
    [conflict] = conflicts_of(change)
    assert conflict.task == other
    assert conflict.shared_cis == []
    assert conflict.where == "service Billing"


def test_touching_windows_do_not_conflict():
    db = ServerFactory()
    change = change_on(db, **window(0, 2))
    change_on(db, **window(2, 4))  # starts when the first ends
    change_on(db, **window(-2, 0))  # ends when the first starts
    assert conflicts_of(change) == []


def test_windows_apart_do_not_conflict():
    db = ServerFactory()
    change = change_on(db, **window(0, 2))
    change_on(db, **window(5, 6))
    assert conflicts_of(change) == []


def test_changes_sharing_nothing_do_not_conflict():
    change = change_on(ServerFactory(), [BusinessServiceFactory()], **window(0, 2))
    change_on(ServerFactory(), [BusinessServiceFactory()], **window(0, 2))
    assert conflicts_of(change) == []


def test_closed_and_canceled_changes_do_not_conflict():
    db = ServerFactory()
    change = change_on(db, **window(0, 2))
    change_on(db, state=TaskState.CANCELED, **window(0, 2))
    assert conflicts_of(change) == []


def test_a_change_without_a_window_has_no_change_conflicts():
    db = ServerFactory()
    change = change_on(db)
    change_on(db, **window(0, 2))
    assert conflicts_of(change) == []


def test_an_open_incident_on_an_impacted_service_conflicts():
    billing = BusinessServiceFactory(name="Billing")
    change = change_on(ServerFactory(), [billing], **window(0, 2))
    incident = IncidentFactory(short_description="Invoices fail", opened_at=NIGHT - dt.timedelta(days=1))
    ImpactedServiceFactory(task=incident, service=billing)
    [conflict] = conflicts_of(change)
    assert (conflict.kind, conflict.task) == ("incident", incident)
    assert conflict.description == (
        f"open incident {incident.number} (Invoices fail) on service Billing, open since 2030-03-03 01:00"
    )


def test_a_resolved_incident_does_not_conflict():
    billing = BusinessServiceFactory()
    change = change_on(ServerFactory(), [billing], **window(0, 2))
    incident = IncidentFactory(state=TaskState.RESOLVED)
    ImpactedServiceFactory(task=incident, service=billing)
    assert conflicts_of(change) == []


def test_conflicts_take_the_same_queries_for_one_and_for_many():
    def queries_with(count):
        db = ServerFactory()
        billing = BusinessServiceFactory()
        change = change_on(db, [billing], **window(0, 2))
        for _ in range(count):
            change_on(db, [billing], **window(1, 3))
            ImpactedServiceFactory(task=IncidentFactory(), service=billing)
        with CaptureQueriesContext(connection) as queries:
            assert len(conflicts_of(change)) == 2 * count
        return len(queries)

    assert queries_with(1) == queries_with(6)


def test_a_conflict_names_three_shared_services_and_counts_the_rest():
    services = [BusinessServiceFactory(name=f"Service {letter}") for letter in "ABCDE"]
    change = change_on(ServerFactory(), services, **window(0, 2))
    change_on(ServerFactory(), services, **window(1, 3))
    [conflict] = conflicts_of(change)
    assert conflict.where == "services Service A, Service B, Service C and 2 more"
    assert len(conflict.shared_services) == 5
