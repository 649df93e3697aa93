"""The service portfolio as a drag-and-drop tree, with subtree counts of services and offerings."""

from django import http
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import router
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin
from mptt.forms import MPTTAdminForm

from cmdb.models import BusinessService
from core.admin import PreloadedChoicesForm, RunstageModelAdmin, RunstageTabularInline, SysIdAdminMixin
from core.workflow import InvalidTransition
from offerings.models import ServiceOffering
from portfolio.models import Initiative, PortfolioNode
from portfolio.tree import attach_paths, tree_write


def annotate_portfolio_counts(queryset):
    """Business services and their offerings under each node, descendants included: two subqueries."""
    queryset = PortfolioNode.objects.add_related_count(
        queryset, BusinessService, "portfolio", "business_service_count", cumulative=True
    )
    return PortfolioNode.objects.add_related_count(
        queryset,
        ServiceOffering,
        "parent__portfolio",
        "offering_count",
        cumulative=True,
        extra_filters={"parent__sys_class_name": BusinessService._meta.db_table},
    )


class PathLabelledNode:
    """A node as the autocomplete lists it: the node itself, except that str() is its path.

    Django's autocomplete view (one for the whole admin site) labels each result with str(obj), and
    PortfolioNode.__str__ is the name; the model admin reaches that view only through its
    queryset, search and paginator, so the paginator hands it these instead of bare nodes.
    """

    def __init__(self, node):
        self.node = node

    def __getattr__(self, name):
        return getattr(self.node, name)

    def __str__(self):
        return self.node.path_label


class PathLabelPaginator(Paginator):
    """Pages of nodes labelled by their path, the ancestors of the whole page read in one query."""

    def _get_page(self, object_list, *args, **kwargs):
        nodes = attach_paths(object_list)
        return super()._get_page([PathLabelledNode(node) for node in nodes], *args, **kwargs)


class PortfolioNodeForm(MPTTAdminForm, PreloadedChoicesForm):
    """django-mptt's form (a node's own subtree is not offered as its parent) with cheap autocompletes."""


class BusinessServiceInline(RunstageTabularInline):
    """The business services that sit directly in this node (read-only; move them from their page)."""

    model = BusinessService
    fk_name = "portfolio"
    fields = ("name", "portfolio_status", "operational_status", "owned_by")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("Business services in this node")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owned_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PortfolioNode)
class PortfolioNodeAdmin(SysIdAdminMixin, DraggableMPTTAdmin):
    form = PortfolioNodeForm
    list_display = (
        "tree_actions",
        "indented_title",
        "node_type",
        "owner",
        "business_service_count",
        "offering_count",
    )
    list_display_links = ("indented_title",)
    list_filter = ("node_type",)
    list_select_related = ("owner",)
    search_fields = ("name", "description")
    autocomplete_fields = ("parent", "owner")
    inlines = (BusinessServiceInline,)
    fields = ("name", "parent", "node_type", "owner", "description", "sys_id_hex")

    def is_autocomplete(self, request):
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name == f"{self.admin_site.name}:autocomplete"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.is_autocomplete(request):
            return queryset  # the counts are not shown there
        return annotate_portfolio_counts(queryset)

    def get_paginator(self, request, queryset, per_page, *args, **kwargs):
        if self.is_autocomplete(request):
            return PathLabelPaginator(queryset, per_page, *args, **kwargs)
        return super().get_paginator(request, queryset, per_page, *args, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().changeform_view(request, *args, **kwargs)
        # Validate (no descendant as parent, unique sibling names) and save under the same lock, so
        # a concurrent move cannot make the checked parent a descendant before the save.
        with tree_write(router.db_for_write(self.model)):
            return super().changeform_view(request, *args, **kwargs)

    @admin.display(description=_("business services"), ordering="business_service_count")
    def business_service_count(self, obj):
        return obj.business_service_count

    @admin.display(description=_("offerings"), ordering="offering_count")
    def offering_count(self, obj):
        return obj.offering_count

    def changelist_view(self, request, *args, **kwargs):
        if request.method == "POST" and request.POST.get("cmd") == "move_node":
            # The check and DraggableMPTTAdmin's move (through the locked move_node()) in one locked
            # transaction: what was checked is what is moved.
            with tree_write(router.db_for_write(self.model)):
                refusal = self.refuse_invalid_move(request)
                if refusal is not None:
                    return refusal
                return super().changelist_view(request, *args, **kwargs)
        return super().changelist_view(request, *args, **kwargs)

    def refuse_invalid_move(self, request):
        """Validate a drag-and-drop move as the change form would, before django-mptt performs it.

        DraggableMPTTAdmin turns mptt's InvalidMove into a message, but re-raises database errors
        (a sibling with the same name) as a 500. Checking the model's clean() and constraints first
        gives both cases the same clean message.
        """
        position = request.POST.get("position")
        queryset = PortfolioNode.objects.all()
        try:
            node = queryset.get(pk=request.POST.get("cut_item"))
            target = queryset.get(pk=request.POST.get("pasted_on"))
        except (PortfolioNode.DoesNotExist, TypeError, ValueError):
            return None  # DraggableMPTTAdmin reports these itself
        if position not in ("last-child", "left", "right"):
            return None
        new_parent = target if position == "last-child" else target.parent
        if new_parent is not None and (new_parent.pk == node.pk or new_parent.is_descendant_of(node)):
            message = _("A node cannot move below itself or one of its own descendants.")
        else:
            node.parent = new_parent
            try:
                node.full_clean(exclude=["lft", "rght", "tree_id", "level"])
            except ValidationError as error:
                message = " ".join(error.messages)
            else:
                return None
        self.message_user(
            request,
            _("%(node)s was not moved: %(reason)s") % {"node": node, "reason": message},
            level=messages.ERROR,
        )
        return http.HttpResponse("FAIL, invalid move.")


class InitiativeForm(PreloadedChoicesForm):
    """Refuses a state change the initiative workflow does not allow."""

    def clean_state(self):
        new_state = self.cleaned_data["state"]
        # The instance still holds the stored state here; the form copies cleaned data onto it later.
        if self.instance.pk is not None and new_state != self.instance.state:
            try:
                self.instance.set_state(new_state, save=False)
            except InvalidTransition as error:
                raise ValidationError(error.message_dict["state"]) from None
        return new_state


@admin.register(Initiative)
class InitiativeAdmin(RunstageModelAdmin):
    form = InitiativeForm
    list_display = ("title", "service", "state", "owner", "target_date")
    list_filter = ("state", "target_date")
    list_select_related = ("service", "owner")
    search_fields = ("title", "description", "service__name")
    autocomplete_fields = ("service", "owner")
    date_hierarchy = "target_date"
