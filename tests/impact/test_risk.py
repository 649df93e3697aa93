"""A change's risk from its impact, with its reasons as the change page shows them."""

import datetime as dt

import pytest
from django.test import override_settings

from impact.downtime import downtime_budget
from impact.models import Outage
from impact.risk import RiskLevel, risk_of
from impact.services import refresh_impacted_services
from tests.api.helpers import build_impact_graph
from tests.factories.cmdb import BusinessServiceFactory, ServerFactory
from tests.factories.impact import ChangeRequestFactory, ImpactedServiceFactory, IncidentFactory
from tests.factories.offerings import (
    OfferingCommitmentFactory,
    ServiceCommitmentFactory,
    ServiceOfferingFactory,
)
from tests.factories.owners import OutageFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def reasons(assessment):
    return [(reason.level.label, reason.text) for reason in assessment.reasons]


def test_a_change_that_touches_nothing_important_is_low():
    change = ChangeRequestFactory(cmdb_ci=ServerFactory())
    assessment = risk_of(change)
    assert (assessment.level, assessment.label, assessment.reasons) == (RiskLevel.LOW, "Low", [])


def test_a_most_critical_impacted_service_makes_it_high():
    change = ChangeRequestFactory()
    ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Claims", business_criticality="1 - most critical")
    )
    ImpactedServiceFactory(
        task=change,
        service=BusinessServiceFactory(name="Intranet", business_criticality="2 - somewhat critical"),
    )
    ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Canteen", business_criticality="4 - not critical")
    )
    assessment = risk_of(change)
    assert assessment.label == "High"
    assert reasons(assessment) == [
        ("High", "Claims (1 - most critical) is impacted"),
        ("Moderate", "Intranet (2 - somewhat critical) is impacted"),
    ]


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        (None, []),
        (49, []),
        (50, [("Moderate", "50 people are affected (from 50 on)")]),
        (500, [("High", "500 people are affected (from 500 on)")]),
    ],
)
def test_the_affected_people_count_weighs_by_the_thresholds(people, expected):
    assert reasons(risk_of(ChangeRequestFactory(), affected_people=people)) == expected


@override_settings(
    CHANGE_RISK={
        "CRITICALITY": {},
        "PEOPLE_MODERATE": 10,
        "PEOPLE_HIGH": 20,
        "CONFLICTS_MODERATE": 1,
        "CONFLICTS_HIGH": 3,
        "BUDGET_BREACH": "moderate",
    }
)
def test_thresholds_come_from_the_settings():
    assert reasons(risk_of(ChangeRequestFactory(), affected_people=20)) == [
        ("High", "20 people are affected (from 20 on)")
    ]


def test_a_conflict_makes_it_moderate_and_names_the_other_change():
    db = ServerFactory(name="db-01")
    start = dt.datetime(2030, 3, 4, 1, 0, tzinfo=UTC)
    change = ChangeRequestFactory(cmdb_ci=db, start_date=start, end_date=start + dt.timedelta(hours=2))
    other = ChangeRequestFactory(
        cmdb_ci=db,
        short_description="Resize db-01",
        start_date=start + dt.timedelta(hours=1),
        end_date=start + dt.timedelta(hours=3),
    )
    assert reasons(risk_of(change)) == [
        (
            "Moderate",
            f"conflict: change {other.number} (Resize db-01) is planned "
            "2030-03-04 02:00 to 2030-03-04 04:00 on CI db-01",
        )
    ]


def test_three_conflicts_make_it_high():
    billing = BusinessServiceFactory(name="Billing")
    change = ChangeRequestFactory()
    ImpactedServiceFactory(task=change, service=billing)
    for _ in range(3):
        ImpactedServiceFactory(task=IncidentFactory(), service=billing)
    assert risk_of(change).label == "High"
    assert len(risk_of(change).reasons) == 3


def test_a_budget_breach_makes_it_high_and_says_by_how_much():
    graph = build_impact_graph()
    commitment = ServiceCommitmentFactory(name="Gold availability", target_value="99.9", period="monthly")
    OfferingCommitmentFactory(service_offering=graph.gold, service_commitment=commitment)
    OutageFactory(
        cmdb_ci=graph.server,
        type=Outage.Type.OUTAGE,
        begin=dt.datetime(2030, 11, 3, 10, 0, tzinfo=UTC),
        end=dt.datetime(2030, 11, 3, 10, 20, tzinfo=UTC),
    )
    start = dt.datetime(2030, 11, 20, 1, 0, tzinfo=UTC)
    change = ChangeRequestFactory(
        cmdb_ci=graph.server, start_date=start, end_date=start + dt.timedelta(minutes=30)
    )
    refresh_impacted_services(change)
    budget = downtime_budget(change, now=dt.datetime(2030, 11, 15, tzinfo=UTC))
    assert reasons(risk_of(change, budget=budget)) == [
        (
            "High",
            "window uses 30 of the 23.2 minutes Billing Gold has left this month (99.9 % allows 43.2)",
        )
    ]


def test_services_of_one_criticality_are_named_in_one_reason_offerings_through_their_service():
    change = ChangeRequestFactory()
    claims = BusinessServiceFactory(name="Claims", business_criticality="1 - most critical")
    ImpactedServiceFactory(task=change, service=claims)
    ImpactedServiceFactory(
        task=change,
        service=ServiceOfferingFactory(
            name="Claims Gold", parent=claims, business_criticality="1 - most critical"
        ),
    )
    ImpactedServiceFactory(
        task=change, service=BusinessServiceFactory(name="Billing", business_criticality="1 - most critical")
    )
    assert reasons(risk_of(change)) == [("High", "Billing and Claims (1 - most critical) are impacted")]
