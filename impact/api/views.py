"""Impact endpoints: /api/v1/impact/, /api/v1/incidents/ and /api/v1/changes/."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    ChangeModelPermissions,
    RunstageModelViewSet,
    ViewModelPermissions,
    model_validation_error,
    require_permissions,
)
from customers.api.serializers import CaseSerializer
from impact.api.changes import ChangeManagementActions
from impact.api.documents import impact_document, subscriber_kinds_named_for
from impact.api.notify import NotifyRequestSerializer, NotifyResultSerializer
from impact.api.people import (
    PEOPLE_RENDERERS,
    AffectedPeopleSerializer,
    CIPeopleQuerySerializer,
    PeopleQuerySerializer,
    people_response,
)
from impact.api.serializers import (
    ChangeRequestSerializer,
    CIImpactQuerySerializer,
    ImpactDocumentSerializer,
    ImpactQuerySerializer,
    IncidentSerializer,
)
from impact.customers import open_proactive_cases_for
from impact.filters import ChangeRequestFilterSet, IncidentFilterSet
from impact.models import ChangeRequest, Incident
from impact.notifications import notify_affected_people
from impact.services import refresh_impacted_services, task_source_ids

CanViewCIs = require_permissions("cmdb.view_configurationitem")
CanOpenCases = require_permissions("impact.view_incident", "customers.add_case", "customers.view_case")

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


class ImpactPeopleView(APIView):
    """Who exactly an outage of some CIs affects, each person once, and through which subscription."""

    permission_classes = [CanViewCIs]
    renderer_classes = PEOPLE_RENDERERS

    @extend_schema(
        operation_id="impact_people_retrieve",
        parameters=[CIPeopleQuerySerializer],
        responses={200: AffectedPeopleSerializer, 400: BAD_INPUT},
    )
    def get(self, request):
        """The people affected by an outage of the CIs given as `ci` (repeatable); `?format=csv` for all."""
        query = CIPeopleQuerySerializer.from_query_params(request.query_params)
        query.is_valid(raise_exception=True)
        return people_response(request, query.validated_data["ci"], request.query_params)


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

    @extend_schema(
        parameters=[PeopleQuerySerializer], responses={200: AffectedPeopleSerializer, 400: BAD_INPUT}
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsAuthenticated, ViewModelPermissions, CanViewCIs],
        renderer_classes=PEOPLE_RENDERERS,
    )
    def people(self, request, number=None):
        """The people this task's CI and affected CIs affect; `?format=csv` downloads them all."""
        return people_response(request, task_source_ids(self.get_object()), request.query_params)

    @extend_schema(request=NotifyRequestSerializer, responses={202: NotifyResultSerializer, 400: BAD_INPUT})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, ChangeModelPermissions])
    def notify(self, request, number=None):
        """E-mail the affected people about this task, each at most once per event, in the background.

        Incidents: `started`, `update` (with `message`), `resolved`; changes: `planned` (before the window).
        """
        task = self.get_object()
        payload = NotifyRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            result = notify_affected_people(
                task,
                payload.validated_data["event"],
                message=payload.validated_data["message"],
                by=request.user,
            )
        except DjangoValidationError as error:
            raise model_validation_error(error) from error
        return Response(
            {"event": result.event.kind, "queued": result.queued, "already_told": result.already_told},
            status=202,
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, ChangeModelPermissions])
    def refresh_impacted_services(self, request, number=None):
        """Recompute the impacted services from the CI and affected CIs; hand-added ones stay."""
        task = self.get_object()
        refresh_impacted_services(task)
        return Response(self.serialize_fresh(task))


class ProactiveCasesSerializer(serializers.Serializer):
    created = CaseSerializer(many=True, read_only=True, help_text="Cases opened by this call.")
    existing = CaseSerializer(
        many=True, read_only=True, help_text="Proactive cases the incident had already."
    )


class IncidentViewSet(TaskViewSet):
    """Incidents; creating or re-pointing one fills its impacted services."""

    queryset = Incident.objects.order_by("-opened_at", "-pk")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilterSet
    search_fields = ["number", "short_description"]

    @extend_schema(request=None, responses={200: ProactiveCasesSerializer, 201: ProactiveCasesSerializer})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[CanOpenCases],
    )
    def proactive_cases(self, request, number=None):
        """Open a proactive case for every impacted account and consumer that has none for this incident.

        Running it again opens cases only for customers who have none yet: 201 when it opened any, else 200.
        """
        result = open_proactive_cases_for(self.get_object())
        body = ProactiveCasesSerializer(result).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class ChangeRequestViewSet(ChangeManagementActions, TaskViewSet):
    """Change requests: impacted services refreshed on leaving New and on new CIs; approvals, conflicts,
    the downtime budget and risk (impact.api.changes)."""

    queryset = ChangeRequest.objects.order_by("-opened_at", "-pk")
    serializer_class = ChangeRequestSerializer
    filterset_class = ChangeRequestFilterSet
    search_fields = ["number", "short_description"]
