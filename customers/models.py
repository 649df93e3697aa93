"""Selling the technology: customer accounts and contacts, consumers, what they bought (sold
products), what they run or use (install base items) and their cases.

ServiceNow's Customer Service Management tables keep their names. `customer_account` extends
`core_company` and `customer_contact` extends `sys_user`, as in ServiceNow: Django multi-table
inheritance, so an account *is* a company and a contact *is* a user (one sys_id, one login), and
an export of core_company or sys_user can tell them apart by `sys_class_name`.

Upward references (string foreign keys into the impact layer, which imports this app): a case's
`incident` ("impact.Incident") and `outage` ("impact.Outage").
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from cmdb.models import Company, User, next_number
from core.models import SysIdModel
from core.workflow import Workflow, WorkflowModel


def one_customer_constraint(table):
    """Exactly one of account and consumer: a record belongs to a business or to a person."""
    return models.CheckConstraint(
        condition=(Q(account__isnull=False) & Q(consumer__isnull=True))
        | (Q(account__isnull=True) & Q(consumer__isnull=False)),
        name=f"{table}_account_or_consumer",
        violation_error_message="Give either an account or a consumer, not both and not neither.",
    )


class NumberedMixin:
    """Takes a number with the class's NUMBER_PREFIX on first save, in the insert's transaction."""

    NUMBER_PREFIX = ""

    def save(self, *args, **kwargs):
        if self.number:
            return super().save(*args, **kwargs)
        try:
            with transaction.atomic(using=kwargs.get("using")):
                self.number = next_number(self.NUMBER_PREFIX)
                return super().save(*args, **kwargs)
        except Exception:
            self.number = ""
            raise


class CustomerMixin:
    """`customer`: the account or consumer a record belongs to."""

    @property
    def customer(self):
        return self.account if self.account_id else self.consumer

    def clean(self):
        super().clean()
        if bool(self.account_id) == bool(self.consumer_id):
            raise ValidationError(
                {"account": "Give either an account or a consumer, not both and not neither."}
            )


class CustomerAccount(NumberedMixin, Company):
    """A business that buys from or partners with the provider (`customer_account`)."""

    NUMBER_PREFIX = "ACC"

    number = models.CharField(max_length=40, unique=True, editable=False, blank=True)
    partner = models.BooleanField(default=False, help_text="Resells or delivers with the provider.")
    primary_contact = models.ForeignKey(
        "customers.CustomerContact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_for",
    )

    class Meta:
        db_table = "customer_account"
        ordering = ["name"]
        verbose_name = "account"

    def save(self, *args, **kwargs):
        if self._state.adding and not self.partner:
            self.customer = True
        super().save(*args, **kwargs)


class CustomerContact(User):
    """A person at an account who may use the customer portal (`customer_contact`)."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.CASCADE, related_name="contacts")

    class Meta:
        db_table = "customer_contact"
        ordering = ["username"]
        verbose_name = "contact"


class Consumer(NumberedMixin, SysIdModel):
    """A person who buys for themselves, business to consumer (`csm_consumer`)."""

    NUMBER_PREFIX = "CSM"

    number = models.CharField(max_length=40, unique=True, editable=False, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.OneToOneField(
        "cmdb.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consumer",
        help_text="The login of a consumer who uses the portal.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "csm_consumer"
        ordering = ["name"]
        verbose_name = "consumer"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.name:
            self.name = f"{self.first_name} {self.last_name}".strip()
        super().save(*args, **kwargs)


class SoldProductQuerySet(models.QuerySet):
    def active(self, on=None):
        """Sold products in force on `on` (default today): state active, within their dates."""
        day = on or timezone.localdate()
        return self.filter(state=SoldProduct.State.ACTIVE).filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day),
            Q(end_date__isnull=True) | Q(end_date__gte=day),
        )


