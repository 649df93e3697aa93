"""Admin for incidents and change requests (affected CIs, impacted services, the impact graph) and outages."""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import RunstageModelAdmin, RunstageTabularInline
from impact.engine import impacted_by
from impact.models import AffectedCI, ChangeRequest, ImpactedService, Incident, Outage
from impact.services import (
    APPLICATION_SERVICE,
    BUSINESS_SERVICE,
    SERVICE_OFFERING,
    TECHNICAL_SERVICE,
    refresh_impacted_services,
    task_source_ids,
)

# --- the impact graph picture ---------------------------------------------------------------------

NODE_WIDTH = 190
NODE_HEIGHT = 34
COLUMN_GAP = 60
ROW_GAP = 14
PADDING = 12
# Beyond this many business services the picture stops being readable; the rest are counted.
MAX_DRAWN_SERVICES = 40

CLASS_LABELS = {
    BUSINESS_SERVICE: "business service",
    SERVICE_OFFERING: "offering",
    APPLICATION_SERVICE: "application service",
    TECHNICAL_SERVICE: "technical service",
    "cmdb_ci_business_app": "business application",
    "cmdb_ci_appl": "application",
    "cmdb_ci_server": "server",
    "cmdb_ci_db_instance": "database",
}
CLASS_STYLES = {
    BUSINESS_SERVICE: "business",
    SERVICE_OFFERING: "offering",
    APPLICATION_SERVICE: "service",
    TECHNICAL_SERVICE: "service",
}


@dataclass
class GraphNode:
    id: int
    name: str
    label: str
    kind: str
    style: str
    depth: int
    x: int
    y: int
    url: str
    is_source: bool

    @property
    def text_x(self):
        return self.x + 8

    @property
    def name_y(self):
        return self.y + 14

    @property
    def kind_y(self):
        return self.y + 28


@dataclass
class GraphEdge:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class ImpactGraph:
    nodes: list
    edges: list
    width: int
    height: int
    node_width: int
    node_height: int
    service_count: int
    hidden_service_count: int


def _short(name, limit=26):
    return name if len(name) <= limit else name[: limit - 1] + "…"


