"""Impact endpoints: /api/v1/impact/, /api/v1/incidents/ and /api/v1/changes/."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    ChangeModelPermissions,
    RunstageModelViewSet,
    ViewModelPermissions,
    require_permissions,
)
from impact.api.documents import impact_document, subscriber_kinds_named_for
from impact.api.serializers import (
    ChangeRequestSerializer,
    CIImpactQuerySerializer,
    ImpactDocumentSerializer,
    ImpactQuerySerializer,
    IncidentSerializer,
)
from impact.filters import ChangeRequestFilterSet, IncidentFilterSet
from impact.models import ChangeRequest, Incident
from impact.services import refresh_impacted_services, task_source_ids

CanViewCIs = require_permissions("cmdb.view_configurationitem")

BAD_INPUT = OpenApiResponse(description='Bad input, e.g. {"ci": ["Unknown sys_id …"]}; nothing is computed.')


class ImpactView(APIView):
    """Which services and businesses an outage of some CIs impacts, and through which path."""

    permission_classes = [CanViewCIs]

    @extend_schema(
        operation_id="impact_retrieve",
        parameters=[CIImpactQuerySerializer],
        responses={200: ImpactDocumentSerializer, 400: BAD_INPUT},
    )
    def get(self, request):
        """The impact document for the CIs given as `ci` (repeatable)."""
        query = CIImpactQuerySerializer.from_query_params(request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        document = impact_document(
            params["ci"],
            max_depth=params.get("max_depth"),
            limit=params["limit"],
            named_kinds=subscriber_kinds_named_for(request.user),
        )
        return Response(document)


class TaskViewSet(RunstageModelViewSet):
    """Shared by incidents and changes: looked up by number, with impact and refresh actions."""

    lookup_field = "number"

    def lookup_value(self, value):
        return value.upper()

    @extend_schema(
        parameters=[ImpactQuerySerializer],
        responses={200: ImpactDocumentSerializer, 400: BAD_INPUT},
    )
    @action(
        detail=True, methods=["get"], permission_classes=[IsAuthenticated, ViewModelPermissions, CanViewCIs]
    )
    def impact(self, request, number=None):
        """The impact document for this task's CI and affected CIs."""
        task = self.get_object()
        query = ImpactQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        document = impact_document(
            task_source_ids(task),
            max_depth=params.get("max_depth"),
            limit=params["limit"],
            named_kinds=subscriber_kinds_named_for(request.user),
        )
        return Response(document)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, ChangeModelPermissions])
    def refresh_impacted_services(self, request, number=None):
        """Recompute the impacted services from the CI and affected CIs; hand-added ones stay."""
        task = self.get_object()
        refresh_impacted_services(task)
        return Response(self.serialize_fresh(task))


class IncidentViewSet(TaskViewSet):
    """Incidents; creating or re-pointing one fills its impacted services."""

    queryset = Incident.objects.order_by("-opened_at", "-pk")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    search_fields = ["number", "short_description"]


class ChangeRequestViewSet(TaskViewSet):
    """Change requests; their impacted services are computed on request (refresh_impacted_services)."""

    queryset = ChangeRequest.objects.order_by("-opened_at", "-pk")
    serializer_class = ChangeRequestSerializer
    filterset_class = ChangeRequestFilterSet
    search_fields = ["number", "short_description"]
