"""Down time: which outages can take a service down, and the downtime budget a change's window spends.

An availability commitment (e.g. 99.9 % monthly) allows so many minutes of down time per period. A
change whose planned window impacts an offering with such a commitment spends that budget if the
offering is down for the whole window: `downtime_budget(change)` weighs, per impacted offering and
commitment, what the period allows, what outages have already used (up to now), and what the window
would use. The portfolio's availability pages (portfolio/availability.py) read outages through the
same two functions, so "down" means the same in both places (impact/intervals.py).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from impact.engine import dependencies_of
from impact.intervals import (
    OutageSpan,
    allowed_downtime_seconds,
    clip,
    is_percentage_availability,
    measure,
    minutes,
    total_seconds,
)
from impact.models import ChangeRequest, ImpactedService, Outage
from impact.periods import calendar_period_containing
from offerings.models import OfferingCommitment, ServiceCommitment, ServiceOffering

# A commitment that names no period (or one impact.periods does not know) is weighed per month.
DEFAULT_BUDGET_PERIOD = "monthly"


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


# --- the downtime budget of a change -------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLine:
    """One impacted offering's availability commitment over the period the change's window falls in."""

    offering: ServiceOffering
    commitment: ServiceCommitment
    period_name: str  # "monthly", "quarterly", …
    period_start: datetime
    period_end: datetime
    target_percent: Decimal
    allowed_minutes: float  # what the commitment allows over the whole period
    used_minutes: float  # down time outages have already used in the period, up to now
    window_minutes: float  # the planned window's minutes inside the period
    measured_at: datetime  # the "now" used was measured up to

    @property
    def remaining_minutes(self) -> float:
        """What is left of the allowance before the window; negative when already breached."""
        return self.allowed_minutes - self.used_minutes

    @property
    def would_breach(self) -> bool:
        """Whether being down for the whole window would take the offering past its commitment."""
        return self.window_minutes > self.remaining_minutes

    @property
    def period_label(self) -> str:
        """ "this month", "in December 2026", "in Q1 2027", "in 2027", "in the week of 2026-12-07"…"""
        if self.period_start <= self.measured_at < self.period_end:
            return f"this {PERIOD_NOUNS.get(self.period_name, 'period')}"
        start = timezone.localtime(self.period_start)
        if self.period_name == "monthly":
            return f"in {start:%B %Y}"
        if self.period_name == "quarterly":
            return f"in Q{(start.month - 1) // 3 + 1} {start.year}"
        if self.period_name in ("yearly", "annually", "annual"):
            return f"in {start.year}"
        if self.period_name == "weekly":
            return f"in the week of {start:%Y-%m-%d}"
        return f"on {start:%Y-%m-%d}"


PERIOD_NOUNS = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "annually": "year",
    "annual": "year",
}


def budget_period(commitment, moment):
    """(period name, start, end) of the commitment's calendar period around `moment`."""
    name = (commitment.period or "").strip().lower()
    period = calendar_period_containing(name, moment)
    if period is None:
        name = DEFAULT_BUDGET_PERIOD
        period = calendar_period_containing(name, moment)
    return (name, *period)


def impacted_offering_commitments(change):
    """(offering, commitment) for every percentage availability commitment of the offerings among
    the change's impacted services, by offering and commitment name: two queries."""
    offering_ids = ImpactedService.objects.filter(
        task=change, service__sys_class_name=ServiceOffering._meta.db_table
    ).values_list("service_id", flat=True)
    rows = (
        OfferingCommitment.objects.filter(service_offering_id__in=list(offering_ids))
        .select_related("service_offering", "service_commitment")
        .order_by("service_offering__name", "service_commitment__name", "pk")
    )
    return [
        (row.service_offering, row.service_commitment)
        for row in rows
        if is_percentage_availability(row.service_commitment)
    ]


def downtime_budget(change: ChangeRequest, now: datetime | None = None) -> list[BudgetLine]:
    """Per impacted offering with an availability commitment: allowed, used and left this period,
    and whether the planned window would breach it. Empty when the change has no planned window.

    The period is the commitment's calendar period that holds the window's start; the window counts
    only its minutes inside that period. Used down time is measured up to `now`, as availability is.
    One graph walk per offering, then one query for all their outages.
    """
    window = change.planned_window
    if window is None:
        return []
    now = now or timezone.now()
    pairs = impacted_offering_commitments(change)
    if not pairs:
        return []
    periods = [budget_period(commitment, window[0]) for _offering, commitment in pairs]
    ci_ids_by_offering = {}
    for offering, _commitment in pairs:
        if offering.pk not in ci_ids_by_offering:
            ci_ids_by_offering[offering.pk] = ci_ids_that_can_take_down(offering)
    spans = load_outage_spans(
        min(start for _name, start, _end in periods),
        max(end for _name, _start, end in periods),
        set().union(*ci_ids_by_offering.values()),
    )
    lines = []
    for (offering, commitment), (name, start, end) in zip(pairs, periods, strict=True):
        ci_ids = ci_ids_by_offering[offering.pk]
        figures = measure([span for span in spans if span.ci_id in ci_ids], start, end, now)
        lines.append(
            BudgetLine(
                offering=offering,
                commitment=commitment,
                period_name=name,
                period_start=start,
                period_end=end,
                target_percent=commitment.target_value,
                allowed_minutes=minutes(allowed_downtime_seconds(commitment.target_value, start, end)),
                used_minutes=figures.downtime_minutes,
                window_minutes=minutes(total_seconds(clip([window], start, end))),
                measured_at=now,
            )
        )
    return lines
