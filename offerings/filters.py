"""Filters for the offerings API."""

from cmdb.filters import ServiceFilterSet
from core.filters import SysIdFilter
from offerings.models import ServiceOffering


class ServiceOfferingFilterSet(ServiceFilterSet):
    parent = SysIdFilter(field_name="parent__sys_id", label="Parent service sys_id")

    class Meta(ServiceFilterSet.Meta):
        model = ServiceOffering
        fields = [*ServiceFilterSet.Meta.fields, "classification", "phase"]
