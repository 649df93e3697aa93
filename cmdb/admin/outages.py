"""Admin for outages: when a CI was down, degraded or out for planned work."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cmdb.admin.base import RunstageModelAdmin
from cmdb.models import Outage


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
