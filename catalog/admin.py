"""Admin for catalog owners and fulfillers.

State, stage and approval are read-only here: fulfillers move requested items with the
actions below, which go through catalog.services (and so through the transition maps).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import (
    Catalog,
    CatalogItem,
    CatalogItemOffering,
    Category,
    ItemVariable,
    Request,
    RequestedItem,
    RequestedItemAnswer,
    VariableChoice,
)
from core.admin import RunstageModelAdmin, RunstageTabularInline


@admin.register(Catalog)
class CatalogAdmin(RunstageModelAdmin):
    list_display = ("title", "active", "order")
    list_filter = ("active",)
    search_fields = ("title",)


@admin.register(Category)
class CategoryAdmin(RunstageModelAdmin):
    list_display = ("title", "sc_catalog", "parent", "active", "order")
    list_filter = ("sc_catalog", "active")
    list_select_related = ("sc_catalog", "parent")
    search_fields = ("title",)
    autocomplete_fields = ("parent",)


class ItemVariableInline(RunstageTabularInline):
    model = ItemVariable
    fields = (
        "order",
        "name",
        "question_text",
        "type",
        "mandatory",
        "default_value",
        "min_value",
        "max_value",
        "help_text",
    )
    show_change_link = True  # choices are edited on the variable's own page


class CatalogItemOfferingInline(RunstageTabularInline):
    model = CatalogItemOffering
    autocomplete_fields = ("service_offering",)
    verbose_name_plural = "offerings this item orders"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service_offering")


@admin.register(CatalogItem)
class CatalogItemAdmin(RunstageModelAdmin):
    list_display = ("name", "category", "price", "active", "available_to_all", "approval_required")
    list_filter = ("active", "available_to_all", "approval_required", "sc_catalogs", "category")
    list_select_related = ("category",)
    search_fields = ("name", "short_description")
    autocomplete_fields = ("category",)
    filter_horizontal = ("sc_catalogs",)
    inlines = (ItemVariableInline, CatalogItemOfferingInline)
    fieldsets = (
        (None, {"fields": ("name", "short_description", "description", "category", "sc_catalogs")}),
        (
            "Price and delivery",
            {"fields": ("price", "recurring_price", "recurring_frequency", "delivery_time")},
        ),
        ("Who may order", {"fields": ("active", "available_to_all", "approval_required")}),
    )


class VariableChoiceInline(RunstageTabularInline):
    model = VariableChoice
    fields = ("order", "text", "value")


@admin.register(ItemVariable)
class ItemVariableAdmin(RunstageModelAdmin):
    list_display = ("question_text", "name", "cat_item", "type", "mandatory", "order")
    list_filter = ("type", "mandatory")
    list_select_related = ("cat_item",)
    search_fields = ("question_text", "name", "cat_item__name")
    autocomplete_fields = ("cat_item",)
    inlines = (VariableChoiceInline,)


class RequestedItemInline(RunstageTabularInline):
    model = RequestedItem
    fields = ("number", "cat_item", "quantity", "price", "state", "stage", "approval")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cat_item")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(RunstageModelAdmin):
    list_display = ("number", "requested_for", "request_state", "approval", "price", "opened_at")
    list_filter = ("request_state", "approval")
    list_select_related = ("requested_for",)
    search_fields = ("number", "requested_for__username", "requested_for__last_name")
    readonly_fields = (
        "number",
        "requested_for",
        "opened_by",
        "request_state",
        "approval",
        "price",
        "opened_at",
        "closed_at",
    )
    inlines = (RequestedItemInline,)

    def has_add_permission(self, request):
        return False  # requests are placed from the catalog, through catalog.services


class AnswerInline(RunstageTabularInline):
    model = RequestedItemAnswer
    fields = ("question", "display_value", "value")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _fulfilment_action(function, description, done):
    def action(modeladmin, request, queryset):
        moved, refused = 0, []
        for item in queryset.select_related("request", "cat_item"):
            try:
                function(item)
                moved += 1
            except ValidationError as error:
                refused.append(" ".join(error.messages))
        if moved:
            modeladmin.message_user(request, f"{moved} item(s) {done}.", messages.SUCCESS)
        for reason in refused:
            modeladmin.message_user(request, reason, messages.ERROR)

    action.__name__ = function.__name__
    action.short_description = description
    action.allowed_permissions = ("change",)
    return action


@admin.register(RequestedItem)
class RequestedItemAdmin(RunstageModelAdmin):
    list_display = ("number", "request", "cat_item", "quantity", "state", "stage", "approval", "approver")
    list_filter = ("state", "stage", "approval")
    list_select_related = ("request", "cat_item", "approver")
    search_fields = ("number", "request__number", "cat_item__name")
    readonly_fields = (
        "number",
        "request",
        "cat_item",
        "quantity",
        "price",
        "recurring_price",
        "recurring_frequency",
        "state",
        "stage",
        "approval",
        "approver",
        "approved_by",
        "approval_decided_at",
        "rejection_reason",
        "closed_at",
    )
    inlines = (AnswerInline,)
    actions = (
        _fulfilment_action(services.start_work, "Start work", "started"),
        _fulfilment_action(services.deliver_item, "Deliver", "delivered"),
        _fulfilment_action(services.close_incomplete, "Close incomplete", "closed incomplete"),
        _fulfilment_action(services.skip_item, "Skip", "skipped"),
    )

    def has_add_permission(self, request):
        return False