class SoldProduct(CustomerMixin, SysIdModel):
    """What an account or consumer bought and the offering it entitles (`sn_install_base_sold_product`)."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    name = models.CharField(max_length=200)
    number = models.CharField(max_length=40, blank=True)
    account = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="sold_products"
    )
    consumer = models.ForeignKey(
        Consumer, null=True, blank=True, on_delete=models.CASCADE, related_name="sold_products"
    )
    product = models.ForeignKey(
        "cmdb.ProductModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="sold_products"
    )
    service_offering = models.ForeignKey(
        "offerings.ServiceOffering",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sold_products",
        help_text="The offering this purchase entitles the customer to.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.ACTIVE)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = SoldProductQuerySet.as_manager()

    class Meta:
        db_table = "sn_install_base_sold_product"
        ordering = ["name"]
        verbose_name = "sold product"
        constraints = [
            one_customer_constraint("sn_install_base_sold_product"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="sn_install_base_sold_product_dates",
                violation_error_message="A sold product cannot end before it starts.",
            ),
        ]
        indexes = [models.Index(fields=["service_offering", "state"], name="sold_product_offering_idx")]

    def __str__(self):
        return self.name

    def is_active(self, on=None):
        day = on or timezone.localdate()
        return (
            self.state == self.State.ACTIVE
            and (self.start_date is None or self.start_date <= day)
            and (self.end_date is None or self.end_date >= day)
        )


class InstallBaseItem(CustomerMixin, SysIdModel):
    """What a customer runs or uses, pointing at the CI behind it (`sn_install_base_item`)."""

    class State(models.TextChoices):
        IN_USE = "in_use", "In use"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=200)
    account = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="install_base_items"
    )
    consumer = models.ForeignKey(
        Consumer, null=True, blank=True, on_delete=models.CASCADE, related_name="install_base_items"
    )
    configuration_item = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="install_base_items",
        help_text="Typically the application service instance the customer uses.",
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_USE)
    install_date = models.DateField(null=True, blank=True)
    sold_products = models.ManyToManyField(
        SoldProduct, through="customers.InstalledProduct", related_name="install_base_items", blank=True
    )

    class Meta:
        db_table = "sn_install_base_item"
        ordering = ["name"]
        verbose_name = "install base item"
        constraints = [one_customer_constraint("sn_install_base_item")]

    def __str__(self):
        return self.name


class InstalledProduct(SysIdModel):
    """A sold product used on an install base item (`sn_install_base_m2m_installed_product`)."""

    install_base_item = models.ForeignKey(
        InstallBaseItem, on_delete=models.CASCADE, related_name="installed_products"
    )
    sold_product = models.ForeignKey(SoldProduct, on_delete=models.CASCADE, related_name="installed_products")

    class Meta:
        db_table = "sn_install_base_m2m_installed_product"
        constraints = [
            models.UniqueConstraint(
                fields=["install_base_item", "sold_product"],
                name="sn_install_base_m2m_installed_product_unique",
                violation_error_message="This sold product is already installed on this item.",
            )
        ]

    def __str__(self):
        return f"{self.sold_product} on {self.install_base_item}"


class CaseState(models.IntegerChoices):
    """ServiceNow's case states and values."""

    NEW = 1, "New"
    OPEN = 10, "Open"
    AWAITING_INFO = 18, "Awaiting Info"
    RESOLVED = 6, "Resolved"
    CLOSED = 3, "Closed"
    CANCELED = 7, "Canceled"


OPEN_CASE_STATES = (CaseState.NEW, CaseState.OPEN, CaseState.AWAITING_INFO)


