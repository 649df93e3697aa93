"""What a change collides with: other changes in the same window on the same CIs or services, and
incidents still open on the services it impacts.

Two planned windows conflict when they overlap by more than an instant: one change ending at 02:00
and the next starting at 02:00 is a hand-over, not a conflict. A change's CIs are its main CI and its
affected CIs; its services are its impacted services as stored (refreshed when it leaves New and
whenever its CIs change, impact.changes). The query count does not depend on how many changes,
CIs or services are involved.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from impact.models import FINAL_STATES, AffectedCI, ChangeRequest, ImpactedService, Incident, TaskState
from impact.services import task_source_ids

# How many shared services a conflict names in words before it says "and N more".
SERVICES_NAMED = 3
# An incident is open until it is resolved.
INCIDENT_DONE_STATES = frozenset({TaskState.RESOLVED, TaskState.CLOSED, TaskState.CANCELED})


@dataclass
class Conflict:
    """One other task that collides with a change, and where."""

    kind: str  # "change" or "incident"
    task: object  # the other ChangeRequest or Incident
    shared_cis: list = field(default_factory=list)  # ConfigurationItem
    shared_services: list = field(default_factory=list)  # Service
    window_start: datetime | None = None  # the other change's planned window; an incident's opening
    window_end: datetime | None = None

    @property
    def where(self) -> str:
        """ "CI db-01, service Billing" — which CIs and services the two share."""
        parts = [f"CI {ci.name}" for ci in self.shared_cis]
        services = [service.name for service in self.shared_services]
        if services:
            shown = ", ".join(services[:SERVICES_NAMED])
            more = len(services) - SERVICES_NAMED
            word = "service" if len(services) == 1 else "services"
            parts.append(f"{word} {shown}" + (f" and {more} more" if more > 0 else ""))
        return ", ".join(parts)

    @property
    def description(self) -> str:
        """The conflict in words, as the change page and the risk reasons show it."""
        if self.kind == "incident":
            return (
                f"open incident {self.task.number} ({self.task.short_description}) on {self.where}, "
                f"open since {_moment(self.window_start)}"
            )
        return (
            f"change {self.task.number} ({self.task.short_description}) is planned "
            f"{_moment(self.window_start)} to {_moment(self.window_end)} on {self.where}"
        )


def _moment(value):
    return value.strftime("%Y-%m-%d %H:%M") if value else "?"


def conflicts_of(change: ChangeRequest) -> list[Conflict]:
    """Other open changes whose planned windows overlap this one's on a shared CI or impacted service,
    then incidents open on its impacted services; each says which CIs or services are shared."""
    ci_ids = set(task_source_ids(change))
    service_ids = set(ImpactedService.objects.filter(task=change).values_list("service_id", flat=True))
    return _overlapping_changes(change, ci_ids, service_ids) + _open_incidents(service_ids)


def _overlapping_changes(change, ci_ids, service_ids):
    window = change.planned_window
    if window is None or not (ci_ids or service_ids):
        return []
    start, end = window
    # Strict inequalities: windows that only touch (one's end is the other's start) do not conflict.
    others = (
        ChangeRequest.objects.exclude(pk=change.pk)
        .exclude(state__in=FINAL_STATES)
        .filter(start_date__lt=end, end_date__gt=start)
        .filter(
            Q(cmdb_ci_id__in=ci_ids)
            | Q(affected_ci_rows__ci_id__in=ci_ids)
            | Q(impacted_service_rows__service_id__in=service_ids)
        )
        .distinct()
        .select_related("cmdb_ci")
        .order_by("start_date", "number")
    )
    others = list(others)
    if not others:
        return []
    other_ids = [other.pk for other in others]
    shared_cis = defaultdict(dict)
    for other in others:
        if other.cmdb_ci_id in ci_ids:
            shared_cis[other.pk][other.cmdb_ci_id] = other.cmdb_ci
    for row in AffectedCI.objects.filter(task_id__in=other_ids, ci_id__in=ci_ids).select_related("ci"):
        shared_cis[row.task_id][row.ci_id] = row.ci
    shared_services = _shared_services(other_ids, service_ids)
    return [
        Conflict(
            kind="change",
            task=other,
            shared_cis=sorted(shared_cis[other.pk].values(), key=lambda ci: ci.name),
            shared_services=shared_services[other.pk],
            window_start=other.start_date,
            window_end=other.end_date,
        )
        for other in others
    ]


def _shared_services(task_ids, service_ids):
    by_task = defaultdict(list)
    rows = (
        ImpactedService.objects.filter(task_id__in=task_ids, service_id__in=service_ids)
        .select_related("service")
        .order_by("service__name", "service_id")
    )
    for row in rows:
        by_task[row.task_id].append(row.service)
    return by_task


def _open_incidents(service_ids):
    if not service_ids:
        return []
    incidents = list(
        Incident.objects.exclude(state__in=INCIDENT_DONE_STATES)
        .filter(impacted_service_rows__service_id__in=service_ids)
        .distinct()
        .order_by("opened_at", "number")
    )
    shared_services = _shared_services([incident.pk for incident in incidents], service_ids)
    return [
        Conflict(
            kind="incident",
            task=incident,
            shared_services=shared_services[incident.pk],
            window_start=incident.opened_at,
        )
        for incident in incidents
    ]
