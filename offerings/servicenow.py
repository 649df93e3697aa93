"""The offerings app's ServiceNow tables: offerings, commitments and the subscribe-by tables."""

from cmdb.servicenow.spec import Converter, TableSpec, field_map
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


def scope_from_servicenow(text):
    """ServiceNow's scope text, one item per line, as the list Runstage keeps."""
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def scope_to_servicenow(items):
    return "\n".join(items)


# The scope lists travel as one item per line: items are free text and may hold commas.
SCOPE = Converter(to_runstage=scope_from_servicenow, to_servicenow=scope_to_servicenow)

TABLES = [
    TableSpec(
        ServiceOffering,
        SERVICE_FIELDS
        | field_map(
            "parent",
            "classification",
            "consumer_type",
            "phase",
            "price",
            "price_currency",
            "price_unit",
            service_in_scope="in_scope",
            service_out_scope="out_of_scope",
        ),
        converters={"service_in_scope": SCOPE, "service_out_scope": SCOPE},
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
