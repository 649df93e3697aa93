"""Admin for configuration items: one admin per concrete class, all built on ConfigurationItemAdmin."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cmdb.admin.relationships import DownstreamRelationshipInline, UpstreamRelationshipInline
from cmdb.models import (
    Application,
    ApplicationService,
    BusinessApplication,
    ConfigurationItem,
    DatabaseInstance,
    Server,
    Service,
)
from cmdb.services import autogenerate_product_models
from core.admin import RunstageModelAdmin


@admin.action(
    description=_("Generate product models for selected logical CIs"),
    permissions=["change"],
)
def generate_product_models(modeladmin, request, queryset):
    summary = autogenerate_product_models(cis=queryset)
    level = messages.SUCCESS if summary.linked else messages.INFO
    modeladmin.message_user(request, str(summary), level=level)


class ConfigurationItemAdmin(RunstageModelAdmin):
    """What every CI admin shares; subclasses add `detail_fields` for their own table's columns."""

    detail_fields = ()
    list_display = (
        "name",
        "sys_class_name",
        "operational_status",
        "environment",
        "business_criticality",
        "owned_by",
        "support_group",
        "company",
        "logical",
    )
    list_filter = ("operational_status", "install_status", "environment", "business_criticality", "logical")
    list_select_related = ("owned_by", "support_group", "company")
    search_fields = ("name", "short_description")
    autocomplete_fields = (
        "owned_by",
        "managed_by",
        "support_group",
        "company",
        "location",
        "department",
        "model",
    )
    readonly_fields = ("sys_class_name", "sys_id_hex", "sys_created_on", "sys_updated_on")
    inlines = (UpstreamRelationshipInline, DownstreamRelationshipInline)
    actions = (generate_product_models,)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("name", "short_description", "sys_class_name", "sys_id_hex")}),
            (
                _("Status"),
                {
                    "fields": (
                        ("operational_status", "install_status"),
                        ("business_criticality", "environment"),
                        "logical",
                    )
                },
            ),
            (_("Ownership"), {"fields": ("owned_by", "managed_by", "support_group")}),
            (_("Organisation"), {"fields": ("company", "location", "department", "model")}),
        ]
        if self.detail_fields:
            fieldsets.append((_("Details"), {"fields": self.detail_fields}))
        fieldsets.append(
            (_("Record"), {"fields": ("sys_created_on", "sys_updated_on"), "classes": ("collapse",)})
        )
        return fieldsets


@admin.register(ConfigurationItem)
class BaseConfigurationItemAdmin(ConfigurationItemAdmin):
    """Every CI whatever its class, including imported classes that have no Django subclass."""

    list_filter = ("sys_class_name", *ConfigurationItemAdmin.list_filter)


class ServiceAdmin(ConfigurationItemAdmin):
    """What every service admin shares."""

    detail_fields = ("service_classification", "portfolio", "portfolio_status", "version", "vendor")
    list_display = (
        "name",
        "portfolio",
        "portfolio_status",
        "operational_status",
        "business_criticality",
        "owned_by",
        "support_group",
        "logical",
    )
    list_filter = ("portfolio_status", *ConfigurationItemAdmin.list_filter)
    list_select_related = ("portfolio", "owned_by", "support_group")
    autocomplete_fields = (*ConfigurationItemAdmin.autocomplete_fields, "portfolio", "vendor")


@admin.register(Service)
class PlainServiceAdmin(ServiceAdmin):
    list_display = ("name", "sys_class_name", *ServiceAdmin.list_display[1:])
    list_filter = ("sys_class_name", *ServiceAdmin.list_filter)


@admin.register(ApplicationService)
class ApplicationServiceAdmin(ServiceAdmin):
    pass


@admin.register(BusinessApplication)
class BusinessApplicationAdmin(ConfigurationItemAdmin):
    detail_fields = (
        "number",
        "application_type",
        "architecture_type",
        "install_type",
        "life_cycle_stage",
        "user_base",
    )
    list_display = (
        "name",
        "number",
        "life_cycle_stage",
        "application_type",
        "business_criticality",
        "owned_by",
        "support_group",
    )
    list_filter = ("life_cycle_stage", *ConfigurationItemAdmin.list_filter)
    search_fields = (*ConfigurationItemAdmin.search_fields, "number")


@admin.register(Application)
class ApplicationAdmin(ConfigurationItemAdmin):
    detail_fields = ("version", "tcp_port")
    list_display = ("name", "version", "operational_status", "environment", "owned_by", "support_group")


@admin.register(Server)
class ServerAdmin(ConfigurationItemAdmin):
    detail_fields = (
        ("ip_address", "fqdn"),
        ("os", "os_version"),
        ("cpu_count", "ram"),
        "serial_number",
        "virtual",
    )
    list_display = (
        "name",
        "ip_address",
        "os",
        "os_version",
        "virtual",
        "operational_status",
        "environment",
        "location",
        "support_group",
    )
    list_filter = ("virtual", "os", *ConfigurationItemAdmin.list_filter)
    list_select_related = ("location", "support_group")
    search_fields = (*ConfigurationItemAdmin.search_fields, "ip_address", "fqdn", "serial_number")


@admin.register(DatabaseInstance)
class DatabaseInstanceAdmin(ConfigurationItemAdmin):
    detail_fields = ("type", "version", "tcp_port")
    list_display = ("name", "type", "version", "operational_status", "environment", "support_group")
    list_filter = ("type", *ConfigurationItemAdmin.list_filter)
    list_select_related = ("support_group",)
