"""Offering endpoints: /api/v1/offerings/."""

from core.api import RunstageModelViewSet
from offerings.api.serializers import ServiceOfferingSerializer
from offerings.filters import ServiceOfferingFilterSet
from offerings.models import ServiceOffering


class ServiceOfferingViewSet(RunstageModelViewSet):
    """Service offerings (`service_offering`); `parent` is the service they offer."""

    queryset = ServiceOffering.objects.order_by("name", "pk")
    serializer_class = ServiceOfferingSerializer
    filterset_class = ServiceOfferingFilterSet
    search_fields = ["name", "short_description"]
