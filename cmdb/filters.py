"""Filters for the CMDB API: references by sys_id, classes as comma-separated lists."""

import django_filters

from cmdb.models import BusinessService, ConfigurationItem, Relationship, RelationshipType, Service
from core.filters import MomentFilter, SysIdFilter


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """`?sys_class_name=cmdb_ci_server,cmdb_ci_appl`."""


def sys_id_filter(field_name, label):
    """A reference filtered by the referenced record's sys_id (32 hex or hyphenated)."""
    return SysIdFilter(field_name=f"{field_name}__sys_id", label=label)


class ConfigurationItemFilterSet(django_filters.FilterSet):
    sys_id = SysIdFilter()
    name = django_filters.CharFilter(lookup_expr="iexact", label="Name (case-insensitive)")
    name__ic = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    sys_class_name = CharInFilter(label="Class, or several separated by commas")
    owned_by = sys_id_filter("owned_by", "Owner sys_id")
    managed_by = sys_id_filter("managed_by", "Managed-by sys_id")
    support_group = sys_id_filter("support_group", "Support group sys_id")
    company = sys_id_filter("company", "Company sys_id")
    location = sys_id_filter("location", "Location sys_id")
    department = sys_id_filter("department", "Department sys_id")
    model = sys_id_filter("model", "Product model sys_id")
    updated_after = MomentFilter(field_name="sys_updated_on", lookup_expr="gte")

    class Meta:
        model = ConfigurationItem
        fields = ["operational_status", "install_status", "business_criticality", "environment", "logical"]


class ServiceFilterSet(ConfigurationItemFilterSet):
    portfolio = sys_id_filter("portfolio", "Portfolio node sys_id")
    vendor = sys_id_filter("vendor", "Vendor sys_id")

    class Meta(ConfigurationItemFilterSet.Meta):
        model = Service
        fields = [*ConfigurationItemFilterSet.Meta.fields, "portfolio_status", "service_classification"]


class BusinessServiceFilterSet(ServiceFilterSet):
    class Meta(ServiceFilterSet.Meta):
        model = BusinessService


class RelationshipTypeFilterSet(django_filters.FilterSet):
    sys_id = SysIdFilter()
    name = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = RelationshipType
        fields = ["propagates_impact"]


class RelationshipFilterSet(django_filters.FilterSet):
    sys_id = SysIdFilter()
    parent = sys_id_filter("parent", "Parent CI sys_id")
    child = sys_id_filter("child", "Child CI sys_id")
    type = sys_id_filter("type", "Relationship type sys_id")
    type_name = django_filters.CharFilter(
        field_name="type__name", label='Relationship type name, e.g. "Depends on::Used by"'
    )
    parent_class = CharInFilter(field_name="parent__sys_class_name", label="Parent CI class(es)")
    child_class = CharInFilter(field_name="child__sys_class_name", label="Child CI class(es)")

    class Meta:
        model = Relationship
        fields = []
