"""Availability of a service: how much of a period it was up, and whether its commitments were met.

A service is down while an unplanned outage (type "outage") runs on the service itself or on any CI
below it whose outage reaches it (`impact.engine.dependencies_of`). Degradations and planned outages
are reported apart, in minutes; time inside a planned outage is never counted as down, and outages
that overlap count once. An open outage runs until now (or the period end, if that comes first).

The interval maths is pure Python on (start, end) pairs, so it is tested without a database; the
functions that read the database walk the dependency graph once per service and then read the
outages of every CI involved in ONE query, whatever the number of outages, months or commitments.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from impact.engine import dependencies_of, impacted_by
from impact.models import Outage
from offerings.models import OfferingCommitment, ServiceCommitment, ServiceOffering

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


# --- commitment periods ------------------------------------------------------------------------------


def start_of_day(moment):
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_month(moment):
    return start_of_day(moment).replace(day=1)


def week_start(moment):
    """Monday 00:00 of the ISO week of `moment`, in the current time zone."""
    day = start_of_day(moment)
    return timezone.make_aware(day.replace(tzinfo=None) - timedelta(days=day.weekday()), day.tzinfo)


def add_months(month_start, count):
    """The first moment of the month `count` months after `month_start` (a first of the month)."""
    index = month_start.year * 12 + month_start.month - 1 + count
    naive = month_start.replace(tzinfo=None).replace(year=index // 12, month=index % 12 + 1, day=1)
    return timezone.make_aware(naive, month_start.tzinfo)


def month_range(moment):
    """[first moment of the month of `moment`, first moment of the next month)."""
    first = start_of_month(moment)
    return first, add_months(first, 1)


PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12, "annually": 12, "annual": 12}
PERIOD_DAYS = {"daily": 1, "weekly": 7}


def calendar_period_containing(period_name, moment):
    """The calendar period (a day, an ISO week, a month, a quarter, a year) around `moment`.

    None for a period name this module does not know; the caller then evaluates over the period it
    was asked about.
    """
    name = (period_name or "").strip().lower()
    if name in PERIOD_DAYS:
        first = week_start(moment) if name == "weekly" else start_of_day(moment)
        naive_end = first.replace(tzinfo=None) + timedelta(days=PERIOD_DAYS[name])
        return first, timezone.make_aware(naive_end, first.tzinfo)
    if name in PERIOD_MONTHS:
        length = PERIOD_MONTHS[name]
        month = start_of_month(moment)
        first = add_months(month, -((month.month - 1) % length))
        return first, add_months(first, length)
    return None


def commitment_periods(period_name, start, end):
    """Every calendar period of the commitment's kind that overlaps [start, end), in order.

    A commitment with no (or an unknown) period is evaluated over [start, end) itself.
    """
    first = calendar_period_containing(period_name, start)
    if first is None:
        return [(start, end)]
    periods = [first]
    while periods[-1][1] < end:
        periods.append(calendar_period_containing(period_name, periods[-1][1]))
    return periods


def window_for_commitments(commitments, start, end):
    """[start, end) widened to whole periods of the (offering, commitment) pairs' commitments.

    A monthly commitment looked at from mid-month needs the whole month's outages.
    """
    for _offering, commitment in commitments:
        periods = commitment_periods(commitment.period, start, end)
        start, end = min(start, periods[0][0]), max(end, periods[-1][1])
    return start, end


# --- commitments -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentPeriodResult:
    """One availability commitment over one of its periods: met or breached, and by how much."""

    offering: ServiceOffering
    commitment: ServiceCommitment
    period_start: datetime
    period_end: datetime
    complete: bool  # False while the period is still running: the margin is what is left of it
    target_percent: Decimal
    allowed_downtime_seconds: float
    downtime_seconds: float

    @property
    def margin_seconds(self):
        """Allowed minus actual down time; negative when breached."""
        return self.allowed_downtime_seconds - self.downtime_seconds

    @property
    def met(self):
        return self.margin_seconds >= 0

    @property
    def allowed_downtime_minutes(self):
        return minutes(self.allowed_downtime_seconds)

    @property
    def downtime_minutes(self):
        return minutes(self.downtime_seconds)

    @property
    def margin_minutes(self):
        return minutes(self.margin_seconds)

    @property
    def status(self):
        return "met" if self.met else "breached"


def allowed_downtime_seconds(target_percent, period_start, period_end):
    """Down time a target (e.g. 99.9 %) allows over a whole period, in seconds."""
    period_seconds = (period_end - period_start).total_seconds()
    return period_seconds * float(100 - Decimal(target_percent)) / 100


def evaluate_commitment(offering, commitment, spans, period_start, period_end, now):
    """Whether `commitment` held for `offering` over one period, given the spans that can take it down."""
    figures = measure(spans, period_start, period_end, now)
    return CommitmentPeriodResult(
        offering=offering,
        commitment=commitment,
        period_start=period_start,
        period_end=period_end,
        complete=period_end <= now,
        target_percent=commitment.target_value,
        allowed_downtime_seconds=allowed_downtime_seconds(commitment.target_value, period_start, period_end),
        downtime_seconds=figures.downtime_seconds,
    )


def is_percentage_availability(commitment):
    return (
        commitment.type == ServiceCommitment.Type.AVAILABILITY
        and commitment.target_value is not None
        and commitment.target_unit.strip() in ("%", "", "percent")
    )


# --- reading the database ----------------------------------------------------------------------------


def ci_ids_that_can_take_down(service, depths=None):
    """The service and every CI below it whose outage reaches it: one walk of the graph.

    An offering is also down while its parent service is recorded as out as a whole. Pass the
    `dependencies_of` result as `depths` when it is already known.
    """
    ci_ids = set(dependencies_of([service.pk]) if depths is None else depths)
    ci_ids.add(service.pk)
    parent_id = getattr(service, "parent_id", None)
    if parent_id is not None:
        ci_ids.add(parent_id)
    return ci_ids


def load_outage_spans(start, end, ci_ids=None):
    """The outages that overlap [start, end), of these CIs only unless `ci_ids` is None: one query."""
    outages = Outage.objects.overlapping(start, end)
    if ci_ids is not None:
        if not ci_ids:
            return []
        outages = outages.filter(cmdb_ci_id__in=sorted(ci_ids))
    return [OutageSpan(*row) for row in outages.values_list("cmdb_ci_id", "type", "begin", "end")]


def as_offering(service):
    """The service as a ServiceOffering when it is one, else None (no query when already known)."""
    if isinstance(service, ServiceOffering):
        return service
    if service.sys_class_name != ServiceOffering._meta.db_table:
        return None
    return ServiceOffering.objects.get(pk=service.pk)


def availability_commitments(service):
    """(offering, commitment) for every percentage availability commitment: the service's own when it
    is an offering, else those of its offerings. One query."""
    offering = as_offering(service)
    rows = OfferingCommitment.objects.select_related("service_offering", "service_commitment").order_by(
        "service_offering__name", "service_commitment__name"
    )
    rows = (
        rows.filter(service_offering=offering) if offering else rows.filter(service_offering__parent=service)
    )
    return [
        (row.service_offering, row.service_commitment)
        for row in rows
        if is_percentage_availability(row.service_commitment)
    ]


@dataclass
class ServiceAvailability:
    """A service's availability over a period, and each of its availability commitments per period."""

    service: object
    figures: AvailabilityFigures
    commitments: list[CommitmentPeriodResult] = field(default_factory=list)
    open_outages: int = 0  # unplanned or not, still running

    @property
    def commitments_met(self):
        """True when every commitment period was met, None when there is no commitment."""
        if not self.commitments:
            return None
        return all(result.met for result in self.commitments)


