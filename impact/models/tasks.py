"""Tasks that touch the CMDB (incidents, change requests), their affected CIs and impacted services."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from cmdb.models import next_number
from core.models import SysIdModel
from customers.cases import resolve_proactive_cases


class TaskState(models.IntegerChoices):
    """One state column for every task table; each task class allows its own subset and transitions.

    Incident states keep ServiceNow's values. ServiceNow numbers change states differently
    (-5…0, and 3 means "Closed" there but "On Hold" for incidents); one shared column cannot hold
    both, so the change-only states take values of their own.
    """

    NEW = 1, "New"
    IN_PROGRESS = 2, "In Progress"
    ON_HOLD = 3, "On Hold"
    RESOLVED = 6, "Resolved"
    CLOSED = 7, "Closed"
    CANCELED = 8, "Canceled"
    ASSESS = 10, "Assess"
    AUTHORIZE = 11, "Authorize"
    SCHEDULED = 12, "Scheduled"
    IMPLEMENT = 13, "Implement"
    REVIEW = 14, "Review"


class TaskPriority(models.IntegerChoices):
    CRITICAL = 1, "1 - Critical"
    HIGH = 2, "2 - High"
    MODERATE = 3, "3 - Moderate"
    LOW = 4, "4 - Low"
    PLANNING = 5, "5 - Planning"


# States in which a task is finished: entering one stamps closed_at, leaving one clears it.
FINAL_STATES = frozenset({TaskState.CLOSED, TaskState.CANCELED})


def with_article(noun):
    """ "an incident", "a change request"."""
    return f"{'an' if str(noun)[:1].lower() in 'aeiou' else 'a'} {noun}"


class Task(SysIdModel):
    """Any unit of work with a number (`task`); incidents and change requests extend it."""

    NUMBER_PREFIX = "TASK"
    # Which states this class uses, in lifecycle order, and which moves between them are allowed.
    STATES = (TaskState.NEW, TaskState.IN_PROGRESS, TaskState.ON_HOLD, TaskState.CLOSED, TaskState.CANCELED)
    TRANSITIONS = {
        TaskState.NEW: {TaskState.IN_PROGRESS, TaskState.ON_HOLD, TaskState.CLOSED, TaskState.CANCELED},
        TaskState.IN_PROGRESS: {TaskState.ON_HOLD, TaskState.CLOSED, TaskState.CANCELED},
        TaskState.ON_HOLD: {TaskState.IN_PROGRESS, TaskState.CLOSED, TaskState.CANCELED},
        TaskState.CLOSED: set(),
        TaskState.CANCELED: set(),
    }
    # Whether saving the task recomputes its impacted services (incidents) or only a refresh does.
    REFRESH_IMPACTED_SERVICES_ON_SAVE = False

    number = models.CharField(max_length=40, unique=True, editable=False, blank=True)
    sys_class_name = models.CharField("class", max_length=80, db_index=True, editable=False)
    short_description = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    state = models.IntegerField(choices=TaskState.choices, default=TaskState.NEW, db_index=True)
    priority = models.IntegerField(choices=TaskPriority.choices, default=TaskPriority.LOW)
    cmdb_ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name="configuration item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    opened_by = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="opened_tasks"
    )
    assigned_to = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tasks"
    )
    assignment_group = models.ForeignKey(
        "cmdb.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tasks"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    affected_cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", through="impact.AffectedCI", related_name="affected_by_tasks", blank=True
    )
    impacted_services = models.ManyToManyField(
        "cmdb.Service", through="impact.ImpactedService", related_name="impacted_by_tasks", blank=True
    )

    class Meta:
        db_table = "task"
        ordering = ["-opened_at", "-number"]

    def __str__(self):
        return f"{self.number}: {self.short_description}" if self.number else self.short_description

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the stored state so clean() can tell a transition from an unchanged state.
        instance._loaded_state = instance.__dict__.get("state")
        return instance

    def allowed_transitions(self, from_state=None):
        """States this task may move to from `from_state` (default: its current state)."""
        current = self.state if from_state is None else from_state
        return set(self.TRANSITIONS.get(current, set()))

    def check_transition(self, from_state, to_state):
        kind = with_article(self._meta.verbose_name)
        if to_state not in self.STATES:
            raise ValidationError({"state": f"{TaskState(to_state).label} is not a state of {kind}."})
        if from_state is None or from_state == to_state:
            return
        if to_state not in self.allowed_transitions(from_state):
            raise ValidationError(
                {
                    "state": f"{kind.capitalize()} cannot move from "
                    f"{TaskState(from_state).label} to {TaskState(to_state).label}."
                }
            )

    def set_state(self, new_state):
        """The one way to change state: checks the transition, then stamps or clears closed_at."""
        new_state = TaskState(new_state)
        self.check_transition(self.state if self.pk else None, new_state)
        self.state = new_state
        self._sync_closed_at()

    def clean(self):
        super().clean()
        if self.state is not None:
            self.check_transition(getattr(self, "_loaded_state", None) if self.pk else None, self.state)

    def _sync_closed_at(self):
        if self.state in FINAL_STATES:
            if self.closed_at is None:
                self.closed_at = timezone.now()
        else:
            self.closed_at = None

    def save(self, *args, **kwargs):
        self.sys_class_name = self._meta.db_table
        self._sync_closed_at()
        if self.number:
            super().save(*args, **kwargs)
        else:
            # The number is taken in the same transaction as the insert: a failed insert hands it back.
            try:
                with transaction.atomic(using=kwargs.get("using")):
                    self.number = next_number(self.NUMBER_PREFIX)
                    super().save(*args, **kwargs)
            except Exception:
                self.number = ""
                raise
        self._loaded_state = self.state


class Incident(Task):
    """An unplanned interruption or reduction in quality of a service (`incident`)."""

    NUMBER_PREFIX = "INC"
    STATES = (
        TaskState.NEW,
        TaskState.IN_PROGRESS,
        TaskState.ON_HOLD,
        TaskState.RESOLVED,
        TaskState.CLOSED,
        TaskState.CANCELED,
    )
    TRANSITIONS = {
        TaskState.NEW: {TaskState.IN_PROGRESS, TaskState.ON_HOLD, TaskState.RESOLVED, TaskState.CANCELED},
        TaskState.IN_PROGRESS: {TaskState.ON_HOLD, TaskState.RESOLVED, TaskState.CANCELED},
        TaskState.ON_HOLD: {TaskState.IN_PROGRESS, TaskState.RESOLVED, TaskState.CANCELED},
        TaskState.RESOLVED: {TaskState.IN_PROGRESS, TaskState.CLOSED},
        TaskState.CLOSED: set(),
        TaskState.CANCELED: set(),
    }
    REFRESH_IMPACTED_SERVICES_ON_SAVE = True

    caller = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents_raised"
    )

    class Meta:
        db_table = "incident"
        ordering = ["-opened_at", "-number"]

    def save(self, *args, **kwargs):
        # Resolving (or closing) an incident resolves the proactive cases opened for its customers,
        # in the same transaction.
        finishing = self.state in (TaskState.RESOLVED, TaskState.CLOSED) and getattr(
            self, "_loaded_state", None
        ) not in (TaskState.RESOLVED, TaskState.CLOSED)
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if finishing and self.pk:
                resolve_proactive_cases(self)


class ChangeRequest(Task):
    """A planned change to the CMDB's CIs (`change_request`)."""

    class Type(models.TextChoices):
        NORMAL = "normal", "Normal"
        STANDARD = "standard", "Standard"
        EMERGENCY = "emergency", "Emergency"

    NUMBER_PREFIX = "CHG"
    STATES = (
        TaskState.NEW,
        TaskState.ASSESS,
        TaskState.AUTHORIZE,
        TaskState.SCHEDULED,
        TaskState.IMPLEMENT,
        TaskState.REVIEW,
        TaskState.CLOSED,
        TaskState.CANCELED,
    )
    TRANSITIONS = {
        TaskState.NEW: {TaskState.ASSESS, TaskState.CANCELED},
        TaskState.ASSESS: {TaskState.AUTHORIZE, TaskState.NEW, TaskState.CANCELED},
        TaskState.AUTHORIZE: {TaskState.SCHEDULED, TaskState.NEW, TaskState.CANCELED},
        TaskState.SCHEDULED: {TaskState.IMPLEMENT, TaskState.NEW, TaskState.CANCELED},
        TaskState.IMPLEMENT: {TaskState.REVIEW, TaskState.CANCELED},
        TaskState.REVIEW: {TaskState.CLOSED},
        TaskState.CLOSED: set(),
        TaskState.CANCELED: set(),
    }

    type = models.CharField(max_length=20, choices=Type.choices, default=Type.NORMAL)
    start_date = models.DateTimeField("planned start", null=True, blank=True)
    end_date = models.DateTimeField("planned end", null=True, blank=True)

    class Meta:
        db_table = "change_request"
        ordering = ["-opened_at", "-number"]
        verbose_name = "change request"
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="change_request_end_after_start",
                violation_error_message="The planned end cannot be before the planned start.",
            )
        ]

    def allowed_transitions(self, from_state=None):
        allowed = super().allowed_transitions(from_state)
        current = self.state if from_state is None else from_state
        # Standard changes are pre-authorised: they may go from New straight to Scheduled.
        if self.type == self.Type.STANDARD and current == TaskState.NEW:
            allowed.add(TaskState.SCHEDULED)
        return allowed


