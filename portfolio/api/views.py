"""Portfolio endpoints: /api/v1/portfolio-nodes/."""

from django.db.models import Count

from cmdb.api.base import RunstageModelViewSet
from portfolio.api.serializers import PortfolioNodeSerializer
from portfolio.filters import PortfolioNodeFilterSet
from portfolio.models import PortfolioNode


class PortfolioNodeViewSet(RunstageModelViewSet):
    """Portfolios and categories, in tree order; business services hang off them."""

    queryset = PortfolioNode.objects.annotate(service_count=Count("services")).order_by("tree_id", "lft")
    serializer_class = PortfolioNodeSerializer
    filterset_class = PortfolioNodeFilterSet
    search_fields = ["name", "description"]
