"""Filters for the task endpoints (incidents, change requests)."""

import django_filters

from core.filters import MomentFilter, SysIdFilter
from impact.models import FINAL_STATES, ChangeRequest, Incident, Task


class TaskFilterSet(django_filters.FilterSet):
    sys_id = SysIdFilter()
    number = django_filters.CharFilter(lookup_expr="iexact")
    cmdb_ci = SysIdFilter(field_name="cmdb_ci__sys_id", label="Main CI sys_id")
    affected_ci = SysIdFilter(
        field_name="affected_cis__sys_id", distinct=True, label="sys_id of a CI among the affected CIs"
    )
    impacted_service = SysIdFilter(
        field_name="impacted_services__sys_id", distinct=True, label="sys_id of an impacted service"
    )
    opened_by = SysIdFilter(field_name="opened_by__sys_id", label="Opened-by user sys_id")
    assigned_to = SysIdFilter(field_name="assigned_to__sys_id", label="Assignee sys_id")
    assignment_group = SysIdFilter(field_name="assignment_group__sys_id", label="Assignment group sys_id")
    opened_after = MomentFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = MomentFilter(field_name="opened_at", lookup_expr="lt")
    active = django_filters.BooleanFilter(method="filter_active", label="Not closed or canceled")

    class Meta:
        model = Task
        fields = ["state", "priority"]

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        final = [int(state) for state in FINAL_STATES]
        return queryset.exclude(state__in=final) if value else queryset.filter(state__in=final)


class IncidentFilterSet(TaskFilterSet):
    caller = SysIdFilter(field_name="caller__sys_id", label="Caller sys_id")

    class Meta(TaskFilterSet.Meta):
        model = Incident


class ChangeRequestFilterSet(TaskFilterSet):
    planned_after = MomentFilter(field_name="start_date", lookup_expr="gte")
    planned_before = MomentFilter(field_name="start_date", lookup_expr="lt")

    class Meta(TaskFilterSet.Meta):
        model = ChangeRequest
        fields = [*TaskFilterSet.Meta.fields, "type"]
