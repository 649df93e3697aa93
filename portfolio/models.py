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
