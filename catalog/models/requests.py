"""Orders: a request (`sc_request`) holds one requested item (`sc_req_item`) per ordered line.

A requested item's state and stage move only along the transitions allowed below, through
`set_state()` and `set_stage()`; the request's own state is derived from its items.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.models.items import RecurringFrequency
from core.models import SysIdModel
from core.money import default_currency, totals_by_currency
from core.workflow import Workflow, WorkflowModel


class State(models.TextChoices):
    OPEN = "open", "Open"
    WORK_IN_PROGRESS = "work_in_progress", "Work in progress"
    PENDING = "pending", "Pending"
    CLOSED_COMPLETE = "closed_complete", "Closed complete"
    CLOSED_INCOMPLETE = "closed_incomplete", "Closed incomplete"
    CLOSED_SKIPPED = "closed_skipped", "Closed skipped"


CLOSED_STATES = frozenset({State.CLOSED_COMPLETE, State.CLOSED_INCOMPLETE, State.CLOSED_SKIPPED})

STATE_WORKFLOW = Workflow(
    State,
    {
        State.OPEN: {
            State.WORK_IN_PROGRESS,
            State.PENDING,
            State.CLOSED_COMPLETE,
            State.CLOSED_INCOMPLETE,
            State.CLOSED_SKIPPED,
        },
        State.WORK_IN_PROGRESS: {
            State.PENDING,
            State.CLOSED_COMPLETE,
            State.CLOSED_INCOMPLETE,
            State.CLOSED_SKIPPED,
        },
        State.PENDING: {State.WORK_IN_PROGRESS, State.CLOSED_INCOMPLETE, State.CLOSED_SKIPPED},
        State.CLOSED_COMPLETE: set(),
        State.CLOSED_INCOMPLETE: set(),
        State.CLOSED_SKIPPED: set(),
    },
)


class Stage(models.TextChoices):
    WAITING_FOR_APPROVAL = "waiting_for_approval", "Waiting for approval"
    REQUEST_APPROVED = "request_approved", "Request approved"
    FULFILLMENT = "fulfillment", "Fulfillment"
    DELIVERY = "delivery", "Delivery"
    COMPLETE = "complete", "Completed"
    REQUEST_CANCELLED = "request_cancelled", "Cancelled"


STAGE_WORKFLOW = Workflow(
    Stage,
    {
        Stage.WAITING_FOR_APPROVAL: {Stage.REQUEST_APPROVED, Stage.REQUEST_CANCELLED},
        Stage.REQUEST_APPROVED: {Stage.FULFILLMENT, Stage.DELIVERY, Stage.COMPLETE, Stage.REQUEST_CANCELLED},
        Stage.FULFILLMENT: {Stage.DELIVERY, Stage.COMPLETE, Stage.REQUEST_CANCELLED},
        Stage.DELIVERY: {Stage.COMPLETE, Stage.REQUEST_CANCELLED},
        Stage.COMPLETE: set(),
        Stage.REQUEST_CANCELLED: set(),
    },
    field="stage",
)


class Approval(models.TextChoices):
    # ServiceNow's "not yet requested"; here it means the item needs no approval.
    NOT_REQUESTED = "not_requested", "Not required"
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# Work may only start on an item nobody has to approve or that has been approved.
APPROVALS_ALLOWING_WORK = frozenset({Approval.NOT_REQUESTED, Approval.APPROVED})


class RequestState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROCESS = "in_process", "In process"
    CLOSED_COMPLETE = "closed_complete", "Closed complete"
    CLOSED_INCOMPLETE = "closed_incomplete", "Closed incomplete"


REQUEST_WORKFLOW = Workflow(
    RequestState,
    {
        RequestState.OPEN: {
            RequestState.IN_PROCESS,
            RequestState.CLOSED_COMPLETE,
            RequestState.CLOSED_INCOMPLETE,
        },
        RequestState.IN_PROCESS: {RequestState.CLOSED_COMPLETE, RequestState.CLOSED_INCOMPLETE},
        RequestState.CLOSED_COMPLETE: set(),
        RequestState.CLOSED_INCOMPLETE: set(),
    },
    field="request_state",
)


class Request(WorkflowModel, SysIdModel):
    """An order placed from the catalog (`sc_request`); its state follows its items'."""

    workflow = REQUEST_WORKFLOW

    number = models.CharField(max_length=40, unique=True, editable=False)
    requested_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_for"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_opened"
    )
    request_state = models.CharField(
        "state", max_length=20, choices=RequestState.choices, default=RequestState.OPEN, editable=False
    )
    approval = models.CharField(
        max_length=20, choices=Approval.choices, default=Approval.NOT_REQUESTED, editable=False
    )
    # One total only when every item is in one currency; a mixed request has none (never a sum
    # across currencies) and its pages total per currency from the items.
    price = models.DecimalField(
        "total price", max_digits=14, decimal_places=2, null=True, default=0, editable=False
    )
    price_currency = models.CharField("currency", max_length=3, blank=True, editable=False)
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The form token of an "Order now" submit: a second submit of the same form finds this request.
    order_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        db_table = "sc_request"
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return self.number

    @property
    def is_closed(self):
        return self.request_state in self.workflow.final_states

    def state_changed(self, from_state, to_state, workflow):
        self.closed_at = (self.closed_at or timezone.now()) if self.is_closed else None
        return ("closed_at",)

    @property
    def totals(self):
        """{currency: total} over the items (prefetch `items` when listing requests)."""
        return totals_by_currency((item.total_price, item.price_currency) for item in self.items.all())