class Case(WorkflowModel, NumberedMixin, CustomerMixin, SysIdModel):
    """A customer's question or problem, or one the provider opens for them (`sn_customerservice_case`)."""

    NUMBER_PREFIX = "CS"
    # Resolved cases can be reopened (by their contact); closed and canceled ones cannot.
    workflow = Workflow(
        CaseState,
        {
            CaseState.NEW: {CaseState.OPEN, CaseState.AWAITING_INFO, CaseState.RESOLVED, CaseState.CANCELED},
            CaseState.OPEN: {CaseState.AWAITING_INFO, CaseState.RESOLVED, CaseState.CANCELED},
            CaseState.AWAITING_INFO: {CaseState.OPEN, CaseState.RESOLVED, CaseState.CANCELED},
            CaseState.RESOLVED: {CaseState.OPEN, CaseState.CLOSED},
            CaseState.CLOSED: set(),
            CaseState.CANCELED: set(),
        },
    )

    number = models.CharField(max_length=40, unique=True, editable=False, blank=True)
    short_description = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    account = models.ForeignKey(
        CustomerAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="cases"
    )
    consumer = models.ForeignKey(
        Consumer, null=True, blank=True, on_delete=models.CASCADE, related_name="cases"
    )
    contact = models.ForeignKey(
        CustomerContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    state = models.IntegerField(choices=CaseState.choices, default=CaseState.NEW, db_index=True)
    proactive = models.BooleanField(
        default=False, help_text="Opened by the provider for an impacted customer, before they call."
    )
    sold_product = models.ForeignKey(
        SoldProduct,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name="product",
    )
    install_base_item = models.ForeignKey(
        InstallBaseItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    affected_install_base = models.ManyToManyField(
        InstallBaseItem,
        through="customers.AffectedInstallBase",
        related_name="affecting_cases",
        blank=True,
    )
    service_offering = models.ForeignKey(
        "offerings.ServiceOffering", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    incident = models.ForeignKey(
        "impact.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="customer_cases"
    )
    outage = models.ForeignKey(
        "impact.Outage", null=True, blank=True, on_delete=models.SET_NULL, related_name="customer_cases"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    close_notes = models.TextField("resolution notes", blank=True)

    class Meta:
        db_table = "sn_customerservice_case"
        ordering = ["-opened_at", "-number"]
        verbose_name = "case"
        constraints = [
            one_customer_constraint("sn_customerservice_case"),
            # One proactive case per customer and incident: what makes opening them idempotent,
            # and what a second concurrent run runs into.
            models.UniqueConstraint(
                fields=["incident", "account"],
                condition=Q(proactive=True, incident__isnull=False, account__isnull=False),
                name="sn_customerservice_case_proactive_account",
                violation_error_message="This account already has a proactive case for this incident.",
            ),
            models.UniqueConstraint(
                fields=["incident", "consumer"],
                condition=Q(proactive=True, incident__isnull=False, consumer__isnull=False),
                name="sn_customerservice_case_proactive_consumer",
                violation_error_message="This consumer already has a proactive case for this incident.",
            ),
        ]

    def refusal(self, from_state, to_state, workflow):
        if from_state == to_state or to_state in self.allowed_states(from_state, workflow):
            return None
        return f"A case cannot move from {workflow.label(from_state)} to {workflow.label(to_state)}."

    def state_changed(self, from_state, to_state, workflow):
        resolved = to_state in (CaseState.RESOLVED, CaseState.CLOSED)
        self.resolved_at = (self.resolved_at or timezone.now()) if resolved else None
        return ("resolved_at",)

    def __str__(self):
        return f"{self.number}: {self.short_description}" if self.number else self.short_description

    @property
    def is_open(self):
        return self.state in OPEN_CASE_STATES


class AffectedInstallBase(SysIdModel):
    """An install base item a case is about (`sn_install_base_m2m_affected_install_base`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="affected_install_base_rows")
    install_base_item = models.ForeignKey(
        InstallBaseItem, on_delete=models.CASCADE, related_name="affected_install_base_rows"
    )

    class Meta:
        db_table = "sn_install_base_m2m_affected_install_base"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "install_base_item"],
                name="sn_install_base_m2m_affected_install_base_unique",
                violation_error_message="This case already names this install base item.",
            )
        ]

    def __str__(self):
        return f"{self.case} affects {self.install_base_item}"
