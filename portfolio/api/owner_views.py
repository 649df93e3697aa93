"""Service owners' figures over the API: /api/v1/services/<sys_id>/availability/ and /trends/.

Both work for any service (business, technical, application service or offering), looked up on
cmdb.Service by sys_id.
"""

import datetime

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cmdb.models import Service
from core.api import SysIdField, parse_sys_id_or_none
from core.parsing import parse_moment
from portfolio.availability import current_month, service_availability
from portfolio.overview import can_view_service
from portfolio.trends import service_trends

# Commitments are evaluated per calendar period around [from, to): a moment near year 9999 overflowed
# the calendar (a 500), and a period of centuries took seconds (issue 10's fuzzing).
EARLIEST_PERIOD_YEAR, LATEST_PERIOD_YEAR = 1900, 2999
MAX_PERIOD = datetime.timedelta(days=3660)


class AvailabilityQuerySerializer(serializers.Serializer):
    """?from=&to=: ISO dates or date-times; the period is [from, to); default: the current month."""

    from_ = serializers.CharField(required=False)
    to = serializers.CharField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # "from" is a Python keyword
        return fields

    def validate_moment(self, name, value):
        try:
            return parse_moment(value)
        except ValueError as error:
            raise serializers.ValidationError({name: [str(error)]}) from None

    def validate(self, attrs):
        default_start, default_end = current_month()
        start = self.validate_moment("from", attrs["from"]) if "from" in attrs else default_start
        end = self.validate_moment("to", attrs["to"]) if "to" in attrs else default_end
        for name, moment in (("from", start), ("to", end)):
            if not EARLIEST_PERIOD_YEAR <= moment.year <= LATEST_PERIOD_YEAR:
                raise serializers.ValidationError(
                    {name: [f"Must lie in the years {EARLIEST_PERIOD_YEAR} to {LATEST_PERIOD_YEAR}."]}
                )
        if start >= end:
            raise serializers.ValidationError({"to": ["Must be after from."]})
        if end - start > MAX_PERIOD:
            raise serializers.ValidationError(
                {"to": [f"The period may last at most {MAX_PERIOD.days} days."]}
            )
        return {"from": start, "to": end}


class ReferenceSerializer(serializers.Serializer):
    sys_id = SysIdField()
    name = serializers.CharField()


class ServiceReferenceSerializer(ReferenceSerializer):
    sys_class_name = serializers.CharField()


class CommitmentResultSerializer(serializers.Serializer):
    offering = ReferenceSerializer()
    commitment = ReferenceSerializer()
    target_percent = serializers.DecimalField(max_digits=12, decimal_places=4)
    period = serializers.CharField(source="commitment.period")
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    complete = serializers.BooleanField(help_text="False while the period runs: the margin is what is left.")
    allowed_downtime_minutes = serializers.FloatField()
    downtime_minutes = serializers.FloatField()
    margin_minutes = serializers.FloatField(
        help_text="Allowed minus actual downtime; negative when breached."
    )
    met = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["met", "breached"])


class AvailabilitySerializer(serializers.Serializer):
    service = ServiceReferenceSerializer()
    start = serializers.DateTimeField(source="figures.start", help_text="from")
    end = serializers.DateTimeField(source="figures.end", help_text="to (exclusive)")
    measured_end = serializers.DateTimeField(
        source="figures.measured_end", help_text="min(to, now): the future is neither up nor down."
    )
    availability_percent = serializers.FloatField(source="figures.availability_percent", allow_null=True)
    downtime_minutes = serializers.FloatField(source="figures.downtime_minutes")
    degraded_minutes = serializers.FloatField(source="figures.degraded_minutes")
    planned_minutes = serializers.FloatField(source="figures.planned_minutes")
    mtbf_minutes = serializers.FloatField(source="figures.mtbf_minutes", allow_null=True)
    mtrs_minutes = serializers.FloatField(source="figures.mtrs_minutes", allow_null=True)
    failures = serializers.IntegerField(
        source="figures.failures", help_text="Distinct stretches of downtime."
    )
    outages_counted = serializers.IntegerField(
        source="figures.outage_records", help_text="Outage records of any type that touch the period."
    )
    open_outages = serializers.IntegerField()
    commitments_met = serializers.BooleanField(allow_null=True)
    commitments = CommitmentResultSerializer(many=True)


class MonthSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    label = serializers.CharField()
    availability_percent = serializers.FloatField(allow_null=True)
    downtime_minutes = serializers.FloatField(source="figures.downtime_minutes")
    failures = serializers.IntegerField(source="figures.failures")


class WeekSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    label = serializers.CharField(help_text="ISO week, e.g. 2025-W09.")
    incidents = serializers.IntegerField(source="count")


class TrendsSerializer(serializers.Serializer):
    service = ServiceReferenceSerializer(source="timeline.service")
    months = MonthSerializer(many=True)
    weeks = WeekSerializer(many=True)


def get_service(user, sys_id):
    """The service if `user` may read its figures (portfolio.overview.can_view_service, as the owner
    pages); 404 otherwise, so as not to reveal it."""
    key = parse_sys_id_or_none(sys_id)
    service = Service.objects.filter(sys_id=key).first() if key else None
    if service is None or not can_view_service(user, service):
        raise Http404("No such service.")
    return service


class ServiceAvailabilityView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="service_availability",
        parameters=[
            OpenApiParameter("from", str, description="ISO date or date-time; default: start of this month."),
            OpenApiParameter("to", str, description="ISO date or date-time, exclusive; default: next month."),
        ],
        responses=AvailabilitySerializer,
        description="Availability of a service (or offering) over [from, to): downtime from unplanned "
        "outages on it or on any CI below it, overlaps counted once and planned work excluded; "
        "degraded and planned minutes apart; MTBF and MTRS; and every percentage availability "
        "commitment of its offerings evaluated per calendar period (met or breached, with the margin "
        "in minutes). 400 naming `from` or `to` on a bad date, one outside the years 1900 to 2999, when "
        "from >= to, or for a period longer than 3660 days. Readable by the "
        "service's owner and by whoever may view services and outages; 404 for anyone else.",
    )
    def get(self, request, sys_id):
        service = get_service(request.user, sys_id)
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = service_availability(service, query.validated_data["from"], query.validated_data["to"])
        return Response(AvailabilitySerializer(result).data)


class ServiceTrendsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="service_trends",
        responses=TrendsSerializer,
        description="Availability for each of the last 12 calendar months and the number of incidents "
        "impacting the service opened in each of the last 12 ISO weeks, oldest first, the current "
        "month and week included.",
    )
    def get(self, request, sys_id):
        service = get_service(request.user, sys_id)
        return Response(TrendsSerializer(service_trends(service, now=timezone.now())).data)


app_name = "owner-api"

urlpatterns = [
    path("services/<str:sys_id>/availability/", ServiceAvailabilityView.as_view(), name="availability"),
    path("services/<str:sys_id>/trends/", ServiceTrendsView.as_view(), name="trends"),
]
