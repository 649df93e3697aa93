"""Filters for the offerings API."""

import django_filters

from cmdb.filters import ServiceFilterSet
from offerings.models import ServiceOffering


class ServiceOfferingFilterSet(ServiceFilterSet):
    parent = django_filters.UUIDFilter(field_name="parent__sys_id", label="Parent service sys_id")

    class Meta(ServiceFilterSet.Meta):
        model = ServiceOffering
        fields = [*ServiceFilterSet.Meta.fields, "classification", "phase"]
