"""Admin for service offerings (with commitments and subscribers inline), commitments and subscriptions."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cmdb.admin import ServiceAdmin
from cmdb.models import BusinessService, TechnicalService
from core.admin import RunstageModelAdmin, RunstageTabularInline
from offerings.forms import ServiceOfferingForm
from offerings.models import (
    CompanySubscription,
    DepartmentSubscription,
    GroupSubscription,
    LocationSubscription,
    OfferingCommitment,
    ServiceCommitment,
    ServiceOffering,
    UserSubscription,
)


class OfferingInline(RunstageTabularInline):
    """A service's offerings, edited in place for the basics and linked to their own page."""

    model = ServiceOffering
    fk_name = "parent"
    fields = ("name", "classification", "phase", "price", "price_unit", "owned_by")
    readonly_fields = ("owned_by",)
    show_change_link = True
    verbose_name_plural = _("Offerings")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owned_by")


@admin.register(BusinessService)
class BusinessServiceAdmin(ServiceAdmin):
    inlines = (OfferingInline, *ServiceAdmin.inlines)


@admin.register(TechnicalService)
class TechnicalServiceAdmin(ServiceAdmin):
    inlines = (OfferingInline, *ServiceAdmin.inlines)


class OfferingCommitmentInline(RunstageTabularInline):
    model = OfferingCommitment
    autocomplete_fields = ("service_commitment",)
    fields = ("service_commitment", "commitment_type", "target")
    readonly_fields = ("commitment_type", "target")
    verbose_name = _("commitment")
    verbose_name_plural = _("Commitments")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service_commitment")

    @admin.display(description=_("type"))
    def commitment_type(self, obj):
        return obj.service_commitment.get_type_display() if obj and obj.pk else "-"

    @admin.display(description=_("target"))
    def target(self, obj):
        return format_target(obj.service_commitment) if obj and obj.pk else "-"


def format_target(commitment):
    """A commitment's target as people write it: "99.9 %", "4 hours"."""
    if commitment.target_value is None:
        return commitment.target_unit or "-"
    value = commitment.target_value.normalize()
    text = f"{value:f}"
    return f"{text} {commitment.target_unit}".strip()


class SubscriptionInline(RunstageTabularInline):
    """Subscribers of one kind; `subscriber_field` names the subscriber's foreign key."""

    subscriber_field = None

    def get_autocomplete_fields(self, request):
        return (self.subscriber_field,)

    def get_fields(self, request, obj=None):
        return (self.subscriber_field, "sys_created_on")

    def get_readonly_fields(self, request, obj=None):
        return ("sys_created_on",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.subscriber_field)


class UserSubscriptionInline(SubscriptionInline):
    model = UserSubscription
    subscriber_field = "user"
    verbose_name_plural = _("Subscribed users")


class CompanySubscriptionInline(SubscriptionInline):
    model = CompanySubscription
    subscriber_field = "company"
    verbose_name_plural = _("Subscribed companies")


class DepartmentSubscriptionInline(SubscriptionInline):
    model = DepartmentSubscription
    subscriber_field = "department"
    verbose_name_plural = _("Subscribed departments")


class LocationSubscriptionInline(SubscriptionInline):
    model = LocationSubscription
    subscriber_field = "location"
    verbose_name_plural = _("Subscribed locations")


class GroupSubscriptionInline(SubscriptionInline):
    model = GroupSubscription
    subscriber_field = "group"
    verbose_name_plural = _("Subscribed groups")


SUBSCRIPTION_INLINES = (
    UserSubscriptionInline,
    CompanySubscriptionInline,
    DepartmentSubscriptionInline,
    LocationSubscriptionInline,
    GroupSubscriptionInline,
)


@admin.register(ServiceOffering)
class ServiceOfferingAdmin(ServiceAdmin):
    form = ServiceOfferingForm
    detail_fields = (
        "parent",
        ("classification", "phase"),
        "consumer_type",
        ("price", "price_currency", "price_unit"),
        "service_classification",
        "portfolio_status",
        "version",
        "vendor",
    )
    list_display = (
        "name",
        "parent",
        "classification",
        "consumer_type",
        "phase",
        "price",
        "price_currency",
        "price_unit",
        "operational_status",
        "owned_by",
        "support_group",
    )
    list_filter = ("classification", "consumer_type", "phase", *ServiceAdmin.list_filter)
    list_select_related = ("parent", "owned_by", "support_group")
    search_fields = (*ServiceAdmin.search_fields, "parent__name")
    autocomplete_fields = (*ServiceAdmin.autocomplete_fields, "parent")
    inlines = (OfferingCommitmentInline, *SUBSCRIPTION_INLINES, *ServiceAdmin.inlines)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # Scope sits with the details, before the collapsed record fields at the end.
        return [*fieldsets[:-1], (_("Scope"), {"fields": ("in_scope", "out_of_scope")}), fieldsets[-1]]


@admin.register(ServiceCommitment)
class ServiceCommitmentAdmin(RunstageModelAdmin):
    list_display = ("name", "type", "target", "schedule", "period", "offering_count")
    list_filter = ("type", "target_unit", "period")
    search_fields = ("name", "description", "schedule")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(offering_count=Count("offering_commitments"))

    @admin.display(description=_("target"), ordering="target_value")
    def target(self, obj):
        return format_target(obj)

    @admin.display(description=_("offerings"), ordering="offering_count")
    def offering_count(self, obj):
        return obj.offering_count


@admin.register(OfferingCommitment)
class OfferingCommitmentAdmin(RunstageModelAdmin):
    list_display = ("service_offering", "service_commitment", "commitment_type")
    list_filter = ("service_commitment__type",)
    list_select_related = ("service_offering", "service_commitment")
    search_fields = ("service_offering__name", "service_commitment__name")
    autocomplete_fields = ("service_offering", "service_commitment")

    @admin.display(description=_("type"), ordering="service_commitment__type")
    def commitment_type(self, obj):
        return obj.service_commitment.get_type_display()


class SubscriptionAdmin(RunstageModelAdmin):
    """One subscribe-by table; `subscriber_field` names the subscriber's foreign key."""

    subscriber_field = None
    subscriber_search = ("name",)

    def get_list_display(self, request):
        return ("service_offering", self.subscriber_field, "sys_created_on")

    def get_list_select_related(self, request):
        return ("service_offering", self.subscriber_field)

    def get_autocomplete_fields(self, request):
        return ("service_offering", self.subscriber_field)

    def get_search_fields(self, request):
        return (
            "service_offering__name",
            *(f"{self.subscriber_field}__{name}" for name in self.subscriber_search),
        )


@admin.register(UserSubscription)
class UserSubscriptionAdmin(SubscriptionAdmin):
    subscriber_field = "user"
    subscriber_search = ("username", "first_name", "last_name")


@admin.register(CompanySubscription)
class CompanySubscriptionAdmin(SubscriptionAdmin):
    subscriber_field = "company"


@admin.register(DepartmentSubscription)
class DepartmentSubscriptionAdmin(SubscriptionAdmin):
    subscriber_field = "department"


@admin.register(LocationSubscription)
class LocationSubscriptionAdmin(SubscriptionAdmin):
    subscriber_field = "location"


@admin.register(GroupSubscription)
class GroupSubscriptionAdmin(SubscriptionAdmin):
    subscriber_field = "group"
