"""The interval maths behind availability, without a database."""

import datetime

from impact.intervals import OutageSpan, clip, measure, merge, subtract, total_seconds
from impact.periods import commitment_periods
from portfolio.availability import allowed_downtime_seconds

UTC = datetime.UTC


def at(day, hour=0, minute=0, month=3):
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=UTC)


MARCH = (at(1), at(1, month=4))
LATER = at(1, month=6)


def span(begin, end, type="outage", ci_id=1):
    return OutageSpan(ci_id=ci_id, type=type, begin=begin, end=end)


def test_merge_joins_overlapping_intervals():
    assert merge([(at(1, 2), at(1, 4)), (at(1, 1), at(1, 3))]) == [(at(1, 1), at(1, 4))]


def test_merge_keeps_disjoint_intervals_apart_in_order():
    assert merge([(at(2), at(2, 1)), (at(1), at(1, 1))]) == [(at(1), at(1, 1)), (at(2), at(2, 1))]


def test_merge_swallows_an_interval_inside_another():
    assert merge([(at(1, 1), at(1, 9)), (at(1, 2), at(1, 3))]) == [(at(1, 1), at(1, 9))]


def test_clip_cuts_intervals_to_the_period():
    assert clip([(at(1, 22), at(2, 2))], at(2), at(3)) == [(at(2), at(2, 2))]


def test_clip_drops_intervals_outside_the_period():
    assert clip([(at(1), at(1, 1))], at(2), at(3)) == []


def test_subtract_cuts_a_hole_in_the_middle():
    assert subtract([(at(1, 1), at(1, 5))], [(at(1, 2), at(1, 3))]) == [
        (at(1, 1), at(1, 2)),
        (at(1, 3), at(1, 5)),
    ]


def test_subtract_removes_an_interval_covered_entirely():
    assert subtract([(at(1, 2), at(1, 3))], [(at(1, 1), at(1, 5))]) == []


def test_total_seconds_counts_overlaps_once():
    assert total_seconds([(at(1, 1), at(1, 3)), (at(1, 2), at(1, 4))]) == 3 * 3600


def test_a_single_outage_is_its_length_of_downtime():
    figures = measure([span(at(10, 8), at(10, 9))], *MARCH, now=LATER)
    assert figures.downtime_minutes == 60


def test_availability_is_the_share_of_time_without_outage():
    figures = measure([span(at(10, 8), at(10, 9))], *MARCH, now=LATER)
    assert figures.availability_percent == 100 * (31 * 24 - 1) / (31 * 24)


def test_overlapping_outages_on_two_cis_are_not_double_counted():
    spans = [span(at(10, 8), at(10, 10), ci_id=1), span(at(10, 9), at(10, 11), ci_id=2)]
    figures = measure(spans, *MARCH, now=LATER)
    assert (figures.downtime_minutes, figures.failures) == (180, 1)


def test_planned_outage_is_not_downtime():
    figures = measure([span(at(10, 8), at(10, 10), type="planned")], *MARCH, now=LATER)
    assert (figures.downtime_minutes, figures.planned_minutes) == (0, 120)


def test_unplanned_outage_counts_only_outside_a_planned_window():
    spans = [span(at(10, 8), at(10, 10), type="planned"), span(at(10, 9), at(10, 11))]
    figures = measure(spans, *MARCH, now=LATER)
    assert figures.downtime_minutes == 60


def test_outage_cut_in_two_by_a_planned_window_is_one_failure():
    spans = [span(at(10, 9), at(10, 10), type="planned"), span(at(10, 8), at(10, 11))]
    figures = measure(spans, *MARCH, now=LATER)
    assert (figures.downtime_minutes, figures.failures) == (120, 1)


def test_degradation_is_reported_apart_and_not_down():
    figures = measure([span(at(10, 8), at(10, 8, 45), type="degradation")], *MARCH, now=LATER)
    assert (figures.downtime_minutes, figures.degraded_minutes) == (0, 45)


def test_open_outage_runs_until_now():
    figures = measure([span(at(10, 8), None)], *MARCH, now=at(10, 8, 30))
    assert figures.downtime_minutes == 30


def test_open_outage_runs_until_the_period_end_when_that_comes_first():
    figures = measure([span(at(31, 23), None)], *MARCH, now=LATER)
    assert figures.downtime_minutes == 60


def test_availability_of_a_running_period_is_measured_up_to_now():
    figures = measure([span(at(1, 0), at(1, 1))], *MARCH, now=at(1, 2))
    assert figures.availability_percent == 50


def test_period_boundary_cuts_an_outage():
    figures = measure([span(at(28, 23, month=2), at(1, 2))], *MARCH, now=LATER)
    assert figures.downtime_minutes == 120


def test_mtrs_is_downtime_per_failure():
    spans = [span(at(10, 8), at(10, 9)), span(at(20, 8), at(20, 11))]
    figures = measure(spans, *MARCH, now=LATER)
    assert figures.mtrs_minutes == 120


def test_mtbf_is_uptime_per_failure():
    spans = [span(at(10, 8), at(10, 9)), span(at(20, 8), at(20, 11))]
    figures = measure(spans, *MARCH, now=LATER)
    assert figures.mtbf_minutes == (31 * 24 * 60 - 240) / 2


def test_mtbf_and_mtrs_are_undefined_without_failures():
    figures = measure([], *MARCH, now=LATER)
    assert (figures.mtbf_minutes, figures.mtrs_minutes, figures.availability_percent) == (None, None, 100)


def test_allowed_downtime_of_99_9_percent_over_30_days_is_43_2_minutes():
    assert allowed_downtime_seconds("99.9", at(1, month=4), at(1, month=5)) / 60 == 43.2


def test_monthly_commitment_periods_are_calendar_months():
    assert commitment_periods("Monthly", at(15), at(10, month=5)) == [
        (at(1), at(1, month=4)),
        (at(1, month=4), at(1, month=5)),
        (at(1, month=5), at(1, month=6)),
    ]


def test_quarterly_commitment_period_is_the_calendar_quarter():
    assert commitment_periods("quarterly", at(15, month=5), at(16, month=5)) == [
        (at(1, month=4), at(1, month=7))
    ]


def test_commitment_without_a_period_is_evaluated_over_the_period_asked():
    assert commitment_periods("", at(15), at(20)) == [(at(15), at(20))]