class OutageTimeline:
    """The outages that can reach a service and its offerings over a window, read once.

    Walks the graph once for the service and once per offering that carries an availability
    commitment (an offering may rely on less than its whole service), then reads every outage of
    all those CIs over the window in one query. Figures for any period inside the window come from
    memory after that.
    """

    def __init__(self, service, window_start, window_end, now=None):
        service = as_offering(service) or service  # an offering also answers for its parent service
        self.service = service
        self.now = now or timezone.now()
        self.commitments = availability_commitments(service)
        # pk -> depth below the service, the service itself at 0; kept for the dependency picture.
        self.depths = dependencies_of([service.pk]) or {service.pk: 0}
        self.ci_ids_by_target = {service.pk: ci_ids_that_can_take_down(service, self.depths)}
        for offering, _commitment in self.commitments:
            if offering.pk not in self.ci_ids_by_target:
                self.ci_ids_by_target[offering.pk] = ci_ids_that_can_take_down(offering)
        window = window_for_commitments(self.commitments, window_start, window_end)
        self.spans = load_outage_spans(*window, set().union(*self.ci_ids_by_target.values()))

    def spans_for(self, target_pk):
        ci_ids = self.ci_ids_by_target[target_pk]
        return [span for span in self.spans if span.ci_id in ci_ids]

    def figures(self, start, end):
        """The service's availability figures over [start, end), which must lie inside the window."""
        return measure(self.spans_for(self.service.pk), start, end, self.now)

    def commitment_results(self, start, end):
        """Each availability commitment evaluated over each of its periods that overlaps [start, end)."""
        results = []
        for offering, commitment in self.commitments:
            spans = self.spans_for(offering.pk)
            for period_start, period_end in commitment_periods(commitment.period, start, end):
                results.append(
                    evaluate_commitment(offering, commitment, spans, period_start, period_end, self.now)
                )
        return results

    def availability(self, start, end):
        return ServiceAvailability(
            service=self.service,
            figures=self.figures(start, end),
            commitments=self.commitment_results(start, end),
            open_outages=len(self.open_outages()),
        )

    def open_outages(self):
        """Outages still running on the service or below it, newest first."""
        return sorted(
            (span for span in self.spans_for(self.service.pk) if span.end is None),
            key=lambda span: span.begin,
            reverse=True,
        )


