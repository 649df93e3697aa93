"""Serializers of the offerings API."""

from rest_framework import serializers

from cmdb.api.serializers import (
    CI_FIELDS,
    SERVICE_FIELDS,
    ConfigurationItemSerializer,
)
from cmdb.models import Service
from core.api import SysIdRelatedField
from offerings.models import ServiceOffering


class ServiceOfferingSerializer(ConfigurationItemSerializer):
    sys_class_name = serializers.CharField(read_only=True)
    parent = SysIdRelatedField(
        queryset=Service.objects.all(),
        required=False,
        allow_null=True,
        help_text="sys_id of the service this offering fine-tunes.",
    )

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
            "price_unit",
        ]
