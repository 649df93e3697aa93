"""Filters for the customers API: references by sys_id."""

import django_filters

from cmdb.filters import sys_id_filter
from customers.models import Case, InstallBaseItem, SoldProduct


class CustomerFilterSet(django_filters.FilterSet):
    account = sys_id_filter("account", "Account sys_id")
    consumer = sys_id_filter("consumer", "Consumer sys_id")


class SoldProductFilterSet(CustomerFilterSet):
    service_offering = sys_id_filter("service_offering", "Service offering sys_id")
    active = django_filters.BooleanFilter(method="filter_active", label="In force today")

    class Meta:
        model = SoldProduct
        fields = ["state"]

    def filter_active(self, queryset, name, value):
        active = SoldProduct.objects.active().values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


class InstallBaseItemFilterSet(CustomerFilterSet):
    configuration_item = sys_id_filter("configuration_item", "CI sys_id")

    class Meta:
        model = InstallBaseItem
        fields = ["state"]


class CaseFilterSet(CustomerFilterSet):
    incident = django_filters.CharFilter(field_name="incident__number", label="Incident number")

    class Meta:
        model = Case
        fields = ["state", "proactive"]
