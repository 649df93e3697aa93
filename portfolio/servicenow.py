"""The portfolio app's ServiceNow tables."""

from cmdb.servicenow.spec import TableSpec, field_map
from portfolio.models import Initiative, PortfolioNode


def rebuild_portfolio_tree():
    # Imported rows bypass django-mptt, so their tree fields are only right after a rebuild.
    PortfolioNode.objects.rebuild()


TABLES = [
    TableSpec(
        PortfolioNode,
        field_map("name", "parent", "node_type", "description", "owner"),
        tree_parent="parent",
        defaults={"lft": 0, "rght": 0, "tree_id": 0, "level": 0},
        after_load=rebuild_portfolio_tree,
    ),
    TableSpec(
        Initiative,
        field_map("service", "title", "description", "owner", "state", "target_date", "expected_benefit"),
    ),
]
