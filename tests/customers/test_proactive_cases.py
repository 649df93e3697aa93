"""Proactive cases: one per impacted customer and incident, idempotent, resolved with the incident."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from customers.cases import reopen_case
from customers.models import Case, CaseState
from impact.models import Incident, TaskState
from tests.api.helpers import client_for, user_with_perms
from tests.factories.customers import CaseFactory, CustomerAccountFactory, SoldProductFactory
from tests.factories.impact import IncidentFactory
from tests.factories.owners import OutageFactory

pytestmark = pytest.mark.django_db

PERMS = ("impact.view_incident", "impact.change_incident", "customers.add_case", "customers.view_case")


@pytest.fixture
def client():
    return client_for(user_with_perms(*PERMS))


def open_cases(client, incident):
    return client.post(reverse("impact-api:incident-proactive-cases", args=[incident.number]))


def test_one_case_per_impacted_customer_linked_to_incident_outage_and_install_base(client, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server, short_description="Billing database down")
    outage = OutageFactory(cmdb_ci=sold.graph.server, task=incident, end=None)

    response = open_cases(client, incident)

    assert response.status_code == 201
    cases = {case.customer.name: case for case in Case.objects.filter(incident=incident)}
    assert set(cases) == {"Acme Retail", "Globex", "Dana Home"}
    acme = cases["Acme Retail"]
    assert acme.proactive and acme.outage == outage and acme.state == CaseState.OPEN
    assert list(acme.affected_install_base.all()) == [sold.acme_item]
    assert acme.sold_product == sold.acme_product
    assert "Billing database down" in acme.description and incident.number in acme.description
    assert {row["number"] for row in response.json()["created"]} == {case.number for case in cases.values()}
    assert response.json()["existing"] == []


def test_running_it_again_opens_cases_only_for_customers_without_one(client, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)
    open_cases(client, incident)

    again = open_cases(client, incident)
    assert again.status_code == 200
    assert again.json()["created"] == []
    assert len(again.json()["existing"]) == 3

    newcomer = CustomerAccountFactory(name="Newcomer")
    SoldProductFactory(account=newcomer, service_offering=sold.graph.gold)
    third = open_cases(client, incident)
    assert [row["account"] for row in third.json()["created"]] == [newcomer.sys_id.hex]
    assert Case.objects.filter(incident=incident).count() == 4


def test_the_database_refuses_a_second_proactive_case_for_the_same_customer(sold):
    incident = IncidentFactory()
    CaseFactory(account=sold.acme, incident=incident, proactive=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(account=sold.acme, incident=incident, proactive=True)
    # A case the customer opened about the same incident is not a proactive one.
    CaseFactory(account=sold.acme, incident=incident, proactive=False)


def test_opening_cases_needs_the_case_permission(sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)
    client = client_for(user_with_perms("impact.view_incident"))

    assert open_cases(client, incident).status_code == 403
    assert not Case.objects.exists()


def test_unknown_incident_is_a_404(client):
    assert client.post(reverse("impact-api:incident-proactive-cases", args=["INC9999999"])).status_code == 404


def test_resolving_the_incident_resolves_its_proactive_cases_with_a_note(client, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)
    open_cases(client, incident)
    own_case = CaseFactory(account=sold.acme, incident=incident, proactive=False)

    response = client.patch(
        reverse("impact-api:incident-detail", args=[incident.number]),
        {"state": TaskState.RESOLVED},
        format="json",
    )

    assert response.status_code == 200, response.json()
    proactive = Case.objects.filter(incident=incident, proactive=True)
    assert {case.state for case in proactive} == {CaseState.RESOLVED}
    assert all(incident.number in case.close_notes and case.resolved_at for case in proactive)
    own_case.refresh_from_db()
    assert own_case.state == CaseState.NEW


def test_a_contact_can_reopen_their_resolved_case_but_not_another_accounts(client, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)
    open_cases(client, incident)
    incident = Incident.objects.get(pk=incident.pk)
    incident.set_state(TaskState.RESOLVED)
    incident.save()
    case = Case.objects.get(incident=incident, account=sold.acme)

    with pytest.raises(PermissionDenied):
        reopen_case(case, sold.globex_contact)
    reopen_case(case, sold.acme_contact)

    case.refresh_from_db()
    assert case.state == CaseState.OPEN and case.resolved_at is None


def test_admin_action_opens_the_cases(admin_client, sold):
    incident = IncidentFactory(cmdb_ci=sold.graph.server)

    response = admin_client.post(
        reverse("admin:impact_incident_changelist"),
        {"action": "open_proactive_cases_action", "_selected_action": [incident.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Opened 3 proactive cases" in response.content.decode()
    assert Case.objects.filter(incident=incident, proactive=True).count() == 3
