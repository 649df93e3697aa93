"""Down time as intervals: (start, end) pairs clipped, merged and subtracted, and outages measured.

Pure Python, tested without a database: time inside a planned outage is never counted as down, and
outages that overlap count once. An open outage runs until now (or the period end, if that comes first).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from impact.models import Outage
from offerings.models import ServiceCommitment

# --- interval maths ---------------------------------------------------------------------------------


def clip(intervals, start, end):
    """The parts of `intervals` that fall inside [start, end); empty parts are dropped."""
    clipped = []
    for begin, finish in intervals:
        begin, finish = max(begin, start), min(finish, end)
        if begin < finish:
            clipped.append((begin, finish))
    return clipped


def merge(intervals):
    """Sorted, non-overlapping intervals covering the same time; touching intervals join."""
    merged = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged


def subtract(intervals, removed):
    """The parts of `intervals` outside every interval of `removed` (both merged first)."""
    removed = merge(removed)
    remaining = []
    for begin, finish in merge(intervals):
        cursor = begin
        for hole_begin, hole_end in removed:
            if hole_end <= cursor:
                continue
            if hole_begin >= finish:
                break
            if hole_begin > cursor:
                remaining.append((cursor, hole_begin))
            cursor = max(cursor, hole_end)
            if cursor >= finish:
                break
        if cursor < finish:
            remaining.append((cursor, finish))
    return remaining


def total_seconds(intervals):
    """The time covered by `intervals`, in seconds, counting overlaps once."""
    return sum((finish - begin).total_seconds() for begin, finish in merge(intervals))


def minutes(seconds):
    return seconds / 60


# --- availability commitments ------------------------------------------------------------------------


def allowed_downtime_seconds(target_percent, period_start, period_end):
    """Down time a target (e.g. 99.9 %) allows over a whole period, in seconds."""
    period_seconds = (period_end - period_start).total_seconds()
    return period_seconds * float(100 - Decimal(target_percent)) / 100


def is_percentage_availability(commitment):
    return (
        commitment.type == ServiceCommitment.Type.AVAILABILITY
        and commitment.target_value is not None
        and commitment.target_unit.strip() in ("%", "", "percent")
    )


# --- outages as intervals ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutageSpan:
    """The part of an outage record availability needs: which CI, what kind, from when to when."""

    ci_id: int
    type: str
    begin: datetime
    end: datetime | None  # None while the outage lasts

    def interval(self, now):
        """(begin, end); an open outage lasts until `now`."""
        return (self.begin, self.end if self.end is not None else max(now, self.begin))


@dataclass(frozen=True)
class AvailabilityFigures:
    """What happened to a service over one period."""

    start: datetime
    end: datetime
    measured_end: datetime  # min(end, now): the future is neither up nor down
    downtime_seconds: float
    degraded_seconds: float
    planned_seconds: float
    failures: int  # distinct stretches of down time
    outage_records: int  # outage records of any type that touch the period

    @property
    def measured_seconds(self):
        return max((self.measured_end - self.start).total_seconds(), 0.0)

    @property
    def uptime_seconds(self):
        return self.measured_seconds - self.downtime_seconds

    @property
    def availability_percent(self):
        """Share of the measured time without an outage; None for a period that has not begun."""
        if self.measured_seconds <= 0:
            return None
        return 100 * self.uptime_seconds / self.measured_seconds

    @property
    def mtbf_seconds(self):
        """Mean time between failures: up time / number of failures; None without failures."""
        return self.uptime_seconds / self.failures if self.failures else None

    @property
    def mtrs_seconds(self):
        """Mean time to restore service: down time / number of failures; None without failures."""
        return self.downtime_seconds / self.failures if self.failures else None

    @property
    def downtime_minutes(self):
        return minutes(self.downtime_seconds)

    @property
    def degraded_minutes(self):
        return minutes(self.degraded_seconds)

    @property
    def planned_minutes(self):
        return minutes(self.planned_seconds)

    @property
    def mtbf_minutes(self):
        return None if self.mtbf_seconds is None else minutes(self.mtbf_seconds)

    @property
    def mtrs_minutes(self):
        return None if self.mtrs_seconds is None else minutes(self.mtrs_seconds)


def down_intervals(spans, start, end, now):
    """Merged stretches of [start, min(end, now)) in which an unplanned outage ran outside planned work.

    One outage that a planned window cuts in two is one failure, not two: stretches are counted
    before the planned time is taken out, and kept when anything of them is left.
    """
    measured_end = min(end, now)
    by_type = intervals_by_type(spans, start, measured_end, now)
    planned = by_type[Outage.Type.PLANNED]
    stretches = []
    for stretch in merge(by_type[Outage.Type.OUTAGE]):
        remaining = subtract([stretch], planned)
        if remaining:
            stretches.append(remaining)
    return stretches


def intervals_by_type(spans, start, end, now):
    """Outage type -> the spans' intervals clipped to [start, end)."""
    by_type = defaultdict(list)
    for span in spans:
        by_type[span.type].extend(clip([span.interval(now)], start, end))
    return by_type


def measure(spans, start, end, now):
    """Availability figures of one period from the outage spans of every CI that can take it down."""
    measured_end = max(min(end, now), start)
    by_type = intervals_by_type(spans, start, measured_end, now)
    stretches = down_intervals(spans, start, end, now)
    down = [interval for stretch in stretches for interval in stretch]
    return AvailabilityFigures(
        start=start,
        end=end,
        measured_end=measured_end,
        downtime_seconds=total_seconds(down),
        degraded_seconds=total_seconds(by_type[Outage.Type.DEGRADATION]),
        planned_seconds=total_seconds(by_type[Outage.Type.PLANNED]),
        failures=len(stretches),
        outage_records=sum(1 for span in spans if clip([span.interval(now)], start, end)),
    )
