"""CMDB endpoints: /api/v1/cis/, /business-services/, /relationship-types/, /relationships/."""

from django.db.models import Count

from cmdb.api.serializers import (
    BusinessServiceSerializer,
    ConfigurationItemSerializer,
    RelationshipSerializer,
    RelationshipTypeSerializer,
)
from cmdb.filters import (
    BusinessServiceFilterSet,
    ConfigurationItemFilterSet,
    RelationshipFilterSet,
    RelationshipTypeFilterSet,
)
from cmdb.models import BusinessService, ConfigurationItem, Relationship, RelationshipType
from core.api import RunstageModelViewSet


class ConfigurationItemViewSet(RunstageModelViewSet):
    """Configuration items of every class; filter by `sys_class_name` for one class."""

    queryset = ConfigurationItem.objects.order_by("name", "pk")
    serializer_class = ConfigurationItemSerializer
    filterset_class = ConfigurationItemFilterSet
    search_fields = ["name", "short_description"]


class BusinessServiceViewSet(RunstageModelViewSet):
    """Business services (`cmdb_ci_service_business`), with the number of their offerings."""

    queryset = BusinessService.objects.annotate(offering_count=Count("offerings")).order_by("name", "pk")
    serializer_class = BusinessServiceSerializer
    filterset_class = BusinessServiceFilterSet
    search_fields = ["name", "short_description"]


class RelationshipTypeViewSet(RunstageModelViewSet):
    """Relationship types, named "<parent descriptor>::<child descriptor>"."""

    queryset = RelationshipType.objects.order_by("name")
    serializer_class = RelationshipTypeSerializer
    filterset_class = RelationshipTypeFilterSet
    search_fields = ["name"]


class RelationshipViewSet(RunstageModelViewSet):
    """Relationships "parent <descriptor> child"; impact flows from child to parent."""

    queryset = Relationship.objects.order_by("pk")
    serializer_class = RelationshipSerializer
    filterset_class = RelationshipFilterSet
