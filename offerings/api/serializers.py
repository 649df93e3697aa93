"""Serializers of the offerings API."""

from rest_framework import serializers

from cmdb.api.serializers import (
    CI_FIELDS,
    SERVICE_FIELDS,
    ConfigurationItemSerializer,
)
from cmdb.models import Service
from core.api import SysIdRelatedField
from offerings.models import SCOPE_ITEM_MAX_LENGTH, ServiceOffering, validate_scope_items


def scope_list_field(source, help_text):
    return serializers.ListField(
        source=source,
        child=serializers.CharField(max_length=SCOPE_ITEM_MAX_LENGTH),
        required=False,
        validators=[validate_scope_items],
        help_text=help_text,
    )


class ServiceOfferingSerializer(ConfigurationItemSerializer):
    sys_class_name = serializers.CharField(read_only=True)
    parent = SysIdRelatedField(
        queryset=Service.objects.all(),
        required=False,
        allow_null=True,
        help_text="sys_id of the service this offering fine-tunes.",
    )

    # ServiceNow's names, as in the import and export.
    service_in_scope = scope_list_field("in_scope", "What the offering includes, in the order shown.")
    service_out_scope = scope_list_field("out_of_scope", "What the offering does not include.")

    class Meta(ConfigurationItemSerializer.Meta):
        model = ServiceOffering
        fields = [
            *CI_FIELDS,
            *SERVICE_FIELDS,
            "parent",
            "classification",
            "consumer_type",
            "phase",
            "price",
            "price_currency",
            "price_unit",
            "service_in_scope",
            "service_out_scope",
        ]
