"""Admin for accounts, contacts, consumers, sold products, install base and cases; and, on every
service offering's page, the accounts and consumers that bought it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cmdb.admin.foundation import UserAdmin
from core.admin import RunstageModelAdmin, RunstageTabularInline
from customers.models import (
    Case,
    Consumer,
    CustomerAccount,
    CustomerContact,
    InstallBaseItem,
    InstalledProduct,
    SoldProduct,
)
from offerings.admin import ServiceOfferingAdmin
from offerings.models import ServiceOffering


class CustomerContactInline(RunstageTabularInline):
    model = CustomerContact
    fk_name = "account"
    fields = ("username", "first_name", "last_name", "email", "is_active")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # contacts are users: added on their own page, with a password


class SoldProductInline(RunstageTabularInline):
    """Sold products of one account or consumer."""

    model = SoldProduct
    fields = ("name", "service_offering", "product", "state", "start_date", "end_date")
    autocomplete_fields = ("service_offering", "product")
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service_offering", "product")


class InstallBaseItemInline(RunstageTabularInline):
    model = InstallBaseItem
    fields = ("name", "configuration_item", "state", "install_date")
    autocomplete_fields = ("configuration_item",)
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("configuration_item")


@admin.register(CustomerAccount)
class CustomerAccountAdmin(RunstageModelAdmin):
    list_display = ("number", "name", "customer", "partner", "city", "country", "primary_contact")
    list_filter = ("customer", "partner")
    list_select_related = ("primary_contact",)
    search_fields = ("number", "name", "city", "country")
    autocomplete_fields = ("parent", "primary_contact")
    readonly_fields = ("number", "sys_id_hex")
    fields = (
        ("number", "sys_id_hex"),
        "name",
        ("customer", "partner"),
        "parent",
        "primary_contact",
        ("street", "city", "country"),
        ("phone", "website"),
    )
    inlines = (CustomerContactInline, SoldProductInline, InstallBaseItemInline)


@admin.register(CustomerContact)
class CustomerContactAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets[:2],
        (_("Account"), {"fields": ("account",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "is_active")}),
    )
    add_fieldsets = (*UserAdmin.add_fieldsets[:2], (_("Account"), {"fields": ("account",)}))
    list_display = ("username", "first_name", "last_name", "email", "account", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


@admin.register(Consumer)
class ConsumerAdmin(RunstageModelAdmin):
    list_display = ("number", "name", "email", "phone", "active")
    list_filter = ("active",)
    search_fields = ("number", "name", "email")
    autocomplete_fields = ("user",)
    readonly_fields = ("number",)
    inlines = (SoldProductInline, InstallBaseItemInline)


class InstalledProductInline(RunstageTabularInline):
    model = InstalledProduct
    autocomplete_fields = ("sold_product",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sold_product")


@admin.register(SoldProduct)
class SoldProductAdmin(RunstageModelAdmin):
    list_display = ("name", "account", "consumer", "service_offering", "state", "start_date", "end_date")
    list_filter = ("state",)
    list_select_related = ("account", "consumer", "service_offering")
    search_fields = ("name", "account__name", "consumer__name", "service_offering__name")
    autocomplete_fields = ("account", "consumer", "product", "service_offering")


@admin.register(InstallBaseItem)
class InstallBaseItemAdmin(RunstageModelAdmin):
    list_display = ("name", "account", "consumer", "configuration_item", "state")
    list_filter = ("state",)
    list_select_related = ("account", "consumer", "configuration_item")
    search_fields = ("name", "account__name", "consumer__name", "configuration_item__name")
    autocomplete_fields = ("account", "consumer", "configuration_item")
    inlines = (InstalledProductInline,)


@admin.register(Case)
class CaseAdmin(RunstageModelAdmin):
    list_display = ("number", "short_description", "account", "consumer", "state", "proactive", "incident")
    list_filter = ("state", "proactive")
    list_select_related = ("account", "consumer", "incident")
    search_fields = ("number", "short_description", "account__name", "consumer__name", "incident__number")
    autocomplete_fields = (
        "account",
        "consumer",
        "contact",
        "sold_product",
        "install_base_item",
        "service_offering",
        "incident",
        "outage",
    )
    readonly_fields = ("number", "opened_at", "resolved_at")


class OfferingCustomerInline(RunstageTabularInline):
    """On an offering's page: who bought it (accounts and consumers), with the purchase's dates."""

    model = SoldProduct
    fk_name = "service_offering"
    fields = ("name", "account", "consumer", "state", "start_date", "end_date")
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0
    verbose_name_plural = _("Customers (sold products)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "consumer")


# The offerings admin cannot name this app (it sits below it); this app adds its inline instead.
admin.site.unregister(ServiceOffering)


@admin.register(ServiceOffering)
class SellingServiceOfferingAdmin(ServiceOfferingAdmin):
    inlines = (*ServiceOfferingAdmin.inlines[:1], OfferingCustomerInline, *ServiceOfferingAdmin.inlines[1:])
