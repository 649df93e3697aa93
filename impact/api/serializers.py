"""Serializers of the impact API: tasks, the impact query parameters and the impact document."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from cmdb.models import ConfigurationItem, Group, User
from core.api import (
    SYS_ID_SCHEMA,
    RunstageModelSerializer,
    SysIdField,
    SysIdRelatedField,
    model_validation_error,
    resolve_sys_id_pks,
)
from impact import changes, services
from impact.api.documents import DEFAULT_LIMIT, MAX_LIMIT, MAX_SOURCES
from impact.engine import HARD_MAX_DEPTH
from impact.models import ChangeApproval, ChangeRequest, ImpactedService, Incident, with_article

# Named choice sets for the schema (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]): each task class has its own.
INCIDENT_STATE_CHOICES = [(state.value, state.label) for state in Incident.states()]
CHANGE_REQUEST_STATE_CHOICES = [(state.value, state.label) for state in ChangeRequest.states()]

# --- query parameters ---------------------------------------------------------------------------


class ImpactQuerySerializer(serializers.Serializer):
    """How far to walk and how long the lists may be."""

    max_depth = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=HARD_MAX_DEPTH,
        help_text=f"How many steps to walk up from the sources (1-{HARD_MAX_DEPTH}; default from the "
        "IMPACT_MAX_DEPTH setting).",
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"At most this many entries per list (1-{MAX_LIMIT}); `counts` always gives the totals.",
    )


class SourceCIsSerializer(serializers.Serializer):
    """The CIs whose outage to assess, as repeated `ci` query parameters."""

    ci = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=True),
        allow_empty=False,
        max_length=MAX_SOURCES,
        error_messages={"max_length": f"At most {MAX_SOURCES} source CIs at a time."},
        help_text=f"sys_id of a source CI; repeat the parameter for several (at most {MAX_SOURCES}).",
    )

    def validate_ci(self, values):
        """The source CIs' pks in the order given; every malformed or unknown sys_id is named."""
        return resolve_sys_id_pks(values, ConfigurationItem)

    @classmethod
    def from_query_params(cls, query_params):
        """Bind to a request's query string; `ci` may repeat."""
        # The declared names: `cls().fields` would deep-copy every field once more per request.
        data = {
            key: query_params.get(key) for key in cls._declared_fields if key != "ci" and key in query_params
        }
        if "ci" in query_params:
            data["ci"] = query_params.getlist("ci")
        return cls(data=data)


class CIImpactQuerySerializer(SourceCIsSerializer, ImpactQuerySerializer):
    """The CIs whose outage to assess, plus depth and list limits."""


# --- the impact document --------------------------------------------------------------------------


def _sys_id(**kwargs):
    return serializers.CharField(
        help_text=SYS_ID_SCHEMA["description"], min_length=32, max_length=32, read_only=True, **kwargs
    )


class ImpactSourceSerializer(serializers.Serializer):
    sys_id = _sys_id()
    name = serializers.CharField(read_only=True)
    sys_class_name = serializers.CharField(read_only=True)


class ImpactedCISerializer(ImpactSourceSerializer):
    depth = serializers.IntegerField(
        read_only=True, help_text="Steps from the nearest source; 0 for a source."
    )
    path = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="sys_ids from a source to this CI, inclusive, along one shortest path.",
    )


class ImpactReferenceSerializer(serializers.Serializer):
    sys_id = _sys_id()
    name = serializers.CharField(read_only=True)


class ImpactedOfferingSerializer(ImpactedCISerializer):
    parent = ImpactReferenceSerializer(read_only=True, allow_null=True, help_text="The offering's service.")


class ImpactedUserSerializer(serializers.Serializer):
    sys_id = _sys_id()
    user_name = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class ImpactCountsSerializer(serializers.Serializer):
    business_services = serializers.IntegerField(read_only=True)
    service_offerings = serializers.IntegerField(read_only=True)
    application_services = serializers.IntegerField(read_only=True)
    technical_services = serializers.IntegerField(read_only=True)
    customer_accounts = serializers.IntegerField(read_only=True)
    consumers = serializers.IntegerField(read_only=True)


class ImpactedSoldProductSerializer(serializers.Serializer):
    sys_id = _sys_id()
    name = serializers.CharField(read_only=True)
    service_offering = ImpactReferenceSerializer(
        read_only=True, help_text="The impacted offering it entitles."
    )