class AffectedCI(SysIdModel):
    """A CI a task affects besides its main CI (`task_ci`)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="affected_ci_rows")
    # ServiceNow calls the column ci_item.
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        db_column="ci_item",
        verbose_name="configuration item",
        on_delete=models.CASCADE,
        related_name="affected_ci_rows",
    )

    class Meta:
        db_table = "task_ci"
        verbose_name = "affected CI"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "ci"],
                name="task_ci_unique",
                violation_error_message="This CI is already listed as affected by this task.",
            )
        ]

    def __str__(self):
        return f"{self.task.number}: {self.ci}"


class ImpactedService(SysIdModel):
    """A business service or offering a task impacts (`task_cmdb_ci_service`).

    Computed rows are replaced by every refresh; rows added by hand (`manually_added`) are kept.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="impacted_service_rows")
    service = models.ForeignKey(
        "cmdb.Service",
        db_column="cmdb_ci_service",
        on_delete=models.CASCADE,
        related_name="impacted_service_rows",
    )
    manually_added = models.BooleanField(default=False)

    class Meta:
        db_table = "task_cmdb_ci_service"
        ordering = ["service__name"]
        verbose_name = "impacted service"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "service"],
                name="task_cmdb_ci_service_unique",
                violation_error_message="This service is already listed as impacted by this task.",
            )
        ]

    def __str__(self):
        return f"{self.task.number}: {self.service}"
