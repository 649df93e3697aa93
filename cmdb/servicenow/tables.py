"""The cmdb app's ServiceNow tables: foundation data, product models, CIs, and relationships."""

from django.contrib.auth.hashers import make_password

from cmdb import models
from cmdb.servicenow.spec import TableSpec, field_map

CI_FIELDS = field_map(
    "name",
    "short_description",
    "operational_status",
    "install_status",
    "environment",
    "owned_by",
    "managed_by",
    "support_group",
    "company",
    "location",
    "department",
    "logical",
    model_id="model",
    busines_criticality="business_criticality",  # ServiceNow's spelling (sic); see SPELLING_VARIANTS
)
SERVICE_FIELDS = CI_FIELDS | field_map(
    "service_classification", "portfolio", "portfolio_status", "version", "vendor"
)
PRODUCT_MODEL_FIELDS = field_map("name", "manufacturer", "model_number", "short_description", "status")

TABLES = [
    TableSpec(
        models.Company,
        field_map(
            "name",
            "parent",
            "street",
            "city",
            "country",
            "phone",
            "website",
            "customer",
            "vendor",
            "manufacturer",
        ),
    ),
    TableSpec(
        models.Location,
        field_map("name", "parent", "company", "street", "city", "state", "country", "time_zone"),
    ),
    TableSpec(
        models.Department,
        field_map("name", "company", "parent", "dept_head", "description", id="code"),
        deferred=("dept_head",),
    ),
    TableSpec(
        models.User,
        field_map(
            "first_name",
            "last_name",
            "email",
            "title",
            "phone",
            "company",
            "department",
            "location",
            "manager",
            user_name="username",
            active="is_active",
        ),
        # Imported people cannot log in until someone gives them a password.
        defaults={"password": lambda: make_password(None)},
    ),
    TableSpec(models.Group, field_map("name", "description", "email", "manager", "parent")),
    TableSpec(models.GroupMembership, field_map("user", "group")),
    TableSpec(models.ProductModel, PRODUCT_MODEL_FIELDS, other_classes=r"cmdb_\w+_model"),
    TableSpec(models.ApplicationModel, PRODUCT_MODEL_FIELDS),
    TableSpec(models.ServiceModel, PRODUCT_MODEL_FIELDS),
    TableSpec(models.SoftwareModel, PRODUCT_MODEL_FIELDS | field_map("version")),
    TableSpec(models.ConfigurationItem, CI_FIELDS, other_classes=r"cmdb_ci_\w+"),
    TableSpec(models.Service, SERVICE_FIELDS),
    TableSpec(models.BusinessService, SERVICE_FIELDS),
    TableSpec(models.TechnicalService, SERVICE_FIELDS),
    TableSpec(models.ApplicationService, SERVICE_FIELDS),
    TableSpec(
        models.BusinessApplication,
        CI_FIELDS
        | field_map(
            "number", "application_type", "architecture_type", "install_type", "life_cycle_stage", "user_base"
        ),
    ),
    TableSpec(models.Application, CI_FIELDS | field_map("version", "tcp_port")),
    TableSpec(
        models.Server,
        CI_FIELDS
        | field_map("ip_address", "fqdn", "os", "os_version", "cpu_count", "ram", "serial_number", "virtual"),
    ),
    TableSpec(models.DatabaseInstance, CI_FIELDS | field_map("type", "version", "tcp_port")),
    TableSpec(
        models.RelationshipType,
        field_map("name", "propagates_impact"),
        merge_by="name",
        export_only=("parent_descriptor", "child_descriptor"),
    ),
    TableSpec(models.Relationship, field_map("parent", "type", "child")),
]