class ImpactedInstallBaseItemSerializer(serializers.Serializer):
    sys_id = _sys_id()
    name = serializers.CharField(read_only=True)
    configuration_item = ImpactReferenceSerializer(read_only=True, help_text="The impacted CI behind it.")


class ImpactedCustomerSerializer(serializers.Serializer):
    sys_id = _sys_id()
    number = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    sold_products = ImpactedSoldProductSerializer(
        many=True, read_only=True, help_text="Active sold products of impacted offerings."
    )
    install_base_items = ImpactedInstallBaseItemSerializer(
        many=True, read_only=True, help_text="Install base items on impacted CIs."
    )


class ImpactedCustomersSerializer(serializers.Serializer):
    accounts = ImpactedCustomerSerializer(many=True, read_only=True)
    consumers = ImpactedCustomerSerializer(many=True, read_only=True)


class ImpactedBusinessesSerializer(serializers.Serializer):
    companies = ImpactReferenceSerializer(many=True, read_only=True)
    departments = ImpactReferenceSerializer(many=True, read_only=True)
    locations = ImpactReferenceSerializer(many=True, read_only=True)
    groups = ImpactReferenceSerializer(many=True, read_only=True)
    users = ImpactedUserSerializer(many=True, read_only=True)


class ImpactBusinessCountsSerializer(serializers.Serializer):
    companies = serializers.IntegerField(read_only=True)
    departments = serializers.IntegerField(read_only=True)
    locations = serializers.IntegerField(read_only=True)
    groups = serializers.IntegerField(read_only=True)
    users = serializers.IntegerField(read_only=True)


BUSINESS_KINDS = ["companies", "departments", "groups", "locations", "users"]


class ImpactDocumentSerializer(serializers.Serializer):
    """What an outage of the source CIs impacts, and through which path."""

    sources = ImpactSourceSerializer(many=True, read_only=True)
    max_depth = serializers.IntegerField(read_only=True)
    impacted_ci_count = serializers.IntegerField(
        read_only=True, help_text="Every impacted CI, sources included."
    )
    counts = ImpactCountsSerializer(read_only=True, help_text="Full totals, whatever `limit` cut.")
    truncated = serializers.BooleanField(read_only=True, help_text="Whether `limit` cut any list.")
    business_services = ImpactedCISerializer(many=True, read_only=True)
    service_offerings = ImpactedOfferingSerializer(many=True, read_only=True)
    application_services = ImpactedCISerializer(many=True, read_only=True)
    technical_services = ImpactedCISerializer(many=True, read_only=True)
    impacted_businesses = ImpactedBusinessesSerializer(
        read_only=True,
        help_text="Subscribers of the impacted offerings, by kind, sorted by name; empty for a kind in "
        "`withheld_businesses`.",
    )
    business_counts = ImpactBusinessCountsSerializer(
        read_only=True, help_text="Full totals of the impacted businesses by kind, named or not."
    )
    withheld_businesses = serializers.ListField(
        child=serializers.ChoiceField(choices=BUSINESS_KINDS),
        read_only=True,
        help_text="Kinds counted but not named, because the caller may not view such records "
        "(cmdb.view_user for users, cmdb.view_company for companies, and so on).",
    )
    impacted_customers = ImpactedCustomersSerializer(
        read_only=True,
        help_text="Accounts and consumers with an active sold product of an impacted offering or an "
        "install base item on an impacted CI, sorted by name.",
    )


# --- tasks ----------------------------------------------------------------------------------------


class ImpactedServiceSerializer(RunstageModelSerializer):
    """A service a task impacts, flattened: the service's identity plus how it got on the list."""

    sys_id = SysIdField(source="service.sys_id")
    name = serializers.CharField(source="service.name", read_only=True)
    sys_class_name = serializers.CharField(source="service.sys_class_name", read_only=True)

    class Meta:
        model = ImpactedService
        fields = ["sys_id", "name", "sys_class_name", "manually_added"]
        read_only_fields = ["manually_added"]
        select_related = ["service"]