def service_availability(service, start, end, now=None):
    """Availability of `service` (any Service, offerings included) over [start, end)."""
    return OutageTimeline(service, start, end, now=now).availability(start, end)


def current_month(now=None):
    """[first of this month, first of next month) in the current time zone."""
    return month_range(now or timezone.now())


def availability_of_services(services, start, end, now=None):
    """ServiceAvailability over [start, end) for many services at once, by service pk.

    Walking down from every service would cost a walk per service; instead the outages that touch
    the period are read first (one query, whatever their CI) and the engine walks UP once from each
    CI that had one. The cost therefore grows with the number of CIs that had an outage in the
    period, not with the number of services shown.
    """
    now = now or timezone.now()
    services = list(services)
    service_ids = {service.pk for service in services}
    rows = (
        OfferingCommitment.objects.filter(service_offering__parent_id__in=service_ids)
        .select_related("service_offering", "service_commitment")
        .order_by("service_offering__name", "service_commitment__name")
    )
    commitments_by_service = defaultdict(list)
    for row in rows:
        if is_percentage_availability(row.service_commitment):
            commitments_by_service[row.service_offering.parent_id].append(
                (row.service_offering, row.service_commitment)
            )
    every_commitment = [pair for pairs in commitments_by_service.values() for pair in pairs]
    spans = load_outage_spans(*window_for_commitments(every_commitment, start, end))
    reaches = {ci_id: set(impacted_by([ci_id]).impacted) for ci_id in sorted({span.ci_id for span in spans})}

    def spans_reaching(target_pk, parent_id=None):
        return [span for span in spans if target_pk in reaches[span.ci_id] or span.ci_id == parent_id]

    results = {}
    for service in services:
        service_spans = spans_reaching(service.pk)
        commitments = [
            evaluate_commitment(
                offering, commitment, spans_reaching(offering.pk, offering.parent_id), p_start, p_end, now
            )
            for offering, commitment in commitments_by_service[service.pk]
            for p_start, p_end in commitment_periods(commitment.period, start, end)
        ]
        results[service.pk] = ServiceAvailability(
            service=service,
            figures=measure(service_spans, start, end, now),
            commitments=commitments,
            open_outages=sum(1 for span in service_spans if span.end is None),
        )
    return results
