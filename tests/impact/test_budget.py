"""The downtime budget of a change: what each impacted offering's availability commitment allows this
period, what outages used, and whether the planned window would breach it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from impact.downtime import downtime_budget
from impact.models import Outage
from impact.services import refresh_impacted_services
from tests.api.helpers import build_impact_graph
from tests.factories.impact import ChangeRequestFactory
from tests.factories.offerings import OfferingCommitmentFactory, ServiceCommitmentFactory
from tests.factories.owners import OutageFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOVEMBER_15 = dt.datetime(2030, 11, 15, 12, 0, tzinfo=UTC)  # November has 30 days


@pytest.fixture
def graph():
    return build_impact_graph()


def monthly(offering, target="99.9", period="monthly"):
    commitment = ServiceCommitmentFactory(name=f"{target} % {period}", target_value=target, period=period)
    OfferingCommitmentFactory(service_offering=offering, service_commitment=commitment)
    return commitment


def change_on_server(graph, start, minutes):
    change = ChangeRequestFactory(
        cmdb_ci=graph.server, start_date=start, end_date=start + dt.timedelta(minutes=minutes)
    )
    refresh_impacted_services(change)
    return change


def outage(ci, begin, minutes, type=Outage.Type.OUTAGE):
    return OutageFactory(cmdb_ci=ci, begin=begin, end=begin + dt.timedelta(minutes=minutes), type=type)


def test_known_answer_999_monthly_20_used_30_minute_window(graph):
    """99.9 % of a 30-day month allows 43.2 minutes; 20 are used; a 30-minute window breaches."""
    monthly(graph.gold)
    outage(graph.server, dt.datetime(2030, 11, 3, 10, 0, tzinfo=UTC), 20)
    change = change_on_server(graph, dt.datetime(2030, 11, 20, 1, 0, tzinfo=UTC), 30)
    [line] = downtime_budget(change, now=NOVEMBER_15)
    assert line.offering == graph.gold
    assert (line.period_start, line.period_end) == (
        dt.datetime(2030, 11, 1, tzinfo=UTC),
        dt.datetime(2030, 12, 1, tzinfo=UTC),
    )
    assert line.allowed_minutes == pytest.approx(43.2)
    assert line.used_minutes == pytest.approx(20)
    assert line.remaining_minutes == pytest.approx(23.2)
    assert line.window_minutes == pytest.approx(30)
    assert line.would_breach is True


def test_a_window_that_fits_does_not_breach(graph):
    monthly(graph.gold)
    outage(graph.server, dt.datetime(2030, 11, 3, 10, 0, tzinfo=UTC), 20)
    change = change_on_server(graph, dt.datetime(2030, 11, 20, 1, 0, tzinfo=UTC), 23)
    [line] = downtime_budget(change, now=NOVEMBER_15)
    assert line.would_breach is False


def test_outages_of_another_month_and_planned_outages_use_nothing(graph):
    monthly(graph.gold)
    outage(graph.server, dt.datetime(2030, 10, 31, 10, 0, tzinfo=UTC), 60)  # the month before, mostly
    outage(graph.server, dt.datetime(2030, 11, 5, 10, 0, tzinfo=UTC), 60, type=Outage.Type.PLANNED)
    change = change_on_server(graph, dt.datetime(2030, 11, 20, 1, 0, tzinfo=UTC), 30)
    [line] = downtime_budget(change, now=NOVEMBER_15)
    assert line.used_minutes == pytest.approx(0)
    assert line.remaining_minutes == pytest.approx(43.2)


def test_the_period_is_the_one_holding_the_window_not_now(graph):
    monthly(graph.gold)
    outage(graph.server, dt.datetime(2030, 11, 3, 10, 0, tzinfo=UTC), 20)
    change = change_on_server(graph, dt.datetime(2030, 12, 2, 1, 0, tzinfo=UTC), 30)
    [line] = downtime_budget(change, now=NOVEMBER_15)
    assert line.period_start == dt.datetime(2030, 12, 1, tzinfo=UTC)
    assert line.allowed_minutes == pytest.approx(44.64)  # 31 days
    assert line.used_minutes == 0
    assert line.period_label == "in December 2030"


def test_offerings_without_an_availability_commitment_are_left_out(graph):
    ServiceCommitmentFactory(type="response_time")
    change = change_on_server(graph, dt.datetime(2030, 11, 20, 1, 0, tzinfo=UTC), 30)
    assert downtime_budget(change, now=NOVEMBER_15) == []


def test_a_change_without_a_window_has_no_budget(graph):
    monthly(graph.gold)
    change = ChangeRequestFactory(cmdb_ci=graph.server)
    refresh_impacted_services(change)
    assert downtime_budget(change) == []


def test_budget_queries_do_not_grow_with_outages(graph):
    monthly(graph.gold)
    change = change_on_server(graph, dt.datetime(2030, 11, 20, 1, 0, tzinfo=UTC), 30)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            downtime_budget(change, now=NOVEMBER_15)
        return len(captured)

    outage(graph.server, dt.datetime(2030, 11, 3, 10, 0, tzinfo=UTC), 5)
    one = queries()
    for day in range(4, 12):
        outage(graph.server, dt.datetime(2030, 11, day, 10, 0, tzinfo=UTC), 5)
    assert queries() == one
