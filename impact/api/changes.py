"""Change management in the API: conflicts, the downtime budget, risk, approve and reject.

`ChangeManagementActions` adds them to /api/v1/changes/<number>/; the serializers below are the
response shapes, filled from the dataclasses of impact.conflicts, impact.downtime and impact.risk.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import ViewModelPermissions, model_validation_error, require_permissions
from impact import changes
from impact.api.serializers import ChangeRequestSerializer, RecordReferenceSerializer
from impact.conflicts import conflicts_of
from impact.downtime import downtime_budget
from impact.risk import assess_change

NOT_AN_APPROVER = OpenApiResponse(description="Not a pending approver, or one's own change.")
CanDecideApprovals = require_permissions("impact.view_changerequest", "impact.change_changeapproval")


class ConflictSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["change", "incident"], read_only=True)
    number = serializers.CharField(source="task.number", read_only=True)
    sys_id = serializers.SerializerMethodField()
    short_description = serializers.CharField(source="task.short_description", read_only=True)
    window_start = serializers.DateTimeField(
        read_only=True, help_text="The other change's planned start; when the incident was opened."
    )
    window_end = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="The other change's planned end; null for an incident."
    )
    shared_cis = RecordReferenceSerializer(many=True, read_only=True)
    shared_services = RecordReferenceSerializer(many=True, read_only=True)
    description = serializers.CharField(read_only=True, help_text="The conflict in words.")

    def get_sys_id(self, conflict) -> str:
        return conflict.task.sys_id.hex


class ConflictsSerializer(serializers.Serializer):
    """Other changes in the same window on shared CIs or services, and incidents open on its services."""

    change = serializers.CharField(read_only=True)
    window_start = serializers.DateTimeField(read_only=True, allow_null=True)
    window_end = serializers.DateTimeField(read_only=True, allow_null=True)
    conflicts = ConflictSerializer(many=True, read_only=True)


def _minutes(**kwargs):
    return serializers.FloatField(read_only=True, **kwargs)


class BudgetLineSerializer(serializers.Serializer):
    offering = RecordReferenceSerializer(read_only=True)
    commitment = RecordReferenceSerializer(read_only=True)
    target_percent = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True)
    period = serializers.CharField(source="period_name", read_only=True)
    period_start = serializers.DateTimeField(read_only=True)
    period_end = serializers.DateTimeField(read_only=True)
    allowed_minutes = _minutes(help_text="Down time the commitment allows over the whole period.")
    used_minutes = _minutes(help_text="Down time outages have used in the period so far.")
    remaining_minutes = _minutes(help_text="allowed - used; negative when already breached.")
    window_minutes = _minutes(help_text="The planned window's minutes inside the period.")
    would_breach = serializers.BooleanField(
        read_only=True, help_text="Whether being down for the whole window would breach the commitment."
    )


class BudgetSerializer(serializers.Serializer):
    """What the planned window would spend of each impacted offering's availability commitment."""

    change = serializers.CharField(read_only=True)
    window_start = serializers.DateTimeField(read_only=True, allow_null=True)
    window_end = serializers.DateTimeField(read_only=True, allow_null=True)
    offerings = BudgetLineSerializer(many=True, read_only=True)


class RiskReasonSerializer(serializers.Serializer):
    level = serializers.CharField(source="level.label", read_only=True)
    text = serializers.CharField(read_only=True)


class RiskSerializer(serializers.Serializer):
    """The change's risk from its impact, and every reason for it."""

    change = serializers.CharField(read_only=True)
    level = serializers.ChoiceField(choices=["Low", "Moderate", "High"], read_only=True)
    reasons = RiskReasonSerializer(many=True, read_only=True)


class DecisionSerializer(serializers.Serializer):
    comments = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required to reject; optional to approve."
    )


class ChangeManagementActions:
    """conflicts/, budget/, risk/ (GET) and approve/, reject/ (POST) on a change."""

    def _window(self, change):
        return {"change": change.number, "window_start": change.start_date, "window_end": change.end_date}

    @extend_schema(responses={200: ConflictsSerializer})
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated, ViewModelPermissions])
    def conflicts(self, request, number=None):
        """Other changes whose planned windows overlap this one on a shared CI or impacted service, and
        incidents open on its impacted services; windows that only touch do not conflict."""
        change = self.get_object()
        return Response(ConflictsSerializer({**self._window(change), "conflicts": conflicts_of(change)}).data)

    @extend_schema(responses={200: BudgetSerializer})
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated, ViewModelPermissions])
    def budget(self, request, number=None):
        """Per impacted offering with an availability commitment: allowed, used and remaining minutes
        of the period the window falls in, the window's minutes, and whether it would breach."""
        change = self.get_object()
        return Response(BudgetSerializer({**self._window(change), "offerings": downtime_budget(change)}).data)

    @extend_schema(responses={200: RiskSerializer})
    @action(detail=True, methods=["get"], permission_classes=[IsAuthenticated, ViewModelPermissions])
    def risk(self, request, number=None):
        """Low, Moderate or High, from criticality, conflicts and budget breaches, with reasons."""
        change = self.get_object()
        risk = assess_change(change).risk
        data = {"change": change.number, "level": risk.label, "reasons": risk.reasons}
        return Response(RiskSerializer(data).data)

    def _decide(self, request, decide):
        change = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decide(change, request.user, body.validated_data["comments"])
        except changes.ApprovalRefused as refused:
            raise PermissionDenied(str(refused)) from refused
        except DjangoValidationError as error:
            raise model_validation_error(error) from error
        return Response(self.serialize_fresh(change))

    @extend_schema(
        request=DecisionSerializer,
        responses={
            200: ChangeRequestSerializer,
            403: NOT_AN_APPROVER,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanDecideApprovals])
    def approve(self, request, number=None):
        """Approve the change as one of its pending approvers; the last approval schedules it."""
        return self._decide(request, changes.approve_change)

    @extend_schema(
        request=DecisionSerializer,
        responses={
            200: ChangeRequestSerializer,
            400: OpenApiResponse(description='{"comments": ["Say why you reject the change."]}'),
            403: NOT_AN_APPROVER,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanDecideApprovals])
    def reject(self, request, number=None):
        """Reject the change, with a reason in `comments`; it goes back to Assess."""
        return self._decide(request, changes.reject_change)
