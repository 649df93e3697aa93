"""Serializers of the portfolio API."""

from rest_framework import serializers

from cmdb.api.base import RunstageModelSerializer, SysIdRelatedField
from cmdb.models import User
from portfolio.models import PortfolioNode


class PortfolioNodeSerializer(RunstageModelSerializer):
    parent = SysIdRelatedField(queryset=PortfolioNode.objects.all(), required=False, allow_null=True)
    owner = SysIdRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    level = serializers.IntegerField(read_only=True, help_text="0 for a top-level portfolio.")
    service_count = serializers.IntegerField(
        read_only=True, help_text="Services filed directly under this node."
    )

    class Meta:
        model = PortfolioNode
        fields = [
            "sys_id",
            "name",
            "parent",
            "node_type",
            "description",
            "owner",
            "level",
            "service_count",
            "sys_created_on",
            "sys_updated_on",
        ]
        read_only_fields = ["sys_created_on", "sys_updated_on"]