class TaskSerializer(RunstageModelSerializer):
    """What incidents and change requests share; writes go through impact.services."""

    number = serializers.CharField(read_only=True)
    cmdb_ci = SysIdRelatedField(
        queryset=ConfigurationItem.objects.all(), required=False, allow_null=True, help_text="The main CI."
    )
    affected_cis = SysIdRelatedField(
        queryset=ConfigurationItem.objects.all(),
        many=True,
        required=False,
        help_text="sys_ids of further CIs the task affects; on update the list replaces the current one.",
    )
    impacted_services = ImpactedServiceSerializer(source="impacted_service_rows", many=True, read_only=True)
    opened_by = SysIdRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, help_text="Defaults to the caller."
    )
    assigned_to = SysIdRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    assignment_group = SysIdRelatedField(queryset=Group.objects.all(), required=False, allow_null=True)

    TASK_FIELDS = [
        "sys_id",
        "number",
        "short_description",
        "description",
        "state",
        "priority",
        "cmdb_ci",
        "affected_cis",
        "impacted_services",
        "opened_by",
        "assigned_to",
        "assignment_group",
        "opened_at",
        "closed_at",
        "sys_created_on",
        "sys_updated_on",
    ]
    TASK_READ_ONLY_FIELDS = ["opened_at", "closed_at", "sys_created_on", "sys_updated_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each task class has its own states; offer and accept only those.
        model = self.Meta.model
        self.fields["state"] = serializers.ChoiceField(
            choices=[(state.value, state.label) for state in model.states()],
            required=False,
            help_text="Moves are checked against the allowed transitions of "
            f"{with_article(model._meta.verbose_name)}.",
        )

    def create(self, validated_data):
        request = self.context.get("request")
        if validated_data.get("opened_by") is None and request is not None and request.user:
            validated_data["opened_by"] = request.user
        affected_cis = validated_data.pop("affected_cis", ())
        with _model_errors_as_400():
            return services.create_task(self.Meta.model, affected_cis=affected_cis, **validated_data)

    def update(self, instance, validated_data):
        affected_cis = validated_data.pop("affected_cis", None)
        state = validated_data.pop("state", None)
        with _model_errors_as_400():
            return services.update_task(instance, affected_cis=affected_cis, state=state, **validated_data)


@contextmanager
def _model_errors_as_400():
    """A rule the model enforces itself (e.g. a state transition) answers 400 in DRF's shape."""
    try:
        yield
    except DjangoValidationError as error:
        raise model_validation_error(error) from error


class IncidentSerializer(TaskSerializer):
    caller = SysIdRelatedField(queryset=User.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Incident
        fields = [*TaskSerializer.TASK_FIELDS, "caller"]
        read_only_fields = TaskSerializer.TASK_READ_ONLY_FIELDS


class RecordReferenceSerializer(serializers.Serializer):
    sys_id = serializers.SerializerMethodField()
    name = serializers.CharField(read_only=True)

    def get_sys_id(self, obj) -> str:
        return obj.sys_id.hex


class ChangeApprovalSerializer(RunstageModelSerializer):
    """One approver's decision on a change at Authorize."""

    approver = RecordReferenceSerializer(read_only=True)
    group = RecordReferenceSerializer(read_only=True, allow_null=True)
    sys_id = SysIdField(read_only=True)

    class Meta:
        model = ChangeApproval
        fields = ["sys_id", "approver", "group", "state", "comments", "decided_at"]
        read_only_fields = fields
        select_related = ["approver", "group"]


class ChangeRequestSerializer(TaskSerializer):
    approval_group = SysIdRelatedField(
        queryset=Group.objects.all(),
        required=False,
        allow_null=True,
        help_text="Its members approve the change at Authorize; null means the change advisory board.",
    )
    approvals = ChangeApprovalSerializer(many=True, read_only=True)

    class Meta:
        model = ChangeRequest
        fields = [
            *TaskSerializer.TASK_FIELDS,
            "type",
            "start_date",
            "end_date",
            "approval_group",
            "approvals",
        ]
        read_only_fields = TaskSerializer.TASK_READ_ONLY_FIELDS

    # Changes go through impact.changes: leaving New, new CIs and Authorize have consequences.
    def create(self, validated_data):
        request = self.context.get("request")
        if validated_data.get("opened_by") is None and request is not None and request.user:
            validated_data["opened_by"] = request.user
        affected_cis = validated_data.pop("affected_cis", ())
        with _model_errors_as_400():
            return changes.create_change(affected_cis=affected_cis, **validated_data)

    def update(self, instance, validated_data):
        affected_cis = validated_data.pop("affected_cis", None)
        state = validated_data.pop("state", None)
        with _model_errors_as_400():
            return changes.update_change(instance, affected_cis=affected_cis, state=state, **validated_data)
