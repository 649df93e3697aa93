"""Outage endpoints: /api/v1/outages/ (list, create, retrieve, update) and POST /outages/<sys_id>/close/.

Kept apart from the rest of the CMDB API (its own router, included from config/api_urls.py) because
outages belong to the service owners' side of Runstage.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from cmdb.models import ConfigurationItem
from core.api import (
    ChangeModelPermissions,
    RunstageModelSerializer,
    RunstageModelViewSet,
    SysIdRelatedField,
    model_validation_error,
)
from core.filters import MomentFilter, SysIdFilter
from impact.models import Outage, Task


class OutageFilterSet(django_filters.FilterSet):
    ci = SysIdFilter(
        field_name="cmdb_ci__sys_id", label="sys_id of the CI the outages are on (32 hex characters)."
    )
    type = django_filters.ChoiceFilter(choices=Outage.Type.choices)
    open = django_filters.BooleanFilter(
        field_name="end", lookup_expr="isnull", label="Only open (or closed)."
    )

    class Meta:
        model = Outage
        fields = ["ci", "type", "open"]

    def filter_queryset(self, queryset):
        # ?from= and ?to= select the outages that overlap [from, to), whichever of the two is given.
        queryset = super().filter_queryset(queryset)
        start, end = self.form.cleaned_data.get("from"), self.form.cleaned_data.get("to")
        if start and end and start >= end:
            raise serializers.ValidationError({"to": ["Must be after from."]})
        if start:
            queryset = queryset.filter(Q(end__isnull=True) | Q(end__gt=start))
        if end:
            queryset = queryset.filter(begin__lt=end)
        return queryset


# "from" is a Python keyword, so the two period filters are added after the class body.
OutageFilterSet.base_filters["from"] = MomentFilter(
    field_name="end", method=lambda queryset, name, value: queryset, label="Overlapping this moment or later."
)
OutageFilterSet.base_filters["to"] = MomentFilter(
    field_name="begin", method=lambda queryset, name, value: queryset, label="Overlapping before this moment."
)


@extend_schema_field(
    {
        "type": "string",
        "enum": Outage.Type.values,
        "description": "outage (counts against availability), degradation, planned (maintenance).",
    }
)
class OutageTypeField(serializers.ChoiceField):
    """The outage type, described inline: "type" enums of other tables would collide on the name."""


class OutageSerializer(RunstageModelSerializer):
    type = OutageTypeField(choices=Outage.Type.choices, default=Outage.Type.OUTAGE)
    cmdb_ci = SysIdRelatedField(queryset=ConfigurationItem.objects.all(), help_text="The CI that is out.")
    task = SysIdRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True, help_text="The incident or change."
    )
    cmdb_ci_name = serializers.CharField(source="cmdb_ci.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Outage
        fields = [
            "sys_id",
            "cmdb_ci",
            "cmdb_ci_name",
            "type",
            "begin",
            "end",
            "is_open",
            "short_description",
            "task",
            "sys_created_on",
            "sys_updated_on",
        ]
        read_only_fields = ["sys_created_on", "sys_updated_on"]


class CloseOutageSerializer(serializers.Serializer):
    end = serializers.DateTimeField(required=False, help_text="When the outage ended; default: now.")


class OutageViewSet(RunstageModelViewSet):
    """Outages, degradations and planned outages of CIs; filter by `ci`, `type`, `open` and `from`/`to`."""

    queryset = Outage.objects.order_by("-begin", "pk")
    serializer_class = OutageSerializer
    filterset_class = OutageFilterSet
    search_fields = ["short_description", "cmdb_ci__name"]
    ordering_fields = ["begin", "end"]
    # Outages are history: they are closed, not deleted, through the API.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(
        request=CloseOutageSerializer,
        responses=OutageSerializer,
        description="End an open outage now, or at the given `end`. 400 naming `end` when the outage is "
        "already closed or `end` is not after its beginning.",
    )
    @action(detail=True, methods=["post"], permission_classes=[ChangeModelPermissions])
    def close(self, request, sys_id=None):
        outage = self.get_object()
        payload = CloseOutageSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not outage.is_open:
            raise serializers.ValidationError({"end": ["This outage is already closed."]})
        try:
            outage.close(payload.validated_data.get("end"))
        except DjangoValidationError as error:
            raise model_validation_error(error) from error
        return Response(self.get_serializer(outage).data)


app_name = "outages-api"

router = SimpleRouter()
router.register("outages", OutageViewSet, basename="outage")

urlpatterns = router.urls
