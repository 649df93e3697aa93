"""Admin for foundation data: users, groups and memberships, companies, locations, departments."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cmdb.models import Company, Department, Group, GroupMembership, Location, NumberCounter, User
from core.admin import PreloadedChoicesForm, RunstageModelAdmin, RunstageTabularInline, SysIdAdminMixin


class RunstageUserChangeForm(UserChangeForm, PreloadedChoicesForm):
    """Django's user change form (password link and all) with cheap autocompletes."""


@admin.register(User)
class UserAdmin(SysIdAdminMixin, DjangoUserAdmin):
    form = RunstageUserChangeForm
    fieldsets = (
        (None, {"fields": ("username", "password", "sys_id_hex")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "title", "phone")}),
        (_("Organisation"), {"fields": ("company", "department", "location", "manager")}),
        (_("Notifications"), {"fields": ("notify_non_major",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "title")}),
        (_("Organisation"), {"fields": ("company", "department", "location", "manager")}),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "title",
        "company",
        "department",
        "is_staff",
    )
    list_filter = ("is_staff", "is_superuser", "is_active")
    list_select_related = ("company", "department")
    search_fields = ("username", "first_name", "last_name", "email", "title")
    autocomplete_fields = ("company", "department", "location", "manager")


class GroupMembershipInline(RunstageTabularInline):
    model = GroupMembership
    autocomplete_fields = ("user",)
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Group)
class GroupAdmin(RunstageModelAdmin):
    list_display = ("name", "manager", "parent", "email", "member_count")
    list_select_related = ("manager", "parent")
    search_fields = ("name", "description", "email")
    autocomplete_fields = ("manager", "parent")
    inlines = (GroupMembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships", distinct=True))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(GroupMembership)
class GroupMembershipAdmin(RunstageModelAdmin):
    list_display = ("group", "user")
    list_select_related = ("group", "user")
    search_fields = ("group__name", "user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("group", "user")


@admin.register(Company)
class CompanyAdmin(RunstageModelAdmin):
    list_display = ("name", "parent", "city", "country", "customer", "vendor", "manufacturer")
    list_filter = ("customer", "vendor", "manufacturer")
    list_select_related = ("parent",)
    search_fields = ("name", "city", "country")
    autocomplete_fields = ("parent",)


@admin.register(Location)
class LocationAdmin(RunstageModelAdmin):
    list_display = ("name", "parent", "company", "city", "country", "time_zone")
    list_select_related = ("parent", "company")
    search_fields = ("name", "city", "state", "country")
    autocomplete_fields = ("parent", "company")


@admin.register(Department)
class DepartmentAdmin(RunstageModelAdmin):
    list_display = ("name", "code", "company", "parent", "dept_head")
    list_select_related = ("company", "parent", "dept_head")
    search_fields = ("name", "code", "company__name")
    autocomplete_fields = ("company", "parent", "dept_head")


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    """Counters for INC/CHG/REQ/RITM numbers: visible, never deleted (numbers would repeat)."""

    list_display = ("prefix", "next_value", "digits", "next_number")
    search_fields = ("prefix",)

    @admin.display(description=_("next number"))
    def next_number(self, obj):
        return str(obj)

    def get_readonly_fields(self, request, obj=None):
        # Moving a counter backwards would hand out numbers twice; it only ever moves by allocation.
        return ("prefix", "next_value") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False
