"""Availability of a service: how much of a period it was up, and whether its commitments were met.

A service is down while an unplanned outage (type "outage") runs on the service itself or on any CI
below it whose outage reaches it (`impact.engine.dependencies_of`). Degradations and planned outages
are reported apart, in minutes; time inside a planned outage is never counted as down, and outages
that overlap count once. An open outage runs until now (or the period end, if that comes first).

The interval maths (impact/intervals.py) and calendar periods (impact/periods.py) are pure
Python; the functions here walk the dependency graph once per service and then read the outages of
every CI involved in ONE query, whatever the number of outages, months or commitments.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from impact.downtime import ci_ids_that_can_take_down, load_outage_spans
from impact.engine import dependencies_of, impacted_by
from impact.intervals import (
    AvailabilityFigures,
    allowed_downtime_seconds,
    is_percentage_availability,
    measure,
    minutes,
)
from impact.periods import commitment_periods, month_range, window_for_commitments
from offerings.models import OfferingCommitment, ServiceCommitment, ServiceOffering

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


# --- reading the database ----------------------------------------------------------------------------


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
