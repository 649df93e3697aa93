"""Issue 10, cause 1: a write naming the CI's product `model` is validated, not a 500."""

import pytest
from django.urls import reverse

from cmdb.models import BusinessService, ConfigurationItem
from offerings.models import ServiceOffering
from tests.api.helpers import client_for, user_with_perms
from tests.factories.cmdb import BusinessServiceFactory, ProductModelFactory, ServiceModelFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "cmdb-api:ci-list": ("configurationitem", ConfigurationItem),
    "cmdb-api:business-service-list": ("businessservice", BusinessService),
    "offerings-api:offering-list": ("serviceoffering", ServiceOffering),
}


def writer(url_name):
    codename, model = ENDPOINTS[url_name]
    app_label = model._meta.app_label
    return client_for(
        user_with_perms(
            f"{app_label}.view_{codename}", f"{app_label}.add_{codename}", f"{app_label}.change_{codename}"
        )
    )


def payload(url_name, **extra):
    body = {"name": "x", **extra}
    if url_name == "offerings-api:offering-list":
        body["parent"] = BusinessServiceFactory().sys_id.hex
    return body


@pytest.mark.parametrize("url_name", ENDPOINTS)
def test_create_with_a_null_model(url_name):
    response = writer(url_name).post(reverse(url_name), payload(url_name, model=None), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["model"] is None


@pytest.mark.parametrize("url_name", ENDPOINTS)
def test_create_with_a_product_model_sets_it(url_name):
    product = ServiceModelFactory() if url_name != "cmdb-api:ci-list" else ProductModelFactory()
    response = writer(url_name).post(
        reverse(url_name), payload(url_name, model=product.sys_id.hex), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["model"] == product.sys_id.hex
    assert ENDPOINTS[url_name][1].objects.get(name="x").model_id == product.pk


@pytest.mark.parametrize("url_name", ENDPOINTS)
def test_an_unknown_model_is_a_400_naming_the_field(url_name):
    response = writer(url_name).post(reverse(url_name), payload(url_name, model="0" * 32), format="json")
    assert response.status_code == 400
    assert "model" in response.json()


def test_patch_sets_the_model_of_an_existing_ci():
    ci = BusinessServiceFactory()
    product = ServiceModelFactory()
    client = writer("cmdb-api:business-service-list")
    response = client.patch(
        reverse("cmdb-api:business-service-detail", args=[ci.sys_id.hex]),
        {"model": product.sys_id.hex},
        format="json",
    )
    assert response.status_code == 200, response.content
    ci.refresh_from_db()
    assert ci.model_id == product.pk
