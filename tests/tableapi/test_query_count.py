"""Listing a CI class costs one query for the page and one for the count, whatever the number of rows."""

import pytest

from tests.api.helpers import client_for, list_query_count, user_with_perms
from tests.factories.cmdb import (
    CompanyFactory,
    GroupFactory,
    LocationFactory,
    ProductModelFactory,
    ServerFactory,
    UserFactory,
)
from tests.factories.offerings import ServiceOfferingFactory
from tests.tableapi.helpers import table_url

pytestmark = pytest.mark.django_db


def make_server():
    ServerFactory(
        company=CompanyFactory(),
        location=LocationFactory(),
        support_group=GroupFactory(),
        owned_by=UserFactory(),
        model=ProductModelFactory(),
    )


def make_offering():
    ServiceOfferingFactory(owned_by=UserFactory(), support_group=GroupFactory())


@pytest.mark.parametrize(
    ("table", "make_row", "perm", "params"),
    [
        ("cmdb_ci_server", make_server, "cmdb.view_server", {"sysparm_display_value": "all"}),
        (
            "cmdb_ci_server",
            make_server,
            "cmdb.view_server",
            {
                "sysparm_fields": "name,company.name,owned_by.email,location",
                "sysparm_query": "company.nameISNOTEMPTY",
            },
        ),
        (
            "service_offering",
            make_offering,
            "offerings.view_serviceoffering",
            {"sysparm_display_value": "true"},
        ),
        ("cmdb_ci", make_server, "cmdb.view_configurationitem", {}),
    ],
)
def test_listing_1_and_100_rows_costs_the_same_queries(table, make_row, perm, params):
    client = client_for(user_with_perms(perm))
    make_row()
    one = list_query_count(client, table_url(table), params)
    assert one == 2  # the page and the count; permissions are cached on the user after the warm-up
    for _ in range(99):
        make_row()
    response = client.get(table_url(table), params)
    assert len(response.json()["result"]) == 100
    assert list_query_count(client, table_url(table), params) == one
