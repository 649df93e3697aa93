"""PySNC, ServiceNow's own Python client, against Runstage over HTTPS, on the demo data.

Every PySNC call a ServiceNow integration typically makes is driven here unchanged; expectations
come from the ORM, not from the Table API, so a wrong filter or page cannot agree with itself.
"""

import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Q
from pysnc import ServiceNowClient
from pysnc.exceptions import AuthenticationException, RequestException, RoleException

from cmdb.models import BusinessService, User
from cmdb.servicenow.importer import import_folder
from offerings.models import ServiceOffering
from tests.factories.cmdb import UserFactory

DEMO = Path(__file__).resolve().parents[2] / "demo"
PASSWORD = "integration-password"


@pytest.fixture
def instance(https_instance):
    """The demo company, served over HTTPS, with an integration user allowed everything."""
    import_folder(DEMO)
    User.objects.create_superuser("integration", "integration@example.com", PASSWORD)
    return https_instance


def client_for(server, username="integration", password=PASSWORD):
    return ServiceNowClient(server.url, (username, password), verify=server.ca_bundle)


def names(gr):
    return [record.get_value("name") for record in gr]


def test_add_query_with_or_condition(instance):
    gr = client_for(instance).GlideRecord("cmdb_ci_service_business")
    condition = gr.add_query("name", "STARTSWITH", "Motor")
    condition.add_or_condition("name", "=", "Home Claims")
    gr.query()

    expected = {
        service.name
        for service in BusinessService.objects.all()
        if service.name.startswith("Motor") or service.name == "Home Claims"
    }
    assert len(expected) == 3
    assert sorted(names(gr)) == sorted(expected)
    assert gr.get_row_count() == 3


def test_add_null_query(instance):
    gr = client_for(instance).GlideRecord("cmdb_ci_service_business")
    gr.add_null_query("support_group")
    gr.query()

    expected = set(BusinessService.objects.filter(support_group=None).values_list("name", flat=True))
    assert expected
    assert set(names(gr)) == expected


def test_encoded_query_with_new_query_and_order_by(instance):
    gr = client_for(instance).GlideRecord("cmdb_ci_service_business")
    gr.add_encoded_query("nameSTARTSWITHMotor^NQnameENDSWITHClaims")
    gr.order_by("name")
    gr.query()

    expected = list(
        BusinessService.objects.filter(Q(name__startswith="Motor") | Q(name__endswith="Claims"))
        .order_by("name")
        .values_list("name", flat=True)
    )
    assert len(expected) > 3
    assert names(gr) == expected


def test_iterating_over_more_rows_than_a_batch_yields_every_row_once(instance):
    gr = client_for(instance).GlideRecord("cmdb_ci_service_business", batch_size=7)
    gr.order_by_desc("name")
    gr.query()

    expected = list(BusinessService.objects.order_by("-name").values_list("name", flat=True))
    assert len(expected) == 30
    assert names(gr) == expected


def test_get_by_sys_id_and_by_field(instance):
    service = BusinessService.objects.get(name="Motor Claims")
    client = client_for(instance)

    by_sys_id = client.GlideRecord("cmdb_ci_service_business")
    assert by_sys_id.get(service.sys_id.hex)
    assert by_sys_id.get_value("name") == "Motor Claims"

    by_name = client.GlideRecord("cmdb_ci_service_business")
    assert by_name.get("name", "Motor Claims")
    assert by_name.get_value("sys_id") == service.sys_id.hex

    missing = client.GlideRecord("cmdb_ci_service_business")
    assert not missing.get(uuid.uuid4().hex)


