"""Admin for product models of every kind."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cmdb.models import ApplicationModel, ProductModel, ServiceModel, SoftwareModel
from core.admin import RunstageModelAdmin


class ProductModelAdminBase(RunstageModelAdmin):
    list_display = ("name", "manufacturer", "model_number", "status", "ci_count")
    list_filter = ("status",)
    list_select_related = ("manufacturer",)
    search_fields = ("name", "model_number", "manufacturer__name")
    autocomplete_fields = ("manufacturer",)
    readonly_fields = ("sys_class_name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(ci_count=Count("cis"))

    @admin.display(description=_("CIs"), ordering="ci_count")
    def ci_count(self, obj):
        return obj.ci_count


@admin.register(ProductModel)
class ProductModelAdmin(ProductModelAdminBase):
    list_display = ("name", "sys_class_name", *ProductModelAdminBase.list_display[1:])
    list_filter = ("sys_class_name", *ProductModelAdminBase.list_filter)


@admin.register(ApplicationModel)
class ApplicationModelAdmin(ProductModelAdminBase):
    pass


@admin.register(ServiceModel)
class ServiceModelAdmin(ProductModelAdminBase):
    pass


@admin.register(SoftwareModel)
class SoftwareModelAdmin(ProductModelAdminBase):
    list_display = ("name", "version", *ProductModelAdminBase.list_display[1:])
