"""Foundation data: the people and organisations that own, support and consume services."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from core.models import SysIdModel


class ClassNameMixin:
    """Keeps `sys_class_name` on a table that ServiceNow extends (core_company by customer_account,
    sys_user by customer_contact), so that the importer and exporter treat it as a class family."""

    def save(self, *args, **kwargs):
        # Only on insert: saving the sys_user part of a contact (a password change in the user
        # admin) must not turn it back into a plain user.
        if self._state.adding or not self.sys_class_name:
            self.sys_class_name = self._meta.db_table
        super().save(*args, **kwargs)


class Company(ClassNameMixin, SysIdModel):
    """A company: the business itself, a customer, a vendor or a manufacturer."""

    name = models.CharField(max_length=100)
    sys_class_name = models.CharField(
        "class", max_length=80, default="core_company", db_index=True, editable=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries"
    )
    street = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    customer = models.BooleanField(default=False)
    vendor = models.BooleanField(default=False)
    manufacturer = models.BooleanField(default=False)

    class Meta:
        db_table = "core_company"
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self):
        return self.name


class HierarchyMixin:
    """`clean()` for self-referencing trees kept with a plain parent reference."""

    def clean(self):
        super().clean()
        seen = {self.pk}
        node = self.parent
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "A record cannot sit below itself."})
            seen.add(node.pk)
            node = node.parent


class Location(HierarchyMixin, SysIdModel):
    """A site, building, floor or region; locations nest."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    street = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    time_zone = models.CharField(max_length=40, blank=True)

    class Meta:
        db_table = "cmn_location"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(HierarchyMixin, SysIdModel):
    """A department of a company; departments nest."""

    name = models.CharField(max_length=100)
    code = models.CharField("department id", max_length=40, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="departments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    dept_head = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="departments_headed"
    )
    description = models.TextField(blank=True)

    class Meta:
        db_table = "cmn_department"
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(ClassNameMixin, SysIdModel, AbstractUser):
    """A person who owns, supports, approves or consumes services (`sys_user`)."""

    sys_class_name = models.CharField(
        "class", max_length=80, default="sys_user", db_index=True, editable=False
    )
    title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="users"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    notify_non_major = models.BooleanField(
        "tell me about non-major incidents and changes",
        default=True,
        help_text="Major incidents are always told.",
    )

    class Meta:
        db_table = "sys_user"
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    @property
    def name(self):
        return self.get_full_name()

    @property
    def user_name(self):
        return self.username


class Group(SysIdModel):
    """An assignment or support group (`sys_user_group`), distinct from permission groups."""

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_groups"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    members = models.ManyToManyField(User, through="GroupMembership", related_name="support_groups")

    class Meta:
        db_table = "sys_user_group"
        ordering = ["name"]

    def __str__(self):
        return self.name


class GroupMembership(SysIdModel):
    """A user's membership of a group (`sys_user_grmember`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        db_table = "sys_user_grmember"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"],
                name="sys_user_grmember_unique",
                violation_error_message="This user is already a member of this group.",
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.group}"
