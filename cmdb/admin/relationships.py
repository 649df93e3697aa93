"""Admin for relationship types and relationships, and the two relationship inlines of a CI page."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cmdb.models import Relationship, RelationshipType
from core.admin import RunstageModelAdmin, RunstageTabularInline


@admin.register(RelationshipType)
class RelationshipTypeAdmin(RunstageModelAdmin):
    list_display = (
        "name",
        "parent_descriptor",
        "child_descriptor",
        "propagates_impact",
        "relationship_count",
    )
    list_filter = ("propagates_impact",)
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(relationship_count=Count("relationships"))

    @admin.display(description=_("relationships"), ordering="relationship_count")
    def relationship_count(self, obj):
        return obj.relationship_count


@admin.register(Relationship)
class RelationshipAdmin(RunstageModelAdmin):
    list_display = ("parent", "type", "child", "reading")
    list_select_related = ("parent", "type", "child")
    list_filter = ("type__propagates_impact", "type")
    search_fields = ("parent__name", "child__name", "type__name")
    autocomplete_fields = ("parent", "type", "child")

    @admin.display(description=_("reads as"))
    def reading(self, obj):
        return f"{obj.parent} {obj.type.parent_descriptor} {obj.child}"


class RelationshipInline(RunstageTabularInline):
    model = Relationship
    autocomplete_fields = ("parent", "type", "child")
    readonly_fields = ("reading",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent", "type", "child")


class UpstreamRelationshipInline(RelationshipInline):
    """Relationships where this CI is the child: the CIs that rely on it."""

    fk_name = "child"
    fields = ("parent", "type", "reading")
    verbose_name = _("upstream relationship")
    verbose_name_plural = _("Used by / upstream")

    @admin.display(description=_("reads as"))
    def reading(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return f"{obj.parent} {obj.type.parent_descriptor} this CI"


class DownstreamRelationshipInline(RelationshipInline):
    """Relationships where this CI is the parent: the CIs it relies on."""

    fk_name = "parent"
    fields = ("type", "child", "reading")
    verbose_name = _("downstream relationship")
    verbose_name_plural = _("Depends on / downstream")

    @admin.display(description=_("reads as"))
    def reading(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return f"this CI {obj.type.parent_descriptor} {obj.child}"
