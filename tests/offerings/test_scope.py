"""Offerings state what is in and out of their scope (issue 17): model, admin, API, pages, import/export."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cmdb.servicenow.exporter import export_folder
from cmdb.servicenow.importer import import_folder
from offerings.models import ServiceOffering
from tests.admin_helpers import change_form_data
from tests.api.helpers import client_for, user_with_perms
from tests.factories.catalog import CatalogItemOfferingFactory
from tests.factories.cmdb import BusinessServiceFactory, UserFactory
from tests.factories.offerings import ServiceOfferingFactory, UserSubscriptionFactory

pytestmark = pytest.mark.django_db

IN_SCOPE = ["Claims handling seat", "Training for new handlers", "Access to fraud flags"]
OUT_OF_SCOPE = ["Legal advice", "Payments over £50,000, which go to the board"]


@pytest.fixture
def offering():
    return ServiceOfferingFactory(
        name="Motor Claims – Gold",
        parent=BusinessServiceFactory(name="Motor Claims"),
        in_scope=IN_SCOPE,
        out_of_scope=OUT_OF_SCOPE,
        price=Decimal("18.00"),
        price_currency="GBP",
        price_unit="per seat per month",
    )


def test_scope_lists_keep_their_order(offering):
    offering.refresh_from_db()
    assert (offering.in_scope, offering.out_of_scope) == (IN_SCOPE, OUT_OF_SCOPE)


@pytest.mark.parametrize(
    "bad",
    [["ok", ""], ["two\nlines"], ["x" * 256], ["Same", "same"], "not a list"],
    ids=["empty item", "multi-line item", "too long", "duplicate", "not a list"],
)
def test_bad_scope_lists_are_refused(offering, bad):
    offering.in_scope = bad
    with pytest.raises(ValidationError) as error:
        offering.full_clean()
    assert "in_scope" in error.value.message_dict


def test_item_page_shows_in_and_out_of_scope_under_what_you_get(client, offering):
    user = UserFactory()
    UserSubscriptionFactory(service_offering=offering, user=user)
    link = CatalogItemOfferingFactory(service_offering=offering)
    client.force_login(user)
    content = client.get(reverse("catalog:item", args=[link.catalog_item.sys_id_hex])).content.decode()
    what_you_get = content[content.index("What you get") :]
    included = what_you_get.index("Included")
    excluded = what_you_get.index("Not included")
    positions = [what_you_get.index(entry) for entry in IN_SCOPE]
    assert included < positions[0] < positions[1] < positions[2] < excluded
    assert what_you_get.index("Legal advice") > excluded
    assert "Payments over £50,000, which go to the board" in what_you_get


def test_item_page_without_scope_shows_no_scope_headings(client):
    link = CatalogItemOfferingFactory(catalog_item__available_to_all=True)
    client.force_login(UserFactory())
    content = client.get(reverse("catalog:item", args=[link.catalog_item.sys_id_hex])).content.decode()
    assert "What you get" in content and "Not included" not in content


def test_owner_service_page_shows_the_scope_of_its_offerings(client, offering):
    owner = UserFactory()
    service = offering.parent
    service.owned_by = owner
    service.save()
    client.force_login(owner)
    content = client.get(reverse("portfolio:service", args=[service.sys_id_hex])).content.decode()
    scope = content[content.index("<h2>Scope</h2>") :]
    assert "Motor Claims – Gold" in scope and "Training for new handlers" in scope and "Legal advice" in scope


@pytest.fixture
def api():
    return client_for(user_with_perms("offerings.view_serviceoffering", "offerings.change_serviceoffering"))


def detail_url(offering):
    return reverse("offerings-api:offering-detail", args=[offering.sys_id.hex])


def test_api_shows_scope_under_servicenow_names(api, offering):
    data = api.get(detail_url(offering)).json()
    assert data["service_in_scope"] == IN_SCOPE
    assert data["service_out_scope"] == OUT_OF_SCOPE
    assert (data["price"], data["price_currency"]) == ("18.00", "GBP")


def test_api_sets_the_scope_lists(api, offering):
    response = api.patch(
        detail_url(offering), {"service_in_scope": ["Only this"], "service_out_scope": []}, format="json"
    )
    assert response.status_code == 200
    offering.refresh_from_db()
    assert (offering.in_scope, offering.out_of_scope) == (["Only this"], [])


@pytest.mark.parametrize("bad", [["dup", "dup"], [""], "text", [["nested"]]])
def test_api_refuses_a_bad_scope_list_naming_the_field(api, offering, bad):
    response = api.patch(detail_url(offering), {"service_out_scope": bad}, format="json")
    assert response.status_code == 400
    assert "service_out_scope" in response.json()


def test_api_refuses_an_unknown_currency_naming_the_field(api, offering):
    response = api.patch(detail_url(offering), {"price_currency": "POUNDS"}, format="json")
    assert response.status_code == 400 and "price_currency" in response.json()


def test_admin_edits_scope_one_item_per_line(admin_client, offering):
    url = reverse("admin:offerings_serviceoffering_change", args=[offering.pk])
    page = admin_client.get(url)
    assert "Training for new handlers\nAccess to fraud flags" in page.content.decode()
    data = change_form_data(page)
    data["in_scope"] = "  First thing \n\nSecond thing\n"
    data["out_of_scope"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    offering.refresh_from_db()
    assert (offering.in_scope, offering.out_of_scope) == (["First thing", "Second thing"], [])


def test_admin_names_a_duplicate_scope_item(admin_client, offering):
    url = reverse("admin:offerings_serviceoffering_change", args=[offering.pk])
    data = change_form_data(admin_client.get(url))
    data["in_scope"] = "Backups\nbackups"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "in_scope" in response.context["adminform"].form.errors


def test_scope_and_currency_round_trip_through_servicenow_files(tmp_path, offering):
    export_folder(tmp_path)
    exported = json.loads((tmp_path / "service_offering.json").read_text())["result"]
    row = next(row for row in exported if row["sys_id"] == offering.sys_id.hex)
    assert row["service_in_scope"] == "\n".join(IN_SCOPE)
    assert row["service_out_scope"] == "\n".join(OUT_OF_SCOPE)
    assert row["price_currency"] == "GBP"

    ServiceOffering.objects.filter(pk=offering.pk).update(
        in_scope=[], out_of_scope=["x"], price_currency="EUR"
    )
    import_folder(tmp_path)

    offering.refresh_from_db()
    assert (offering.in_scope, offering.out_of_scope, offering.price_currency) == (
        IN_SCOPE,
        OUT_OF_SCOPE,
        "GBP",
    )


def test_import_reads_scope_text_one_item_per_line(tmp_path, offering):
    export_folder(tmp_path)
    path = tmp_path / "service_offering.json"
    document = json.loads(path.read_text())
    for row in document["result"]:
        if row["sys_id"] == offering.sys_id.hex:
            row["service_in_scope"] = "Seat\r\n\r\n  Training  \n"
            row["service_out_scope"] = ""
    path.write_text(json.dumps(document))
    import_folder(tmp_path)
    offering.refresh_from_db()
    assert (offering.in_scope, offering.out_of_scope) == (["Seat", "Training"], [])


TRICKY = ['Back\\slash, "quotes"\tand a tab', "Ünïcödé – £"]


def test_scope_of_a_new_offering_survives_the_bulk_insert(tmp_path, offering):
    """New rows take the importer's bulk path (COPY on PostgreSQL), which must carry JSON intact."""
    ServiceOffering.objects.filter(pk=offering.pk).update(in_scope=TRICKY)
    export_folder(tmp_path)
    ServiceOffering.objects.filter(pk=offering.pk).delete()

    result = import_folder(tmp_path)

    assert result.tables["service_offering"].created == 1
    restored = ServiceOffering.objects.get(sys_id=offering.sys_id)
    assert (restored.in_scope, restored.out_of_scope) == (TRICKY, OUT_OF_SCOPE)