def impact_graph(task):
    """Layout of the impact from the task's CIs up to the business services they reach, for an inline SVG.

    Only CIs on the shortest paths from a source to a business service are drawn, in columns by
    depth, with one edge per step of those paths; None when the task names no CI.
    """
    source_ids = task_source_ids(task)
    if not source_ids:
        return None
    result = impacted_by(source_ids)
    service_count = result.count_of_class(BUSINESS_SERVICE)
    drawn_services = result.of_class(BUSINESS_SERVICE, limit=MAX_DRAWN_SERVICES)

    node_ids = set(result.source_ids)
    steps = set()
    for service in drawn_services:
        path = result.path(service.id)
        node_ids.update(path)
        steps.update(zip(path, path[1:], strict=False))

    columns = {}
    for pk in node_ids:
        ci = result.impacted[pk]
        columns.setdefault(ci.depth, []).append(ci)
    positions = {}
    nodes = []
    for column, depth in enumerate(sorted(columns)):
        for row, ci in enumerate(sorted(columns[depth], key=lambda ci: (ci.name, ci.id))):
            x = PADDING + column * (NODE_WIDTH + COLUMN_GAP)
            y = PADDING + row * (NODE_HEIGHT + ROW_GAP)
            positions[ci.id] = (x, y)
            nodes.append(
                GraphNode(
                    id=ci.id,
                    name=ci.name,
                    label=_short(ci.name),
                    kind=CLASS_LABELS.get(ci.sys_class_name, ci.sys_class_name),
                    style="source" if ci.depth == 0 else CLASS_STYLES.get(ci.sys_class_name, "ci"),
                    depth=ci.depth,
                    x=x,
                    y=y,
                    url=reverse("admin:cmdb_configurationitem_change", args=[ci.id]),
                    is_source=ci.depth == 0,
                )
            )
    edges = []
    for lower, upper in sorted(steps):
        (x1, y1), (x2, y2) = positions[lower], positions[upper]
        edges.append(GraphEdge(x1 + NODE_WIDTH, y1 + NODE_HEIGHT // 2, x2, y2 + NODE_HEIGHT // 2))

    tallest = max(len(column) for column in columns.values())
    return ImpactGraph(
        nodes=nodes,
        edges=edges,
        width=2 * PADDING + len(columns) * NODE_WIDTH + (len(columns) - 1) * COLUMN_GAP,
        height=2 * PADDING + tallest * NODE_HEIGHT + (tallest - 1) * ROW_GAP,
        node_width=NODE_WIDTH,
        node_height=NODE_HEIGHT,
        service_count=service_count,
        hidden_service_count=service_count - len(drawn_services),
    )


# --- admin ----------------------------------------------------------------------------------------


class AffectedCIInline(RunstageTabularInline):
    model = AffectedCI
    fields = ("ci", "ci_class")
    readonly_fields = ("ci_class",)
    autocomplete_fields = ("ci",)
    verbose_name_plural = _("Affected CIs")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ci")

    @admin.display(description=_("class"))
    def ci_class(self, obj):
        return obj.ci.sys_class_name if obj and obj.pk else "-"


class ImpactedServiceInline(RunstageTabularInline):
    model = ImpactedService
    fields = ("service", "service_class", "manually_added")
    readonly_fields = ("service_class",)
    autocomplete_fields = ("service",)
    verbose_name_plural = _("Impacted services")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A row added here is added by hand: a refresh must leave it alone.
        if db_field.name == "manually_added":
            kwargs["initial"] = True
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("class"))
    def service_class(self, obj):
        return obj.service.sys_class_name if obj and obj.pk else "-"


@admin.action(description=_("Refresh impacted services"), permissions=["change"])
def refresh_impacted_services_action(modeladmin, request, queryset):
    added = removed = 0
    for task in queryset:
        task_added, task_removed = refresh_impacted_services(task)
        added += task_added
        removed += task_removed
    modeladmin.message_user(
        request,
        ngettext(
            "Refreshed %(count)d task: %(added)d services added, %(removed)d removed.",
            "Refreshed %(count)d tasks: %(added)d services added, %(removed)d removed.",
            len(queryset),
        )
        % {"count": len(queryset), "added": added, "removed": removed},
        messages.SUCCESS,
    )


class TaskAdmin(RunstageModelAdmin):
    """What the incident and change admins share."""

    change_form_template = "admin/impact/task/change_form.html"
    list_display = ("number", "short_description", "state", "priority", "cmdb_ci", "assigned_to", "opened_at")
    list_filter = ("state", "priority")
    list_select_related = ("cmdb_ci", "assigned_to")
    search_fields = ("number", "short_description", "cmdb_ci__name")
    date_hierarchy = "opened_at"
    autocomplete_fields = ("cmdb_ci", "opened_by", "assigned_to", "assignment_group")
    readonly_fields = ("number", "closed_at", "sys_id_hex")
    inlines = (AffectedCIInline, ImpactedServiceInline)
    actions = (refresh_impacted_services_action,)
    extra_fieldsets = ()

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ("number", "short_description", "description", "cmdb_ci")}),
            (_("State"), {"fields": (("state", "priority"), ("opened_at", "closed_at"))}),
            (_("Assignment"), {"fields": ("opened_by", "assigned_to", "assignment_group")}),
            *self.extra_fieldsets,
            (_("Record"), {"fields": ("sys_id_hex",), "classes": ("collapse",)}),
        ]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "state":
            kwargs["choices"] = [(state.value, state.label) for state in self.model.STATES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.opened_by_id is None:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the inlines: the affected CIs entered on this page count as sources too.
        if self.model.REFRESH_IMPACTED_SERVICES_ON_SAVE:
            refresh_impacted_services(form.instance)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Here, not in change_view: only a page that is drawn needs the walk, not a POST that
        # saves and redirects, and the admin has already loaded the task.
        if change and obj is not None:
            context["impact_graph"] = impact_graph(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Incident)
class IncidentAdmin(TaskAdmin):
    """Incidents; saving one recomputes its impacted services."""

    autocomplete_fields = (*TaskAdmin.autocomplete_fields, "caller")
    extra_fieldsets = ((_("Caller"), {"fields": ("caller",)}),)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(TaskAdmin):
    """Change requests; their impacted services are recomputed by the "Refresh" action."""

    list_display = (*TaskAdmin.list_display[:3], "type", "start_date", *TaskAdmin.list_display[3:])
    list_filter = ("type", *TaskAdmin.list_filter)
    extra_fieldsets = ((_("Plan"), {"fields": ("type", ("start_date", "end_date"))}),)


@admin.register(Outage)
class OutageAdmin(RunstageModelAdmin):
    list_display = ("cmdb_ci", "ci_class", "type", "begin", "end", "is_open", "short_description")
    list_filter = ("type", ("end", admin.EmptyFieldListFilter), "begin")
    list_select_related = ("cmdb_ci",)
    search_fields = ("cmdb_ci__name", "short_description")
    autocomplete_fields = ("cmdb_ci",)
    date_hierarchy = "begin"

    @admin.display(description=_("class"), ordering="cmdb_ci__sys_class_name")
    def ci_class(self, obj):
        return obj.cmdb_ci.sys_class_name

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, obj):
        return obj.is_open
