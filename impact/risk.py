"""A change's risk from its impact: Low, Moderate or High, and every reason for it in words.

Each factor that reaches a threshold of the CHANGE_RISK setting adds a reason with its own level;
the change's risk is the highest of them (Low when none applies). The factors: the business
criticality of its impacted services, the number of people affected, the conflicts with other
changes and open incidents, and the availability commitments its window would breach.

Customers impacted are not weighed yet: Runstage has no customer data (the customers app is to
come); add the factor here when it has.
"""

from dataclasses import dataclass, field
from enum import IntEnum

from django.conf import settings

from impact.conflicts import Conflict, conflicts_of
from impact.downtime import BudgetLine, downtime_budget
from impact.models import ChangeRequest, ImpactedService
from impact.people import people_affected_by_outage_of
from impact.services import task_source_ids
from offerings.models import ServiceOffering


class RiskLevel(IntEnum):
    LOW = 1
    MODERATE = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class RiskReason:
    level: RiskLevel
    text: str


@dataclass
class RiskAssessment:
    """A change's risk level and the reasons that make it so, highest first."""

    reasons: list[RiskReason] = field(default_factory=list)

    @property
    def level(self) -> RiskLevel:
        return max((reason.level for reason in self.reasons), default=RiskLevel.LOW)

    @property
    def label(self) -> str:
        return self.level.label


def _level(name) -> RiskLevel:
    return RiskLevel[str(name).upper()]


def number(value) -> str:
    """43.2, 30, 0.5: minutes to one decimal, without a trailing .0."""
    return f"{round(value, 1):g}"


def criticality_reasons(change) -> list[RiskReason]:
    """One reason per criticality level that raises the risk, naming the impacted services of that
    level; an offering whose service is impacted too is named through its service only."""
    levels = settings.CHANGE_RISK["CRITICALITY"]
    rows = (
        ImpactedService.objects.filter(task=change, service__business_criticality__in=list(levels))
        .select_related("service")
        .order_by("service__business_criticality", "service__name")
    )
    rows = list(rows)
    impacted_ids = set(ImpactedService.objects.filter(task=change).values_list("service_id", flat=True))
    offering_parents = dict(
        ServiceOffering.objects.filter(pk__in=[row.service_id for row in rows]).values_list("pk", "parent_id")
    )
    names_by_level = {}
    for row in rows:
        if offering_parents.get(row.service_id) in impacted_ids:
            continue
        names_by_level.setdefault(row.service.business_criticality, []).append(row.service.name)
    return [
        RiskReason(_level(levels[criticality]), f"{and_list(names)} ({criticality}) {verb(names)} impacted")
        for criticality, names in names_by_level.items()
    ]


def and_list(names) -> str:
    """ "A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def verb(names) -> str:
    return "is" if len(names) == 1 else "are"


def people_reasons(affected_people: int | None) -> list[RiskReason]:
    if affected_people is None:
        return []
    thresholds = settings.CHANGE_RISK
    for level, key in ((RiskLevel.HIGH, "PEOPLE_HIGH"), (RiskLevel.MODERATE, "PEOPLE_MODERATE")):
        if affected_people >= thresholds[key]:
            return [RiskReason(level, f"{affected_people} people are affected (from {thresholds[key]} on)")]
    return []


def conflict_reasons(conflicts: list[Conflict]) -> list[RiskReason]:
    thresholds = settings.CHANGE_RISK
    if len(conflicts) >= thresholds["CONFLICTS_HIGH"]:
        level = RiskLevel.HIGH
    elif len(conflicts) >= thresholds["CONFLICTS_MODERATE"]:
        level = RiskLevel.MODERATE
    else:
        return []
    return [RiskReason(level, f"conflict: {conflict.description}") for conflict in conflicts]


def budget_reasons(budget: list[BudgetLine]) -> list[RiskReason]:
    level = _level(settings.CHANGE_RISK["BUDGET_BREACH"])
    return [
        RiskReason(
            level,
            f"window uses {number(line.window_minutes)} of the {number(max(line.remaining_minutes, 0))} "
            f"minutes {line.offering.name} has left {line.period_label} "
            f"({number(line.target_percent)} % allows {number(line.allowed_minutes)})",
        )
        for line in budget
        if line.would_breach
    ]


def risk_of(
    change: ChangeRequest,
    affected_people: int | None = None,
    *,
    conflicts: list[Conflict] | None = None,
    budget: list[BudgetLine] | None = None,
) -> RiskAssessment:
    """The change's risk and its reasons.

    `affected_people` is the number of people the change affects ("Impacted people", issue 14);
    None leaves that factor out. Pass `conflicts` and `budget` when already computed (the change
    page shows them too) to save their queries.
    """
    conflicts = conflicts_of(change) if conflicts is None else conflicts
    budget = downtime_budget(change) if budget is None else budget
    reasons = [
        *criticality_reasons(change),
        *people_reasons(affected_people),
        *conflict_reasons(conflicts),
        *budget_reasons(budget),
    ]
    reasons.sort(key=lambda reason: -reason.level)
    return RiskAssessment(reasons=reasons)


@dataclass
class ChangeAssessment:
    """What a change page and the risk endpoint show: conflicts, downtime budget and risk."""

    conflicts: list[Conflict]
    budget: list[BudgetLine]
    risk: RiskAssessment


def assess_change(change: ChangeRequest, affected_people: int | None = None) -> ChangeAssessment:
    """Conflicts, budget and the risk from them, each computed once; the people count is counted
    here unless the caller has it already."""
    conflicts = conflicts_of(change)
    budget = downtime_budget(change)
    if affected_people is None:
        affected_people = people_affected_by_outage_of(task_source_ids(change)).count().total
    risk = risk_of(change, affected_people=affected_people, conflicts=conflicts, budget=budget)
    return ChangeAssessment(conflicts=conflicts, budget=budget, risk=risk)
