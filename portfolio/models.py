"""The service portfolio: a tree of portfolios and categories that business services hang off."""

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from core.models import SysIdModel
from core.workflow import Workflow, WorkflowModel
from portfolio.tree import PATH_SEPARATOR, PortfolioNodeChoiceField, attach_paths, lock_tree


class PortfolioTreeManager(TreeManager):
    """django-mptt's manager, with its tree-changing entry points serialised by lock_tree().

    move_node() is what DraggableMPTTAdmin and node.move_to() call; it rewrites lft/rght before it
    saves, so the lock has to be taken here, not only in save().
    """

    def _write_db(self, node=None):
        return (node._state.db if node is not None else None) or router.db_for_write(self.model)

    def move_node(self, node, target, position="last-child"):
        using = self._write_db(node)
        with transaction.atomic(using=using):
            lock_tree(using)
            # The caller loaded both before the lock; another move may have shifted them since.
            node._mptt_refresh()
            if target is not None:
                target._mptt_refresh()
            super().move_node(node, target, position)

    def rebuild(self, *args, **kwargs):
        using = self._write_db()
        with transaction.atomic(using=using):
            lock_tree(using)
            super().rebuild(*args, **kwargs)

    def partial_rebuild(self, *args, **kwargs):
        using = self._write_db()
        with transaction.atomic(using=using):
            lock_tree(using)
            super().partial_rebuild(*args, **kwargs)


class PortfolioNode(SysIdModel, MPTTModel):
    """A portfolio or a category inside one (`service_portfolio`); not a CI."""

    # Forms choose a node by its path (core.admin reads this for every admin).
    choice_field_class = PortfolioNodeChoiceField

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

    objects = PortfolioTreeManager()

    # Names from the top-level portfolio down to this node, once `path` or attach_paths() read them.
    _path = None

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

    @property
    def path(self):
        """Names from the top-level portfolio down to this node: one query, none after attach_paths()."""
        if self._path is None:
            attach_paths([self])
        return self._path

    @property
    def path_label(self):
        """The path as people read it, e.g. "Insurance Services › Claims › Motor"."""
        return PATH_SEPARATOR.join(self.path)

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            lock_tree(using)
            if self._moves_in_tree():
                # django-mptt moves the subtree from the lft/rght in memory, read before the lock.
                self._mptt_refresh()
            super().save(*args, **kwargs)
        self._path = None

    save.alters_data = True

    def delete(self, *args, **kwargs):
        # django-mptt closes the gap before Django deletes the row; the transaction also undoes that
        # when the delete is refused (a child still PROTECTs it).
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            lock_tree(using)
            return super().delete(*args, **kwargs)

    delete.alters_data = True

    def _moves_in_tree(self):
        """Whether saving moves this stored node: a new parent, or a new name (siblings sort by name)."""
        if self._state.adding:
            return False
        cached = getattr(self, "_mptt_cached_fields", {})
        return any(old != self._mptt_meta.get_raw_field_value(self, name) for name, old in cached.items())

    def clean(self):
        super().clean()
        if self.parent_id and self.pk:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "A node cannot be its own parent."})
            if self.parent.is_descendant_of(self):
                raise ValidationError({"parent": "A node cannot move below one of its own descendants."})


class Initiative(WorkflowModel, SysIdModel):
    """An improvement initiative a service owner runs for one service (`service_improvement_initiative`)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    # Done and cancelled are final; anything not yet done can be cancelled.
    workflow = Workflow(
        State,
        {
            State.PROPOSED: {State.APPROVED, State.CANCELLED},
            State.APPROVED: {State.IN_PROGRESS, State.CANCELLED},
            State.IN_PROGRESS: {State.DONE, State.CANCELLED},
            State.DONE: set(),
            State.CANCELLED: set(),
        },
    )
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

    def refusal(self, from_state, to_state, workflow):
        if to_state in self.allowed_states(from_state, workflow):
            return None
        return f"An initiative cannot go from {workflow.label(from_state)} to {workflow.label(to_state)}."
