"""Admin for catalog owners and fulfillers.

State, stage and approval are read-only here: fulfillers move requested items with the
actions below, which go through catalog.fulfilment (and so through the transition maps).
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from catalog.fulfilment import close_incomplete, deliver_item, skip_item, start_work
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
    list_display = ("title", "catalog", "parent", "active", "order")
    list_filter = ("catalog", "active")
    list_select_related = ("catalog", "parent")
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
    list_display = (
        "name",
        "category",
        "price",
        "price_currency",
        "active",
        "available_to_all",
        "approval_required",
    )
    list_filter = ("active", "available_to_all", "approval_required", "catalogs", "category")
    list_select_related = ("category",)
    search_fields = ("name", "short_description")
    autocomplete_fields = ("category",)
    filter_horizontal = ("catalogs",)
    inlines = (ItemVariableInline, CatalogItemOfferingInline)
    fieldsets = (
        (None, {"fields": ("name", "short_description", "description", "category", "catalogs")}),
        (
            "Price and delivery",
            {
                "fields": (
                    ("price", "price_currency"),
                    "recurring_price",
                    "recurring_frequency",
                    "delivery_time",
                )
            },
        ),
        ("Who may order", {"fields": ("active", "available_to_all", "approval_required")}),
    )


class VariableChoiceInline(RunstageTabularInline):
    model = VariableChoice
    fields = ("order", "text", "value")


@admin.register(ItemVariable)
class ItemVariableAdmin(RunstageModelAdmin):
    list_display = ("question_text", "name", "catalog_item", "type", "mandatory", "order")
    list_filter = ("type", "mandatory")
    list_select_related = ("catalog_item",)
    search_fields = ("question_text", "name", "catalog_item__name")
    autocomplete_fields = ("catalog_item",)
    inlines = (VariableChoiceInline,)


class RequestedItemInline(RunstageTabularInline):
    model = RequestedItem
    fields = ("number", "catalog_item", "quantity", "price", "price_currency", "state", "stage", "approval")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("catalog_item")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Request)
class RequestAdmin(RunstageModelAdmin):
    # A request in several currencies has no single total (price and currency empty); its items
    # carry their own.
    list_display = (
        "number",
        "requested_for",
        "request_state",
        "approval",
        "price",
        "price_currency",
        "opened_at",
    )
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
        "price_currency",
        "opened_at",
        "closed_at",
    )
    inlines = (RequestedItemInline,)

    def has_add_permission(self, request):
        return False  # requests are placed from the catalog, through catalog.ordering


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
        for item in queryset.select_related("request", "catalog_item"):
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
    list_display = ("number", "request", "catalog_item", "quantity", "state", "stage", "approval", "approver")
    list_filter = ("state", "stage", "approval")
    list_select_related = ("request", "catalog_item", "approver")
    search_fields = ("number", "request__number", "catalog_item__name")
    readonly_fields = (
        "number",
        "request",
        "catalog_item",
        "quantity",
        "price",
        "price_currency",
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
        _fulfilment_action(start_work, "Start work", "started"),
        _fulfilment_action(deliver_item, "Deliver", "delivered"),
        _fulfilment_action(close_incomplete, "Close incomplete", "closed incomplete"),
        _fulfilment_action(skip_item, "Skip", "skipped"),
    )

    def has_add_permission(self, request):
        return False
