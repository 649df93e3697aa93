from cmdb.models.base import SysIdModel, format_sys_id, parse_sys_id
from cmdb.models.ci import (
    Application,
    ApplicationService,
    BusinessApplication,
    BusinessCriticality,
    BusinessService,
    ConfigurationItem,
    DatabaseInstance,
    Environment,
    InstallStatus,
    OperationalStatus,
    Server,
    Service,
    TechnicalService,
    ci_models_by_class,
)
from cmdb.models.foundation import Company, Department, Group, GroupMembership, Location, User
from cmdb.models.numbers import NumberCounter, next_number
from cmdb.models.outages import Outage
from cmdb.models.product_models import ApplicationModel, ProductModel, ServiceModel, SoftwareModel
from cmdb.models.relationships import Relationship, RelationshipType

__all__ = [
    "Application",
    "ApplicationModel",
    "ApplicationService",
    "BusinessApplication",
    "BusinessCriticality",
    "BusinessService",
    "Company",
    "ConfigurationItem",
    "DatabaseInstance",
    "Department",
    "Environment",
    "Group",
    "GroupMembership",
    "InstallStatus",
    "Location",
    "NumberCounter",
    "OperationalStatus",
    "Outage",
    "ProductModel",
    "Relationship",
    "RelationshipType",
    "Server",
    "Service",
    "ServiceModel",
    "SoftwareModel",
    "SysIdModel",
    "TechnicalService",
    "User",
    "ci_models_by_class",
    "format_sys_id",
    "next_number",
    "parse_sys_id",
]
