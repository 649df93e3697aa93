"""Filters for the portfolio API."""

import django_filters

from core.filters import SysIdFilter
from portfolio.models import PortfolioNode


class PortfolioNodeFilterSet(django_filters.FilterSet):
    sys_id = SysIdFilter()
    name = django_filters.CharFilter(lookup_expr="iexact")
    name__ic = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")
    parent = SysIdFilter(field_name="parent__sys_id", label="Parent node sys_id")
    root = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", label="Top-level nodes only"
    )
    owner = SysIdFilter(field_name="owner__sys_id", label="Owner sys_id")

    class Meta:
        model = PortfolioNode
        fields = ["node_type", "level"]
