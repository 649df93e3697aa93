"""Customers in the admin: who bought an offering, and the customer models' own pages."""

import pytest
from django.urls import reverse

from customers.models import CustomerAccount
from tests.admin_helpers import change_form_data
from tests.factories.customers import (
    CaseFactory,
    ConsumerFactory,
    CustomerContactFactory,
    InstallBaseItemFactory,
    SoldProductFactory,
)
from tests.factories.offerings import ServiceOfferingFactory

pytestmark = pytest.mark.django_db


def test_an_offering_page_lists_the_accounts_and_consumers_that_bought_it(admin_client):
    offering = ServiceOfferingFactory()
    SoldProductFactory(service_offering=offering, account__name="Acme Retail")
    SoldProductFactory(service_offering=offering, account=None, consumer=ConsumerFactory(name="Dana Home"))
    SoldProductFactory(account__name="Other Buyer")

    response = admin_client.get(reverse("admin:offerings_serviceoffering_change", args=[offering.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme Retail" in html
    assert "Dana Home" in html
    assert "Other Buyer" not in html


def test_an_offering_page_still_saves_unchanged(admin_client):
    offering = ServiceOfferingFactory()
    SoldProductFactory(service_offering=offering)
    url = reverse("admin:offerings_serviceoffering_change", args=[offering.pk])

    response = admin_client.post(url, change_form_data(admin_client.get(url)))

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:customers_customeraccount_changelist", SoldProductFactory),
        ("admin:customers_customercontact_changelist", CustomerContactFactory),
        ("admin:customers_consumer_changelist", ConsumerFactory),
        ("admin:customers_soldproduct_changelist", SoldProductFactory),
        ("admin:customers_installbaseitem_changelist", InstallBaseItemFactory),
        ("admin:customers_case_changelist", CaseFactory),
    ],
)
def test_customer_lists_render(admin_client, url_name, make):
    make()
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_an_account_page_renders_with_contacts_products_and_items(admin_client):
    contact = CustomerContactFactory()
    SoldProductFactory(account=contact.account)
    InstallBaseItemFactory(account=contact.account)

    response = admin_client.get(reverse("admin:customers_customeraccount_change", args=[contact.account.pk]))

    assert response.status_code == 200
    assert contact.username in response.content.decode()


def test_adding_an_account_in_the_admin_numbers_it(admin_client):
    response = admin_client.post(
        reverse("admin:customers_customeraccount_add"),
        {
            "name": "New Buyer",
            "customer": "on",
            "customercontact_set-TOTAL_FORMS": "0",
            "customercontact_set-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "sold_products-TOTAL_FORMS": "0",
            "sold_products-INITIAL_FORMS": "0",
            "install_base_items-TOTAL_FORMS": "0",
            "install_base_items-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert CustomerAccount.objects.get(name="New Buyer").number.startswith("ACC")
