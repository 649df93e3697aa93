"""Service offerings, the commitments that define their level of service, and who subscribes."""

from django.core.exceptions import ValidationError
from django.db import models

from cmdb.models import Service
from core.models import SysIdModel
from core.money import default_currency, validate_currency_code

SCOPE_ITEM_MAX_LENGTH = 255
SCOPE_MAX_ITEMS = 50


def validate_scope_items(value):
    """A scope list is a list of distinct, non-empty lines of text (each at most 255 characters)."""
    if not isinstance(value, list):
        raise ValidationError("Give the scope as a list of items.", code="invalid_scope")
    if len(value) > SCOPE_MAX_ITEMS:
        raise ValidationError(f"At most {SCOPE_MAX_ITEMS} scope items.", code="invalid_scope")
    for item in value:
        if not isinstance(item, str) or not item.strip() or "\n" in item:
            raise ValidationError("Each scope item is one non-empty line of text.", code="invalid_scope")
        if len(item) > SCOPE_ITEM_MAX_LENGTH:
            raise ValidationError(
                f"A scope item has at most {SCOPE_ITEM_MAX_LENGTH} characters.", code="invalid_scope"
            )
    if len({item.strip().casefold() for item in value}) != len(value):
        raise ValidationError("A scope item is listed twice.", code="invalid_scope")


def currency_field(**kwargs):
    return models.CharField(
        "currency",
        max_length=3,
        default=default_currency,
        validators=[validate_currency_code],
        help_text="ISO 4217 code of the price, e.g. GBP.",
        **kwargs,
    )


class ConsumerType(models.TextChoices):
    """Who consumes an offering: the provider's own business, customers it sells to, or both."""

    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"
    BOTH = "both", "Internal and external"


class ServiceOffering(Service):
    """A way a service is offered to a kind of consumer (`service_offering`)."""

    class Classification(models.TextChoices):
        BUSINESS = "Business Service", "Business"
        TECHNICAL = "Technical Service", "Technical"

    class Phase(models.TextChoices):
        PIPELINE = "pipeline", "Pipeline"
        CATALOG = "catalog", "Catalog"
        RETIRED = "retired", "Retired"

    parent = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offerings",
        help_text="The service this offering fine-tunes.",
    )
    classification = models.CharField(
        max_length=40, choices=Classification.choices, default=Classification.BUSINESS
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.CATALOG)
    consumer_type = models.CharField(
        max_length=20,
        choices=ConsumerType.choices,
        default=ConsumerType.INTERNAL,
        help_text="External offerings are sold to customer accounts and consumers.",
    )
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    price_currency = currency_field()
    price_unit = models.CharField(
        "pricing unit", max_length=40, blank=True, help_text='e.g. "per user per month"'
    )
    # ServiceNow keeps scope as lists on the offering; order matters (it is the order shown).
    in_scope = models.JSONField(
        "in scope",
        db_column="service_in_scope",
        default=list,
        blank=True,
        validators=[validate_scope_items],
        help_text="What the offering includes, one item per line.",
    )
    out_of_scope = models.JSONField(
        "out of scope",
        db_column="service_out_scope",
        default=list,
        blank=True,
        validators=[validate_scope_items],
        help_text="What it does not include, one item per line.",
    )
    commitments = models.ManyToManyField(
        "offerings.ServiceCommitment", through="offerings.OfferingCommitment", related_name="offerings"
    )

    class Meta:
        db_table = "service_offering"
        ordering = ["name"]

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.inherit_from_parent()
        super().save(*args, **kwargs)

    def inherit_from_parent(self):
        """A new offering takes owner, managed-by and criticality from its parent where it has none."""
        parent = self.parent
        if parent is None:
            return
        if self.owned_by_id is None:
            self.owned_by_id = parent.owned_by_id
        if self.managed_by_id is None:
            self.managed_by_id = parent.managed_by_id
        if not self.business_criticality:
            self.business_criticality = parent.business_criticality


class ServiceCommitment(SysIdModel):
    """A reusable promise about a level of service (`service_commitment`)."""

    class Type(models.TextChoices):
        AVAILABILITY = "availability", "Availability"
        MAINTENANCE_WINDOW = "maintenance_window", "Maintenance window"
        RESPONSE_TIME = "response_time", "Response time"
        DELIVERY = "delivery", "Delivery"
        RTO = "rto", "Recovery time objective"
        RPO = "rpo", "Recovery point objective"
        SLA = "sla", "SLA"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=30, choices=Type.choices)
    target_value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    target_unit = models.CharField(max_length=40, blank=True, help_text='e.g. "%", "hours", "minutes"')
    schedule = models.CharField(max_length=100, blank=True, help_text='e.g. "24x7", "Mon-Fri 08:00-18:00"')
    period = models.CharField(max_length=20, blank=True, help_text='e.g. "monthly"')
    description = models.TextField(blank=True)

    class Meta:
        db_table = "service_commitment"
        ordering = ["type", "name"]

    def __str__(self):
        return self.name


