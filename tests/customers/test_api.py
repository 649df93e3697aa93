import pytest
from django.urls import reverse

from customers.models import CaseState
from tests.api.helpers import client_for, list_query_count, user_with_perms
from tests.factories.customers import (
    CaseFactory,
    ConsumerFactory,
    CustomerAccountFactory,
    CustomerContactFactory,
    InstallBaseItemFactory,
    InstalledProductFactory,
    SoldProductFactory,
)
from tests.factories.impact import IncidentFactory
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db


def make_item():
    InstalledProductFactory()


def make_case():
    case = CaseFactory(contact=CustomerContactFactory(), incident=IncidentFactory(), proactive=True)
    case.affected_install_base.add(InstallBaseItemFactory(account=case.account))


LIST_ENDPOINTS = [
    ("customers-api:account-list", CustomerAccountFactory, "customers.view_customeraccount"),
    ("customers-api:contact-list", CustomerContactFactory, "customers.view_customercontact"),
    ("customers-api:consumer-list", ConsumerFactory, "customers.view_consumer"),
    ("customers-api:sold-product-list", SoldProductFactory, "customers.view_soldproduct"),
    ("customers-api:install-base-item-list", make_item, "customers.view_installbaseitem"),
    ("customers-api:case-list", make_case, "customers.view_case"),
]


@pytest.mark.parametrize(("url_name", "make_row", "perm"), LIST_ENDPOINTS)
def test_list_query_count_is_the_same_for_1_and_10_rows(url_name, make_row, perm):
    client = client_for(user_with_perms(perm))
    make_row()
    one = list_query_count(client, reverse(url_name))
    for _ in range(9):
        make_row()
    assert list_query_count(client, reverse(url_name)) == one


@pytest.mark.parametrize(("url_name", "make_row", "perm"), LIST_ENDPOINTS)
def test_reading_needs_the_view_permission(url_name, make_row, perm):
    assert client_for(user_with_perms()).get(reverse(url_name)).status_code == 403


def test_an_account_gets_a_number_and_is_a_customer():
    client = client_for(user_with_perms("customers.add_customeraccount", "customers.view_customeraccount"))

    response = client.post(reverse("customers-api:account-list"), {"name": "Acme"}, format="json")

    assert response.status_code == 201
    assert response.json()["number"].startswith("ACC")
    assert response.json()["customer"] is True


def test_a_sold_product_for_an_account_and_a_consumer_is_a_400_naming_the_field():
    client = client_for(user_with_perms("customers.add_soldproduct", "customers.view_soldproduct"))
    body = {
        "name": "Both",
        "account": CustomerAccountFactory().sys_id.hex,
        "consumer": ConsumerFactory().sys_id.hex,
        "service_offering": ServiceOfferingFactory().sys_id.hex,
    }

    response = client.post(reverse("customers-api:sold-product-list"), body, format="json")

    assert response.status_code == 400
    assert "account" in response.json()


def test_sold_products_filter_by_offering_and_in_force():
    offering = ServiceOfferingFactory()
    wanted = SoldProductFactory(service_offering=offering)
    SoldProductFactory(service_offering=offering, state="inactive")
    SoldProductFactory()
    client = client_for(user_with_perms("customers.view_soldproduct"))

    response = client.get(
        reverse("customers-api:sold-product-list"),
        {"service_offering": offering.sys_id.hex, "active": "true"},
    )

    assert [row["sys_id"] for row in response.json()["results"]] == [wanted.sys_id.hex]


def test_a_case_lists_its_incident_by_number_and_its_install_base():
    make_case()
    client = client_for(user_with_perms("customers.view_case"))

    row = client.get(reverse("customers-api:case-list")).json()["results"][0]

    assert row["number"].startswith("CS")
    assert row["incident"].startswith("INC")
    assert len(row["affected_install_base"]) == 1


def test_a_case_moves_only_along_its_transitions_and_resolving_stamps_it():
    case = CaseFactory(state=CaseState.CLOSED)
    open_case = CaseFactory(state=CaseState.OPEN)
    client = client_for(user_with_perms("customers.change_case", "customers.view_case"))

    refused = client.patch(
        reverse("customers-api:case-detail", args=[case.sys_id.hex]), {"state": CaseState.OPEN}, format="json"
    )
    resolved = client.patch(
        reverse("customers-api:case-detail", args=[open_case.sys_id.hex]),
        {"state": CaseState.RESOLVED},
        format="json",
    )

    assert refused.status_code == 400 and "state" in refused.json()
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
