"""Configuration items: table-per-class inheritance rooted at `cmdb_ci`, as in ServiceNow."""

import functools

from django.apps import apps
from django.db import models

from core.models import SysIdModel


class OperationalStatus(models.IntegerChoices):
    OPERATIONAL = 1, "Operational"
    NON_OPERATIONAL = 2, "Non-Operational"
    REPAIR_IN_PROGRESS = 3, "Repair in Progress"
    DR_STANDBY = 4, "DR Standby"
    READY = 5, "Ready"
    RETIRED = 6, "Retired"


class InstallStatus(models.IntegerChoices):
    INSTALLED = 1, "Installed"
    ON_ORDER = 2, "On Order"
    IN_MAINTENANCE = 3, "In Maintenance"
    PENDING_INSTALL = 4, "Pending Install"
    PENDING_REPAIR = 5, "Pending Repair"
    IN_STOCK = 6, "In Stock"
    RETIRED = 7, "Retired"
    STOLEN = 8, "Stolen"
    ABSENT = 100, "Absent"


class BusinessCriticality(models.TextChoices):
    MOST_CRITICAL = "1 - most critical", "1 - most critical"
    SOMEWHAT_CRITICAL = "2 - somewhat critical", "2 - somewhat critical"
    LESS_CRITICAL = "3 - less critical", "3 - less critical"
    NOT_CRITICAL = "4 - not critical", "4 - not critical"


class Environment(models.TextChoices):
    PRODUCTION = "Production", "Production"
    STAGING = "Staging", "Staging"
    QA = "QA", "QA"
    TEST = "Test", "Test"
    DEVELOPMENT = "Development", "Development"
    DISASTER_RECOVERY = "Disaster recovery", "Disaster recovery"


class ConfigurationItem(SysIdModel):
    """Any configuration item (`cmdb_ci`); `sys_class_name` names its concrete class."""

    name = models.CharField(max_length=255, db_index=True)
    sys_class_name = models.CharField("class", max_length=80, db_index=True, editable=False)
    short_description = models.TextField(blank=True)
    operational_status = models.IntegerField(
        choices=OperationalStatus.choices, default=OperationalStatus.OPERATIONAL
    )
    install_status = models.IntegerField(choices=InstallStatus.choices, default=InstallStatus.INSTALLED)
    business_criticality = models.CharField(max_length=40, choices=BusinessCriticality.choices, blank=True)
    environment = models.CharField(max_length=40, choices=Environment.choices, blank=True)
    owned_by = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_cis"
    )
    managed_by = models.ForeignKey(
        "cmdb.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_cis"
    )
    support_group = models.ForeignKey(
        "cmdb.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="supported_cis"
    )
    company = models.ForeignKey(
        "cmdb.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="cis"
    )
    location = models.ForeignKey(
        "cmdb.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="cis"
    )
    department = models.ForeignKey(
        "cmdb.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="cis"
    )
    model = models.ForeignKey(
        "cmdb.ProductModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="cis"
    )
    logical = models.BooleanField(
        default=False, help_text="Logical CIs (services, applications) are not discovered."
    )

    class Meta:
        db_table = "cmdb_ci"
        ordering = ["name"]
        verbose_name = "configuration item"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A Django subclass always knows its own table; a base row keeps whatever class it was
        # imported with (e.g. cmdb_ci_linux_server, which has no subclass here).
        if type(self) is not ConfigurationItem or not self.sys_class_name:
            self.sys_class_name = self._meta.db_table
        super().save(*args, **kwargs)


class Service(ConfigurationItem):
    """A service of any kind (`cmdb_ci_service`)."""

    class PortfolioStatus(models.TextChoices):
        PIPELINE = "pipeline", "Pipeline"
        CATALOG = "catalog", "Catalog"
        RETIRED = "retired", "Retired"

    service_classification = models.CharField(max_length=40, blank=True)
    portfolio = models.ForeignKey(
        "portfolio.PortfolioNode",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    portfolio_status = models.CharField(
        max_length=20, choices=PortfolioStatus.choices, default=PortfolioStatus.CATALOG
    )
    version = models.CharField(max_length=40, blank=True)
    vendor = models.ForeignKey(
        "cmdb.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="vended_services"
    )

    class Meta:
        db_table = "cmdb_ci_service"
        ordering = ["name"]


class BusinessService(Service):
    """A service the business sells or consumes (`cmdb_ci_service_business`)."""

    class Meta:
        db_table = "cmdb_ci_service_business"
        ordering = ["name"]


class TechnicalService(Service):
    """A service IT provides to IT (`cmdb_ci_service_technical`)."""

    class Meta:
        db_table = "cmdb_ci_service_technical"
        ordering = ["name"]


class ApplicationService(Service):
    """A deployed instance of an application stack (`cmdb_ci_service_auto`)."""

    class Meta:
        db_table = "cmdb_ci_service_auto"
        ordering = ["name"]


class BusinessApplication(ConfigurationItem):
    """An application as the business knows it (`cmdb_ci_business_app`)."""

    class LifeCycleStage(models.TextChoices):
        IDEATION = "ideation", "Ideation"
        DESIGN = "design", "Design"
        DEVELOPMENT = "development", "Development"
        OPERATIONAL = "operational", "Operational"
        END_OF_LIFE = "end_of_life", "End of life"

    number = models.CharField(max_length=40, blank=True)
    application_type = models.CharField(max_length=40, blank=True)
    architecture_type = models.CharField(max_length=40, blank=True)
    install_type = models.CharField(max_length=40, blank=True)
    life_cycle_stage = models.CharField(max_length=40, choices=LifeCycleStage.choices, blank=True)
    user_base = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "cmdb_ci_business_app"
        ordering = ["name"]


class Application(ConfigurationItem):
    """A running piece of software (`cmdb_ci_appl`)."""

    version = models.CharField(max_length=40, blank=True)
    tcp_port = models.CharField(max_length=40, blank=True)

    class Meta:
        db_table = "cmdb_ci_appl"
        ordering = ["name"]


class Server(ConfigurationItem):
    """A physical or virtual server (`cmdb_ci_server`)."""

    ip_address = models.CharField(max_length=64, blank=True)
    fqdn = models.CharField(max_length=255, blank=True)
    os = models.CharField(max_length=100, blank=True)
    os_version = models.CharField(max_length=40, blank=True)
    cpu_count = models.PositiveIntegerField(null=True, blank=True)
    ram = models.PositiveIntegerField("RAM (MB)", null=True, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    virtual = models.BooleanField(default=False)

    class Meta:
        db_table = "cmdb_ci_server"
        ordering = ["name"]


class DatabaseInstance(ConfigurationItem):
    """A database server instance (`cmdb_ci_db_instance`)."""

    type = models.CharField(max_length=40, blank=True)
    version = models.CharField(max_length=40, blank=True)
    tcp_port = models.CharField(max_length=40, blank=True)

    class Meta:
        db_table = "cmdb_ci_db_instance"
        ordering = ["name"]


@functools.cache
def ci_models_by_class():
    """Every Django CI class by its table name (`cmdb_ci_service_business` -> BusinessService).

    Classes without a model of their own (an imported `cmdb_ci_linux_server`) are base rows: look
    them up with `.get(sys_class_name, ConfigurationItem)`.
    """
    models_ = apps.get_models()
    return {model._meta.db_table: model for model in models_ if issubclass(model, ConfigurationItem)}