class OfferingCommitment(SysIdModel):
    """An offering's commitment (`service_offering_commitment`)."""

    service_offering = models.ForeignKey(
        ServiceOffering, on_delete=models.CASCADE, related_name="offering_commitments"
    )
    service_commitment = models.ForeignKey(
        ServiceCommitment, on_delete=models.CASCADE, related_name="offering_commitments"
    )

    class Meta:
        db_table = "service_offering_commitment"
        constraints = [
            models.UniqueConstraint(
                fields=["service_offering", "service_commitment"],
                name="service_offering_commitment_unique",
                violation_error_message="This offering already carries this commitment.",
            )
        ]

    def __str__(self):
        return f"{self.service_offering}: {self.service_commitment}"


def subscription_constraint(table, subscriber_field):
    return models.UniqueConstraint(
        fields=["service_offering", subscriber_field],
        name=f"{table}_unique",
        violation_error_message="This subscriber already subscribes to this offering.",
    )


class Subscription(SysIdModel):
    """One subscriber's subscription to an offering; one concrete table per kind of subscriber."""

    class Meta:
        abstract = True


class UserSubscription(Subscription):
    """A user subscribes to an offering (`service_subscribe_sys_user`)."""

    service_offering = models.ForeignKey(
        ServiceOffering, on_delete=models.CASCADE, related_name="user_subscriptions"
    )
    user = models.ForeignKey(
        "cmdb.User", on_delete=models.CASCADE, related_name="subscriptions", db_column="sys_user_id"
    )

    class Meta:
        db_table = "service_subscribe_sys_user"
        constraints = [subscription_constraint("service_subscribe_sys_user", "user")]


class CompanySubscription(Subscription):
    """A company subscribes to an offering (`service_subscribe_company`)."""

    service_offering = models.ForeignKey(
        ServiceOffering, on_delete=models.CASCADE, related_name="company_subscriptions"
    )
    company = models.ForeignKey(
        "cmdb.Company", on_delete=models.CASCADE, related_name="subscriptions", db_column="core_company_id"
    )

    class Meta:
        db_table = "service_subscribe_company"
        constraints = [subscription_constraint("service_subscribe_company", "company")]


class LocationSubscription(Subscription):
    """A location subscribes to an offering (`service_subscribe_location`)."""

    service_offering = models.ForeignKey(
        ServiceOffering, on_delete=models.CASCADE, related_name="location_subscriptions"
    )
    location = models.ForeignKey(
        "cmdb.Location", on_delete=models.CASCADE, related_name="subscriptions", db_column="cmn_location_id"
    )

    class Meta:
        db_table = "service_subscribe_location"
        constraints = [subscription_constraint("service_subscribe_location", "location")]


class DepartmentSubscription(Subscription):
    """A department subscribes to an offering (`service_subscribe_department`)."""

    service_offering = models.ForeignKey(
        ServiceOffering, on_delete=models.CASCADE, related_name="department_subscriptions"
    )
    department = models.ForeignKey(
        "cmdb.Department",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        db_column="cmn_department_id",
    )

    class Meta:
        db_table = "service_subscribe_department"
        constraints = [subscription_constraint("service_subscribe_department", "department")]


class GroupSubscription(Subscription):
    """A group subscribes to an offering (`service_subscribe_sys_user_grp`)."""

    service_offering = models.ForeignKey(
        ServiceOffering, on_delete=models.CASCADE, related_name="group_subscriptions"
    )
    group = models.ForeignKey(
        "cmdb.Group", on_delete=models.CASCADE, related_name="subscriptions", db_column="sys_user_group_id"
    )

    class Meta:
        db_table = "service_subscribe_sys_user_grp"
        constraints = [subscription_constraint("service_subscribe_sys_user_grp", "group")]


# (model, subscriber field) for every subscribe-by table; the impact engine, the health checks,
# the exporter and `offerings.services.subscriptions_for` walk this list rather than naming the
# five tables again.
SUBSCRIPTION_MODELS = (
    (UserSubscription, "user"),
    (CompanySubscription, "company"),
    (DepartmentSubscription, "department"),
    (LocationSubscription, "location"),
    (GroupSubscription, "group"),
)
