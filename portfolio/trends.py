"""How a service has been doing lately: availability per month, incidents per week.

Both series cost a fixed number of queries however many months, weeks or outages they cover: the
months come from one OutageTimeline (one graph walk, one outage query), the weeks from one query on
the incidents that list the service among their impacted services.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from impact.intervals import AvailabilityFigures
from impact.models import Incident
from impact.periods import add_months, start_of_month, week_start
from portfolio.availability import OutageTimeline

MONTHS = 12
WEEKS = 12


def last_months(count, now):
    """The last `count` calendar months, the current one included, oldest first: [(start, end)]."""
    current = start_of_month(now)
    return [(add_months(current, offset), add_months(current, offset + 1)) for offset in range(1 - count, 1)]


def last_weeks(count, now):
    """The last `count` ISO weeks (Monday to Monday), the current one included, oldest first."""
    current = week_start(now).replace(tzinfo=None)
    tz = timezone.get_current_timezone()
    starts = [current + timedelta(weeks=offset) for offset in range(1 - count, 1)]
    return [(timezone.make_aware(s, tz), timezone.make_aware(s + timedelta(weeks=1), tz)) for s in starts]


@dataclass(frozen=True)
class MonthlyAvailability:
    """One month of a service's availability."""

    start: datetime
    end: datetime
    figures: AvailabilityFigures

    @property
    def label(self):
        return f"{self.start:%b %Y}"

    @property
    def short_label(self):
        return f"{self.start:%b}"

    @property
    def availability_percent(self):
        return self.figures.availability_percent


@dataclass(frozen=True)
class WeeklyIncidents:
    """How many incidents that impact a service were opened in one ISO week."""

    start: datetime
    end: datetime
    count: int

    @property
    def label(self):
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def short_label(self):
        return f"{self.start:%d %b}"


def monthly_availability(timeline, months):
    """Availability of the timeline's service for each (start, end) month, from memory."""
    return [MonthlyAvailability(start, end, timeline.figures(start, end)) for start, end in months]


def incidents_impacting(service):
    """Incidents whose impacted services include `service`."""
    return Incident.objects.filter(impacted_service_rows__service=service)


def weekly_incident_counts(service, weeks):
    """Incidents impacting `service` opened in each (start, end) week: one query."""
    if not weeks:
        return []
    opened = incidents_impacting(service).filter(opened_at__gte=weeks[0][0], opened_at__lt=weeks[-1][1])
    moments = list(opened.values_list("opened_at", flat=True).distinct())
    return [
        WeeklyIncidents(start, end, sum(1 for moment in moments if start <= moment < end))
        for start, end in weeks
    ]


@dataclass
class ServiceTrends:
    """Twelve months of availability and twelve weeks of incidents for one service."""

    months: list[MonthlyAvailability]
    weeks: list[WeeklyIncidents]
    timeline: OutageTimeline


def service_trends(service, now=None, month_count=MONTHS, week_count=WEEKS):
    """The monthly availability and weekly incidents of `service`, oldest first."""
    now = now or timezone.now()
    months = last_months(month_count, now)
    timeline = OutageTimeline(service, months[0][0], months[-1][1], now=now)
    return ServiceTrends(
        months=monthly_availability(timeline, months),
        weeks=weekly_incident_counts(service, last_weeks(week_count, now)),
        timeline=timeline,
    )
