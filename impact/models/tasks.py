"""Tasks that touch the CMDB (incidents, change requests), their affected CIs and impacted services."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from cmdb.models import Group, next_number
from core.models import SysIdModel
from core.workflow import Workflow, WorkflowModel
from customers.cases import resolve_proactive_cases
from impact.signals import task_state_changed


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


class Task(WorkflowModel, SysIdModel):
    """Any unit of work with a number (`task`); incidents and change requests extend it."""

    NUMBER_PREFIX = "TASK"
    # The states this class uses, in lifecycle order, and the moves allowed between them.
    workflow = Workflow(
        TaskState,
        {
            TaskState.NEW: {TaskState.IN_PROGRESS, TaskState.ON_HOLD, TaskState.CLOSED, TaskState.CANCELED},
            TaskState.IN_PROGRESS: {TaskState.ON_HOLD, TaskState.CLOSED, TaskState.CANCELED},
            TaskState.ON_HOLD: {TaskState.IN_PROGRESS, TaskState.CLOSED, TaskState.CANCELED},
            TaskState.CLOSED: set(),
            TaskState.CANCELED: set(),
        },
    )
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

    @classmethod
    def states(cls):
        """The states this class uses, in lifecycle order."""
        return tuple(cls.workflow.transitions)

    def refusal(self, from_state, to_state, workflow):
        kind = with_article(self._meta.verbose_name)
        if to_state not in workflow.transitions:
            return f"{TaskState(to_state).label} is not a state of {kind}."
        if from_state is None or from_state == to_state:
            return None
        if to_state not in self.allowed_states(from_state, workflow):
            from_label, to_label = workflow.label(from_state), workflow.label(to_state)
            return f"{kind.capitalize()} cannot move from {from_label} to {to_label}."
        return None

    def current_state(self, workflow):
        return self.state if self.pk else None

    def state_changed(self, from_state, to_state, workflow):
        self._sync_closed_at()
        return ("closed_at",)

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
        from_state = getattr(self, "_loaded_state", None) if self.pk else None
        if from_state is not None and from_state != self.state:
            to_state = self.state
            transaction.on_commit(
                lambda: task_state_changed.send(
                    type(self), task=self, from_state=TaskState(from_state), to_state=TaskState(to_state)
                ),
                using=kwargs.get("using"),
            )
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
    workflow = Workflow(
        TaskState,
        {
            TaskState.NEW: {TaskState.IN_PROGRESS, TaskState.ON_HOLD, TaskState.RESOLVED, TaskState.CANCELED},
            TaskState.IN_PROGRESS: {TaskState.ON_HOLD, TaskState.RESOLVED, TaskState.CANCELED},
            TaskState.ON_HOLD: {TaskState.IN_PROGRESS, TaskState.RESOLVED, TaskState.CANCELED},
            TaskState.RESOLVED: {TaskState.IN_PROGRESS, TaskState.CLOSED},
            TaskState.CLOSED: set(),
            TaskState.CANCELED: set(),
        },
    )
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
    workflow = Workflow(
        TaskState,
        {
            TaskState.NEW: {TaskState.ASSESS, TaskState.CANCELED},
            TaskState.ASSESS: {TaskState.AUTHORIZE, TaskState.NEW, TaskState.CANCELED},
            # Back to Assess is what a rejection does; Scheduled needs every approval (refusal()).
            TaskState.AUTHORIZE: {TaskState.SCHEDULED, TaskState.ASSESS, TaskState.NEW, TaskState.CANCELED},
            TaskState.SCHEDULED: {TaskState.IMPLEMENT, TaskState.NEW, TaskState.CANCELED},
            TaskState.IMPLEMENT: {TaskState.REVIEW, TaskState.CANCELED},
            TaskState.REVIEW: {TaskState.CLOSED},
            TaskState.CLOSED: set(),
            TaskState.CANCELED: set(),
        },
    )

    type = models.CharField(max_length=20, choices=Type.choices, default=Type.NORMAL)
    start_date = models.DateTimeField("planned start", null=True, blank=True)
    end_date = models.DateTimeField("planned end", null=True, blank=True)
    # Who approves at Authorize; empty means the CHANGE_APPROVAL_GROUP setting's group (impact.changes).
    approval_group = models.ForeignKey(
        "cmdb.Group",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes_to_approve",
        help_text="Its members approve the change at Authorize; empty means the change advisory board.",
    )

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

    @property
    def requester(self):
        """Who asked for the change: they may not approve it."""
        return self.opened_by

    @property
    def planned_window(self):
        """(start, end) when both are planned, else None."""
        if self.start_date and self.end_date:
            return self.start_date, self.end_date
        return None

    def allowed_states(self, from_state, workflow=None):
        allowed = super().allowed_states(from_state, workflow)
        # Standard changes are pre-authorised: they may go from New straight to Scheduled.
        if self.type == self.Type.STANDARD and from_state == TaskState.NEW:
            allowed.add(TaskState.SCHEDULED)
        return allowed

    def approval_group_or_default(self):
        """The group whose members approve this change: its own, else the CHANGE_APPROVAL_GROUP group."""
        if self.approval_group_id:
            return self.approval_group
        return Group.objects.filter(name=settings.CHANGE_APPROVAL_GROUP).order_by("pk").first()

    def eligible_approvers(self):
        """Members of the approval group, the requester left out: no one approves their own change."""
        group = self.approval_group_or_default()
        if group is None:
            return []
        members = group.members.order_by("username")
        if self.opened_by_id:
            members = members.exclude(pk=self.opened_by_id)
        return list(members)

    def refusal(self, from_state, to_state, workflow):
        message = super().refusal(from_state, to_state, workflow)
        if message is not None or from_state == to_state:
            return message
        if to_state == TaskState.AUTHORIZE and not self.eligible_approvers():
            group = self.approval_group_or_default()
            if group is None:
                return (
                    f'No one can authorize this change: there is no group "{settings.CHANGE_APPROVAL_GROUP}".'
                )
            return f"No one can authorize this change: {group} has no member other than the requester."
        if from_state == TaskState.AUTHORIZE and to_state == TaskState.SCHEDULED:
            approvals = self.approvals.all()
            if not approvals.exists() or approvals.filter(state=ChangeApproval.State.REQUESTED).exists():
                return "A change leaves Authorize for Scheduled only when every required approval is given."
        return message


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


class ChangeApproval(SysIdModel):
    """One approver's decision on a change at Authorize (`sysapproval_approver`)."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        # The change left Authorize before this approver decided (a rejection by another, a cancel).
        NOT_REQUIRED = "not_required", "No longer required"

    # ServiceNow's column is `sysapproval`: the task being approved.
    change = models.ForeignKey(
        ChangeRequest, db_column="sysapproval", on_delete=models.CASCADE, related_name="approvals"
    )
    approver = models.ForeignKey("cmdb.User", on_delete=models.CASCADE, related_name="change_approvals")
    group = models.ForeignKey(
        "cmdb.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="change_approvals"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.REQUESTED, db_index=True)
    comments = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sysapproval_approver"
        ordering = ["change", "approver__username"]
        verbose_name = "change approval"
        constraints = [
            models.UniqueConstraint(
                fields=["change", "approver"],
                condition=Q(state="requested"),
                name="sysapproval_approver_one_pending",
                violation_error_message="This approver already has a pending approval for this change.",
            )
        ]

    def __str__(self):
        return f"{self.change.number}: {self.approver} ({self.get_state_display()})"
