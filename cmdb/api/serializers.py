"""Serializers of the CMDB API: configuration items, services, relationship types and relationships."""

from rest_framework import serializers

from cmdb.models import (
    BusinessService,
    ConfigurationItem,
    Relationship,
    RelationshipType,
    ci_models_by_class,
)
from core.api import RunstageModelSerializer, SysIdRelatedField

CI_FIELDS = [
    "sys_id",
    "name",
    "sys_class_name",
    "short_description",
    "operational_status",
    "install_status",
    "business_criticality",
    "environment",
    "owned_by",
    "managed_by",
    "support_group",
    "company",
    "location",
    "department",
    "model",
    "logical",
    "sys_created_on",
    "sys_updated_on",
]
SERVICE_FIELDS = ["service_classification", "portfolio", "portfolio_status", "version", "vendor"]


class ConfigurationItemSerializer(RunstageModelSerializer):
    sys_class_name = serializers.CharField(
        max_length=80,
        required=False,
        help_text="The CI's class. On create, a class without a model of its own "
        "(e.g. cmdb_ci_linux_server); defaults to cmdb_ci. Read-only afterwards.",
    )

    class Meta:
        model = ConfigurationItem
        fields = CI_FIELDS
        read_only_fields = ["sys_created_on", "sys_updated_on"]

    def validate_sys_class_name(self, value):
        if self.instance is not None:
            if value != self.instance.sys_class_name:
                raise serializers.ValidationError("The class of an existing CI cannot be changed.")
            return value
        if value != ConfigurationItem._meta.db_table and value in ci_models_by_class():
            # A base row claiming a modelled class would lack the subclass row every reader expects.
            raise serializers.ValidationError(
                f"{value} has its own model; create such CIs through its endpoint or the admin."
            )
        return value


class BusinessServiceSerializer(ConfigurationItemSerializer):
    sys_class_name = serializers.CharField(read_only=True)
    offering_count = serializers.IntegerField(
        read_only=True, help_text="Number of offerings of this service."
    )

    class Meta(ConfigurationItemSerializer.Meta):
        model = BusinessService
        fields = [*CI_FIELDS, *SERVICE_FIELDS, "offering_count"]


class RelationshipTypeSerializer(RunstageModelSerializer):
    class Meta:
        model = RelationshipType
        fields = ["sys_id", "name", "propagates_impact", "sys_created_on", "sys_updated_on"]
        read_only_fields = ["sys_created_on", "sys_updated_on"]


class RelationshipSerializer(RunstageModelSerializer):
    parent = SysIdRelatedField(
        queryset=ConfigurationItem.objects.all(), help_text="The CI that relies on the child."
    )
    type_name = serializers.CharField(source="type.name", read_only=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True)
    child_name = serializers.CharField(source="child.name", read_only=True)

    class Meta:
        model = Relationship
        fields = [
            "sys_id",
            "parent",
            "parent_name",
            "type",
            "type_name",
            "child",
            "child_name",
            "sys_created_on",
            "sys_updated_on",
        ]
        read_only_fields = ["sys_created_on", "sys_updated_on"]