class RequestedItem(WorkflowModel, SysIdModel):
    """One ordered catalog item of a request, fulfilled on its own (`sc_req_item`)."""

    workflow = STATE_WORKFLOW

    number = models.CharField(max_length=40, unique=True, editable=False)
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="items")
    catalog_item = models.ForeignKey(
        "catalog.CatalogItem", on_delete=models.PROTECT, related_name="requested", db_column="cat_item_id"
    )
    quantity = models.PositiveIntegerField(default=1)
    # Prices are copied from the item when ordered, so later price changes leave the order alone.
    price = models.DecimalField("unit price", max_digits=12, decimal_places=2, default=0)
    price_currency = models.CharField("currency", max_length=3, default=default_currency)
    recurring_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    recurring_frequency = models.CharField(max_length=20, choices=RecurringFrequency.choices, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN, editable=False)
    stage = models.CharField(
        max_length=30, choices=Stage.choices, default=Stage.REQUEST_APPROVED, editable=False
    )
    approval = models.CharField(
        max_length=20, choices=Approval.choices, default=Approval.NOT_REQUESTED, editable=False
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals_assigned",
        help_text="Who is asked to approve: the requester's manager when the item was ordered.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approvals_decided",
        editable=False,
    )
    approval_decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    rejection_reason = models.TextField(blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        db_table = "sc_req_item"
        ordering = ["request", "number"]
        verbose_name = "requested item"
        indexes = [models.Index(fields=["approver", "approval"], name="sc_req_item_approver_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="sc_req_item_quantity_positive",
                violation_error_message="The quantity must be at least 1.",
            )
        ]

    def __str__(self):
        return self.number

    @property
    def total_price(self):
        return self.price * self.quantity

    @property
    def is_closed(self):
        return self.state in CLOSED_STATES

    def refusal(self, from_state, to_state, workflow):
        if to_state not in self.allowed_states(from_state, workflow):
            stage = "stage " if workflow is STAGE_WORKFLOW else ""
            from_label, to_label = workflow.label(from_state), workflow.label(to_state)
            return f"{self.number} cannot go from {stage}{from_label} to {to_label}."
        if to_state in (State.WORK_IN_PROGRESS, State.CLOSED_COMPLETE) and (
            self.approval not in APPROVALS_ALLOWING_WORK
        ):
            approval = Approval(self.approval).label.lower()
            return f"{self.number} cannot be worked on while its approval is {approval}."
        return None

    def state_changed(self, from_state, to_state, workflow):
        if workflow is STAGE_WORKFLOW:
            return ()
        self.closed_at = timezone.now() if to_state in CLOSED_STATES else None
        return ("closed_at",)

    def set_stage(self, new_stage):
        """Move to `new_stage` if the stage workflow allows it; the caller saves."""
        return self.set_state(new_stage, workflow=STAGE_WORKFLOW)


class RequestedItemAnswer(SysIdModel):
    """The answer to one variable of a requested item (`sc_item_option_mtom`)."""

    request_item = models.ForeignKey(RequestedItem, on_delete=models.CASCADE, related_name="answers")
    # Kept when the variable is later deleted: the question and answer are copied here.
    variable = models.ForeignKey(
        "catalog.ItemVariable",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        db_column="sc_item_option_id",
    )
    question = models.CharField(max_length=255)
    value = models.TextField(blank=True)
    display_value = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=100)

    class Meta:
        db_table = "sc_item_option_mtom"
        ordering = ["order", "pk"]
        verbose_name = "answer"

    def __str__(self):
        return f"{self.question}: {self.display_value}"
