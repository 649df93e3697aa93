"""The service portfolio: a tree of portfolios and categories that business services hang off."""

from django.core.exceptions import ValidationError
from django.db import models
from mptt.models import MPTTModel, TreeForeignKey

from cmdb.models import SysIdModel


class PortfolioNode(SysIdModel, MPTTModel):
    """A portfolio or a category inside one (`service_portfolio`); not a CI."""

    class NodeType(models.TextChoices):
        PORTFOLIO = "portfolio", "Portfolio"
        CATEGORY = "category", "Category"

    name = models.CharField(max_length=100)
    parent = TreeForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", db_index=True
    )
    node_type = models.CharField(max_length=20, choices=NodeType.choices, default=NodeType.CATEGORY)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_portfolio_nodes"
    )

    class MPTTMeta:
        order_insertion_by = ["name"]

    class Meta:
        db_table = "service_portfolio"
        # An explicit (empty) list lets django-mptt add its (tree_id, lft) index.
        indexes = ()
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="service_portfolio_unique_name_per_parent",
                violation_error_message="A sibling with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="service_portfolio_unique_root_name",
                violation_error_message="A top-level portfolio with this name already exists.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id and self.pk:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "A node cannot be its own parent."})
            if self.parent.is_descendant_of(self):
                raise ValidationError({"parent": "A node cannot move below one of its own descendants."})


class InitiativeTransitionError(ValidationError):
    """A state change the initiative workflow does not allow."""


class Initiative(SysIdModel):
    """An improvement initiative a service owner runs for one service (`service_improvement_initiative`)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    # Done and cancelled are final; anything not yet done can be cancelled.
    TRANSITIONS = {
        State.PROPOSED: {State.APPROVED, State.CANCELLED},
        State.APPROVED: {State.IN_PROGRESS, State.CANCELLED},
        State.IN_PROGRESS: {State.DONE, State.CANCELLED},
        State.DONE: set(),
        State.CANCELLED: set(),
    }
    ACTIVE_STATES = (State.PROPOSED, State.APPROVED, State.IN_PROGRESS)

    service = models.ForeignKey("cmdb.Service", on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_initiatives"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.PROPOSED)
    target_date = models.DateField(null=True, blank=True)
    expected_benefit = models.TextField(blank=True, help_text="What improves, and by how much, when done.")

    class Meta:
        db_table = "service_improvement_initiative"
        ordering = ["target_date", "title"]

    def __str__(self):
        return self.title

    @property
    def is_active(self):
        return self.state in self.ACTIVE_STATES

    def allowed_next_states(self):
        return sorted(self.TRANSITIONS[self.State(self.state)])

    def set_state(self, new_state, save=True):
        """Move to new_state if the workflow allows it from the current state; raise otherwise."""
        new_state = self.State(new_state)
        if new_state not in self.TRANSITIONS[self.State(self.state)]:
            raise InitiativeTransitionError(
                {"state": f"An initiative cannot go from {self.get_state_display()} to {new_state.label}."}
            )
        self.state = new_state
        if save:
            self.save(update_fields=["state", "sys_updated_on"])
        return self