def test_dot_walked_fields_and_display_values(instance):
    service = BusinessService.objects.select_related("portfolio", "owned_by").get(name="Motor Claims")
    gr = client_for(instance).GlideRecord("cmdb_ci_service_business")
    gr.fields = ["name", "portfolio.name", "owned_by", "owned_by.email", "operational_status"]
    gr.display_value = "all"
    gr.add_query("portfolio.name", service.portfolio.name)
    gr.add_query("name", "Motor Claims")
    gr.query()

    assert gr.next()
    assert gr.get_value("portfolio.name") == service.portfolio.name
    assert gr.get_value("owned_by.email") == service.owned_by.email
    assert gr.get_value("owned_by") == service.owned_by.sys_id.hex
    assert gr.get_display_value("owned_by") == service.owned_by.get_full_name()
    assert gr.get_value("operational_status") == str(service.operational_status)
    assert gr.get_display_value("operational_status") == service.get_operational_status_display()
    assert not gr.next()


def test_a_query_too_long_for_a_url_goes_through_the_batch_api(instance):
    wanted = list(BusinessService.objects.filter(name__contains="Insurance").values_list("sys_id", flat=True))
    # Padding with sys_ids that match nothing pushes the query past PySNC's 10,000 characters.
    padding = [uuid.uuid4() for _ in range(400)]
    gr = client_for(instance).GlideRecord("cmdb_ci_service_business")
    gr.add_encoded_query("sys_idIN" + ",".join(sys_id.hex for sys_id in [*padding, *wanted]))
    gr.query()

    assert sorted(record.get_value("sys_id") for record in gr) == sorted(sys_id.hex for sys_id in wanted)


def test_insert_update_and_delete_an_offering(instance):
    parent = BusinessService.objects.get(name="Motor Claims")
    gr = client_for(instance).GlideRecord("service_offering")
    gr.initialize()
    gr.name = "Motor Claims – Platinum"
    gr.parent = parent.sys_id.hex
    gr.price = 25
    gr.logical = True
    gr.phase = "pipeline"
    sys_id = gr.insert()

    offering = ServiceOffering.objects.get(sys_id=uuid.UUID(str(sys_id)))
    assert offering.parent_id == parent.pk
    assert offering.price == Decimal("25")
    # Domain logic ran: a new offering takes its owner from its parent.
    assert offering.owned_by_id == parent.owned_by_id

    gr.price = "30.50"
    assert gr.update()
    offering.refresh_from_db()
    assert offering.price == Decimal("30.50")

    gr.phase = "nonsense"
    # PySNC raises RequestException for any 400 before update() sees the response.
    with pytest.raises(RequestException, match="Invalid value for field phase"):
        gr.update()
    offering.refresh_from_db()
    assert offering.phase == "pipeline"

    assert gr.delete()
    assert not ServiceOffering.objects.filter(pk=offering.pk).exists()


def test_update_multiple_and_delete_multiple(instance):
    client = client_for(instance)
    gr = client.GlideRecord("service_offering", batch_size=4)
    gr.add_query("name", "STARTSWITH", "Motor Claims")
    gr.query()
    count = 0
    for record in gr:
        record.price_unit = "per claim"
        count += 1
    assert count == ServiceOffering.objects.filter(name__startswith="Motor Claims").count() > 1

    assert gr.update_multiple()
    assert set(
        ServiceOffering.objects.filter(name__startswith="Motor Claims").values_list("price_unit", flat=True)
    ) == {"per claim"}

    doomed = client.GlideRecord("service_offering")
    doomed.add_query("name", "STARTSWITH", "Motor Claims")
    assert doomed.delete_multiple()
    assert not ServiceOffering.objects.filter(name__startswith="Motor Claims").exists()
    assert ServiceOffering.objects.exists()


def test_a_wrong_password_is_an_authentication_exception(instance):
    gr = client_for(instance, password="not-the-password").GlideRecord("cmdb_ci_service_business")
    with pytest.raises(AuthenticationException):
        gr.query()


def test_a_user_without_permission_gets_a_role_exception(instance):
    user = UserFactory(username="no.rights")
    user.set_password(PASSWORD)
    user.save()
    gr = client_for(instance, username="no.rights").GlideRecord("cmdb_ci_service_business")
    with pytest.raises(RoleException):
        gr.query()


def test_an_unknown_table_is_a_request_exception(instance):
    gr = client_for(instance).GlideRecord("u_no_such_table")
    with pytest.raises(RequestException):
        gr.query()
