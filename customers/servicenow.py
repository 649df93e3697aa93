"""The customers app's ServiceNow tables: accounts, contacts, consumers, sold products, install
base items, the sold products installed on them, cases and the install base a case is about.

`customer_account` extends `core_company` and `customer_contact` extends `sys_user`: their files
carry every field of the table they extend plus their own, and those tables become class families
(rows keep `sys_class_name`), as CIs are. Imported accounts, consumers and cases keep their numbers;
rows without one get the next of their prefix, and counters move past every imported number.

Names chosen here where ServiceNow's are not known to us: `sold_product.number`,
`install_base_item.state` (values in_use / retired), `sn_customerservice_case.proactive`.
"""

from django.db.models.functions import Length

from cmdb.models import Company, User, next_number
from cmdb.models.numbers import move_counter_past
from cmdb.servicenow.spec import TableSpec, field_map
from cmdb.servicenow.tables import TABLES as CMDB_TABLES
from customers.models import (
    AffectedInstallBase,
    Case,
    Consumer,
    CustomerAccount,
    CustomerContact,
    InstallBaseItem,
    InstalledProduct,
    SoldProduct,
)

NUMBERED_MODELS = (CustomerAccount, Consumer, Case)


def _cmdb_spec(model):
    return next(spec for spec in CMDB_TABLES if spec.model is model)


def highest_number(model, prefix):
    """The numeric part of the highest `<prefix><digits>` number of `model`, or None."""
    numbers = (
        model._base_manager.filter(number__startswith=prefix)
        .annotate(length=Length("number"))
        .order_by("-length", "-number")
        .values_list("number", flat=True)
    )
    for number in numbers.iterator():
        tail = number[len(prefix) :]
        if tail.isdigit():
            return int(tail)
    return None


def settle_numbers():
    """After an import: counters past every imported number, then numbers for rows without one."""
    for model in NUMBERED_MODELS:
        highest = highest_number(model, model.NUMBER_PREFIX)
        if highest is not None:
            move_counter_past(model.NUMBER_PREFIX, highest)
        for pk in model._base_manager.filter(number="").values_list("pk", flat=True):
            model._base_manager.filter(pk=pk).update(number=next_number(model.NUMBER_PREFIX))


COMPANY = _cmdb_spec(Company)
USER = _cmdb_spec(User)
CUSTOMER_FIELDS = field_map("account", "consumer")

TABLES = [
    TableSpec(
        CustomerAccount,
        COMPANY.fields | field_map("number", "partner", "primary_contact"),
        # account -> primary contact -> account: the contact is set once both have loaded.
        deferred=("primary_contact",),
        after_load=settle_numbers,
    ),
    TableSpec(CustomerContact, USER.fields | field_map("account"), defaults=USER.defaults),
    TableSpec(
        Consumer,
        field_map("number", "first_name", "last_name", "name", "email", "phone", "user", "active"),
        after_load=settle_numbers,
    ),
    TableSpec(
        SoldProduct,
        CUSTOMER_FIELDS
        | field_map("name", "number", "product", "service_offering", "state", "start_date", "end_date"),
    ),
    TableSpec(
        InstallBaseItem,
        CUSTOMER_FIELDS | field_map("name", "configuration_item", "state", "install_date"),
    ),
    TableSpec(InstalledProduct, field_map("install_base_item", "sold_product")),
    TableSpec(
        Case,
        CUSTOMER_FIELDS
        | field_map(
            "number",
            "short_description",
            "description",
            "contact",
            "state",
            "proactive",
            "sold_product",
            "install_base_item",
            "service_offering",
            "incident",
            "outage",
            "opened_at",
            "resolved_at",
            "close_notes",
        ),
        after_load=settle_numbers,
        ordering=("number", "sys_id"),
    ),
    TableSpec(AffectedInstallBase, field_map("case", "install_base_item")),
]
