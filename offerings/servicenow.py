"""The offerings app's ServiceNow tables: offerings, commitments and the subscribe-by tables."""

from cmdb.servicenow.spec import TableSpec, field_map
from cmdb.servicenow.tables import SERVICE_FIELDS
from offerings.models import (
    SUBSCRIPTION_MODELS,
    CompanySubscription,
    DepartmentSubscription,
    GroupSubscription,
    LocationSubscription,
    OfferingCommitment,
    ServiceCommitment,
    ServiceOffering,
    UserSubscription,
)

# ServiceNow's name for the subscriber field of each subscribe-by table.
SUBSCRIBER_FIELDS = {
    UserSubscription: "sys_user",
    CompanySubscription: "core_company",
    DepartmentSubscription: "cmn_department",
    LocationSubscription: "cmn_location",
    GroupSubscription: "sys_user_group",
}

TABLES = [
    TableSpec(
        ServiceOffering,
        SERVICE_FIELDS | field_map("parent", "classification", "phase", "price", "price_unit"),
    ),
    TableSpec(
        ServiceCommitment,
        field_map("name", "type", "target_value", "target_unit", "schedule", "period", "description"),
    ),
    TableSpec(OfferingCommitment, field_map("service_offering", "service_commitment")),
    *(
        TableSpec(model, field_map("service_offering", **{SUBSCRIBER_FIELDS[model]: subscriber_field}))
        for model, subscriber_field in SUBSCRIPTION_MODELS
    ),
]
