"""Tasks: numbers, states, and keeping impacted services current (impact.services)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from impact.models import ChangeRequest, ImpactedService, Incident, TaskState
from impact.services import create_task, refresh_impacted_services, update_task
from tests.api.helpers import build_impact_graph, rel_type
from tests.factories.cmdb import BusinessServiceFactory, RelationshipFactory, ServerFactory
from tests.factories.impact import (
    AffectedCIFactory,
    ChangeRequestFactory,
    ImpactedServiceFactory,
    IncidentFactory,
)
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db


def impacted_names(task):
    return sorted(
        row.service.name for row in ImpactedService.objects.filter(task=task).select_related("service")
    )


@pytest.fixture
def graph():
    return build_impact_graph()


def test_incident_takes_an_inc_number_on_first_save():
    assert IncidentFactory().number == "INC0010001"


def test_change_takes_a_chg_number_on_first_save():
    assert ChangeRequestFactory().number == "CHG0030001"


def test_number_is_kept_on_later_saves():
    incident = IncidentFactory()
    incident.short_description = "still the same incident"
    incident.save()
    assert Incident.objects.get(pk=incident.pk).number == "INC0010001"


def test_sys_class_name_names_the_task_table():
    assert ChangeRequestFactory().sys_class_name == "change_request"


def test_allowed_transition_is_applied():
    incident = IncidentFactory()
    incident.set_state(TaskState.IN_PROGRESS)
    assert incident.state == TaskState.IN_PROGRESS


def test_forbidden_transition_is_refused():
    incident = IncidentFactory()
    with pytest.raises(ValidationError, match="cannot move from New to Closed"):
        incident.set_state(TaskState.CLOSED)


def test_state_of_another_task_class_is_refused():
    with pytest.raises(ValidationError, match="not a state of an incident"):
        IncidentFactory().set_state(TaskState.AUTHORIZE)


def test_closing_stamps_closed_at():
    incident = IncidentFactory()
    incident.set_state(TaskState.RESOLVED)
    incident.set_state(TaskState.CLOSED)
    assert incident.closed_at is not None


def test_clean_checks_a_direct_state_change_against_the_stored_state():
    incident = Incident.objects.get(pk=IncidentFactory().pk)
    incident.state = TaskState.CLOSED
    with pytest.raises(ValidationError):
        incident.full_clean()


def test_standard_change_may_be_scheduled_straight_away():
    change = ChangeRequestFactory(type=ChangeRequest.Type.STANDARD)
    change.set_state(TaskState.SCHEDULED)
    assert change.state == TaskState.SCHEDULED


def test_normal_change_must_be_assessed_first():
    with pytest.raises(ValidationError):
        ChangeRequestFactory().set_state(TaskState.SCHEDULED)


def test_creating_an_incident_fills_its_impacted_services(graph):
    incident = create_task(Incident, short_description="Billing down", cmdb_ci=graph.server)
    assert impacted_names(incident) == ["Billing", "Billing Gold", "Payroll", "Payroll Standard"]


def test_affected_cis_count_as_sources(graph):
    other = ServerFactory()
    incident = create_task(
        Incident, short_description="Two CIs", cmdb_ci=other, affected_cis=[graph.app_service]
    )
    assert impacted_names(incident) == ["Billing", "Billing Gold", "Payroll", "Payroll Standard"]


def test_technical_services_are_not_listed_as_impacted_services(graph):
    incident = create_task(Incident, short_description="Storage", cmdb_ci=graph.storage)
    assert impacted_names(incident) == []


def test_creating_a_change_leaves_impacted_services_to_a_refresh(graph):
    change = create_task(ChangeRequest, short_description="Patch", cmdb_ci=graph.server)
    assert impacted_names(change) == []


def test_repointing_an_incident_recomputes_its_services(graph):
    incident = create_task(Incident, short_description="Billing down", cmdb_ci=graph.server)
    update_task(incident, cmdb_ci=graph.standard)
    assert impacted_names(incident) == ["Payroll", "Payroll Standard"]


def test_refresh_keeps_manually_added_rows(graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    manual = ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Hand-picked"), manually_added=True
    )
    refresh_impacted_services(change)
    assert ImpactedService.objects.filter(pk=manual.pk, manually_added=True).exists()


def test_refresh_drops_stale_computed_rows(graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    stale = ImpactedServiceFactory(task=change, service=BusinessServiceFactory(name="No longer impacted"))
    refresh_impacted_services(change)
    assert not ImpactedService.objects.filter(pk=stale.pk).exists()


def test_refresh_adds_newly_impacted_services(graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    added, removed = refresh_impacted_services(change)
    assert (added, removed) == (4, 0)
    assert impacted_names(change) == ["Billing", "Billing Gold", "Payroll", "Payroll Standard"]


def test_refresh_of_a_task_without_cis_clears_computed_rows():
    change = ChangeRequestFactory()
    ImpactedServiceFactory(task=change)
    refresh_impacted_services(change)
    assert impacted_names(change) == []


def test_manual_row_for_a_computed_service_stays_manual(graph):
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    ImpactedServiceFactory(task=change, service=graph.billing, manually_added=True)
    refresh_impacted_services(change)
    assert ImpactedService.objects.get(task=change, service=graph.billing).manually_added is True


def _refresh_query_count(offering_count):
    server = ServerFactory()
    for _ in range(offering_count):
        offering = ServiceOfferingFactory()
        RelationshipFactory(parent=offering, child=server, type=rel_type("Depends on::Used by"))
    change = ChangeRequestFactory(cmdb_ci=server)
    with CaptureQueriesContext(connection) as queries:
        refresh_impacted_services(change)
    assert ImpactedService.objects.filter(task=change).count() == 2 * offering_count
    return len(queries)


def test_refresh_query_count_does_not_grow_with_the_number_of_services():
    assert _refresh_query_count(1) == _refresh_query_count(15)


def test_affected_ci_pair_is_unique():
    row = AffectedCIFactory()
    with pytest.raises(ValidationError):
        type(row)(task=row.task, ci=row.ci).validate_constraints()
