"""Availability of services from the outages on them and on the CIs below them, with known answers."""

import pytest

from impact.models import Outage
from portfolio.availability import availability_of_services, service_availability
from tests.factories.cmdb import ServerFactory
from tests.factories.owners import OutageFactory
from tests.owners.conftest import at

pytestmark = pytest.mark.django_db

MARCH = (at(1), at(1, month=4))
LATER = at(1, month=6)


def march(service):
    return service_availability(service, *MARCH, now=LATER)


def test_outage_on_the_service_itself_is_downtime(stack):
    OutageFactory(cmdb_ci=stack["service"], begin=at(10, 8), end=at(10, 9))
    assert march(stack["service"]).figures.downtime_minutes == 60


def test_outage_on_a_server_two_levels_below_the_offering_takes_the_service_down(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 9, 30))
    assert march(stack["service"]).figures.downtime_minutes == 90


def test_outage_on_an_unrelated_server_does_not_count(stack):
    OutageFactory(cmdb_ci=ServerFactory(), begin=at(10, 8), end=at(10, 9))
    assert march(stack["service"]).figures.downtime_minutes == 0


def test_overlapping_outages_on_server_and_app_count_once(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 10))
    OutageFactory(cmdb_ci=stack["app"], begin=at(10, 9), end=at(10, 11))
    figures = march(stack["service"]).figures
    assert (figures.downtime_minutes, figures.failures) == (180, 1)


def test_planned_outage_is_reported_but_not_down(stack):
    OutageFactory(cmdb_ci=stack["server"], type=Outage.Type.PLANNED, begin=at(10, 8), end=at(10, 10))
    figures = march(stack["service"]).figures
    assert (figures.downtime_minutes, figures.planned_minutes, figures.availability_percent) == (0, 120, 100)


def test_unplanned_outage_inside_a_planned_window_counts_only_outside_it(stack):
    OutageFactory(cmdb_ci=stack["server"], type=Outage.Type.PLANNED, begin=at(10, 8), end=at(10, 10))
    OutageFactory(cmdb_ci=stack["app"], begin=at(10, 9), end=at(10, 12))
    assert march(stack["service"]).figures.downtime_minutes == 120


def test_degradation_is_reported_apart(stack):
    OutageFactory(cmdb_ci=stack["app"], type=Outage.Type.DEGRADATION, begin=at(10, 8), end=at(10, 8, 20))
    figures = march(stack["service"]).figures
    assert (figures.downtime_minutes, figures.degraded_minutes) == (0, 20)


def test_open_outage_runs_until_now(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=None)
    result = service_availability(stack["service"], *MARCH, now=at(10, 8, 45))
    assert (result.figures.downtime_minutes, result.open_outages) == (45, 1)


def test_period_boundary_cuts_an_outage(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(31, 23), end=at(1, 1, month=4))
    assert march(stack["service"]).figures.downtime_minutes == 60


def test_commitment_is_met_with_the_margin_left(stack):
    # 99.9 % of March (31 days) allows 44.64 minutes down.
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 8, 30))
    [result] = march(stack["service"]).commitments
    assert (result.met, round(result.margin_minutes, 2)) == (True, 14.64)


def test_commitment_is_breached_with_a_negative_margin(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 9))
    [result] = march(stack["service"]).commitments
    assert (result.status, round(result.margin_minutes, 2)) == ("breached", -15.36)


def test_monthly_commitment_looked_at_mid_month_covers_the_whole_month(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(2, 8), end=at(2, 9))
    [result] = service_availability(stack["service"], at(15), at(20), now=LATER).commitments
    assert (result.period_start, result.downtime_minutes, result.met) == (at(1), 60, False)


def test_offering_is_measured_on_its_own(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 8, 10))
    assert march(stack["offering"]).figures.downtime_minutes == 10


def test_offering_is_down_while_its_parent_service_is_recorded_out(stack):
    OutageFactory(cmdb_ci=stack["service"], begin=at(10, 8), end=at(10, 8, 10))
    assert march(stack["offering"]).figures.downtime_minutes == 10


def test_mtbf_and_mtrs_over_the_period(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 9))
    OutageFactory(cmdb_ci=stack["app"], begin=at(20, 8), end=at(20, 11))
    figures = march(stack["service"]).figures
    assert (figures.mtrs_minutes, figures.mtbf_minutes) == (120, (31 * 24 * 60 - 240) / 2)


def test_many_services_at_once_agree_with_one_service_at_a_time(stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 9))
    OutageFactory(cmdb_ci=stack["service"], begin=at(10, 8, 30), end=at(10, 10))
    OutageFactory(cmdb_ci=ServerFactory(), begin=at(11, 8), end=at(11, 10))
    together = availability_of_services([stack["service"]], *MARCH, now=LATER)[stack["service"].pk]
    alone = march(stack["service"])
    assert (together.figures, [r.margin_seconds for r in together.commitments]) == (
        alone.figures,
        [r.margin_seconds for r in alone.commitments],
    )
