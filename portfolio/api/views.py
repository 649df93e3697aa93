"""Portfolio endpoints: /api/v1/portfolio-nodes/."""

from django.db import router
from django.db.models import Count

from core.api import RunstageModelViewSet
from portfolio.api.serializers import PortfolioNodeSerializer
from portfolio.filters import PortfolioNodeFilterSet
from portfolio.models import PortfolioNode
from portfolio.tree import tree_write


class PortfolioNodeViewSet(RunstageModelViewSet):
    """Portfolios and categories, in tree order; business services hang off them.

    Creates and updates are validated and saved under the tree lock (portfolio.tree), as in the
    admin: the parent checked (not a descendant, no sibling of the same name) is the parent saved.
    Deletes lock in PortfolioNode.delete().
    """

    queryset = PortfolioNode.objects.annotate(service_count=Count("services")).order_by("tree_id", "lft")
    serializer_class = PortfolioNodeSerializer
    filterset_class = PortfolioNodeFilterSet
    search_fields = ["name", "description"]

    def create(self, request, *args, **kwargs):
        with tree_write(router.db_for_write(PortfolioNode)):
            return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        with tree_write(router.db_for_write(PortfolioNode)):
            return super().update(request, *args, **kwargs)
