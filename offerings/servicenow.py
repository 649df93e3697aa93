"""The offerings app's ServiceNow tables: offerings, commitments and the subscribe-by tables."""

from cmdb.servicenow.spec import TableSpec, field_map
from cmdb.servicenow.tables import SERVICE_FIELDS
from offerings.models import SUBSCRIPTION_MODELS, OfferingCommitment, ServiceCommitment, ServiceOffering

TABLES = [
    TableSpec(
        ServiceOffering,
        SERVICE_FIELDS
        | field_map("parent", "classification", "consumer_type", "phase", "price", "price_unit"),
    ),
    TableSpec(
        ServiceCommitment,
        field_map("name", "type", "target_value", "target_unit", "schedule", "period", "description"),
    ),
    TableSpec(OfferingCommitment, field_map("service_offering", "service_commitment")),
    *(
        TableSpec(model, field_map("service_offering", subscriber_field))
        for model, subscriber_field in SUBSCRIPTION_MODELS
    ),
]
