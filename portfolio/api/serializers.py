"""Serializers of the portfolio API."""

from django.db.models.manager import BaseManager
from rest_framework import serializers

from cmdb.models import User
from core.api import RunstageModelSerializer, SysIdRelatedField
from portfolio.models import PortfolioNode
from portfolio.tree import attach_paths


class PortfolioNodeListSerializer(serializers.ListSerializer):
    """Reads the paths of a whole page of nodes in one query, not one per node."""

    def to_representation(self, data):
        nodes = data.all() if isinstance(data, BaseManager) else data
        return super().to_representation(attach_paths(nodes))


class PortfolioNodeSerializer(RunstageModelSerializer):
    parent = SysIdRelatedField(queryset=PortfolioNode.objects.all(), required=False, allow_null=True)
    owner = SysIdRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    level = serializers.IntegerField(read_only=True, help_text="0 for a top-level portfolio.")
    path = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Names from the top-level portfolio down to this node, e.g. [Insurance Services, Claims].",
    )
    service_count = serializers.IntegerField(
        read_only=True, help_text="Services filed directly under this node."
    )

    class Meta:
        model = PortfolioNode
        list_serializer_class = PortfolioNodeListSerializer
        fields = [
            "sys_id",
            "name",
            "parent",
            "node_type",
            "description",
            "owner",
            "level",
            "path",
            "service_count",
            "sys_created_on",
            "sys_updated_on",
        ]
        read_only_fields = ["sys_created_on", "sys_updated_on"]
