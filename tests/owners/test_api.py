"""The outage API and the availability and trends endpoints."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from impact.models import Outage
from tests.factories.cmdb import ServerFactory, UserFactory
from tests.factories.owners import OutageFactory
from tests.owners.conftest import at

pytestmark = pytest.mark.django_db

OUTAGES = "/api/v1/outages/"
MARCH = {"from": "2025-03-01", "to": "2025-04-01"}


def availability_url(service):
    return reverse("owner-api:availability", args=[service.sys_id_hex])


def results(response):
    return {row["short_description"] for row in response.json()["results"]}


def test_outages_filter_by_ci(admin_client, stack):
    OutageFactory(cmdb_ci=stack["server"], short_description="disk full")
    OutageFactory(short_description="elsewhere")
    response = admin_client.get(OUTAGES, {"ci": stack["server"].sys_id_hex})
    assert results(response) == {"disk full"}


def test_outages_filter_by_type(admin_client):
    OutageFactory(type=Outage.Type.PLANNED, short_description="patching")
    OutageFactory(short_description="crash")
    assert results(admin_client.get(OUTAGES, {"type": "planned"})) == {"patching"}


def test_outages_filter_by_overlapping_period(admin_client):
    OutageFactory(begin=at(1, 8), end=at(1, 10), short_description="before")
    OutageFactory(begin=at(2, 23), end=at(3, 1), short_description="across the start")
    OutageFactory(begin=at(5, 8), end=None, short_description="still open")
    response = admin_client.get(OUTAGES, {"from": "2025-03-03", "to": "2025-03-10"})
    assert results(response) == {"across the start", "still open"}


def test_outages_filter_rejects_a_bad_date_naming_the_field(admin_client):
    response = admin_client.get(OUTAGES, {"from": "yesterday"})
    assert response.status_code == 400 and "from" in response.json()


def test_create_outage_by_ci_sys_id(admin_client):
    server = ServerFactory()
    response = admin_client.post(
        OUTAGES,
        {"cmdb_ci": server.sys_id_hex, "type": "outage", "begin": "2025-03-01T08:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["is_open"] is True


def test_create_outage_ending_before_it_begins_is_a_400_on_end(admin_client):
    response = admin_client.post(
        OUTAGES,
        {
            "cmdb_ci": ServerFactory().sys_id_hex,
            "begin": "2025-03-01T08:00:00Z",
            "end": "2025-03-01T07:00:00Z",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "end" in response.json()


def test_close_outage_at_a_given_moment(admin_client):
    outage = OutageFactory(begin=at(1, 8), end=None)
    response = admin_client.post(
        f"{OUTAGES}{outage.sys_id_hex}/close/",
        {"end": "2025-03-01T09:30:00Z"},
        content_type="application/json",
    )
    outage.refresh_from_db()
    assert response.status_code == 200 and outage.end == at(1, 9, 30)


def test_close_outage_defaults_to_now(admin_client):
    outage = OutageFactory(begin=at(1, 8), end=None)
    admin_client.post(f"{OUTAGES}{outage.sys_id_hex}/close/")
    outage.refresh_from_db()
    assert outage.end is not None and outage.end > at(1, 8)


def test_closing_a_closed_outage_is_a_400_on_end(admin_client):
    outage = OutageFactory()
    response = admin_client.post(f"{OUTAGES}{outage.sys_id_hex}/close/")
    assert response.status_code == 400 and "end" in response.json()


def test_outages_need_the_view_permission(client):
    client.force_login(UserFactory())
    assert client.get(OUTAGES).status_code == 403


def test_outages_cannot_be_deleted_through_the_api(admin_client):
    outage = OutageFactory()
    assert admin_client.delete(f"{OUTAGES}{outage.sys_id_hex}/").status_code == 405


def test_availability_of_a_period(admin_client, stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 9))
    body = admin_client.get(
        availability_url(stack["service"]), {"from": "2025-03-01", "to": "2025-04-01"}
    ).json()
    assert (body["downtime_minutes"], body["failures"], body["commitments"][0]["status"]) == (
        60,
        1,
        "breached",
    )


def test_availability_commitment_margin_in_minutes(admin_client, stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 8, 30))
    body = admin_client.get(
        availability_url(stack["service"]), {"from": "2025-03-01", "to": "2025-04-01"}
    ).json()
    assert round(body["commitments"][0]["margin_minutes"], 2) == 14.64


def test_availability_of_an_offering(admin_client, stack):
    OutageFactory(cmdb_ci=stack["server"], begin=at(10, 8), end=at(10, 8, 10))
    body = admin_client.get(
        availability_url(stack["offering"]), {"from": "2025-03-01", "to": "2025-04-01"}
    ).json()
    assert (body["downtime_minutes"], body["service"]["sys_class_name"]) == (10, "service_offering")


def test_availability_defaults_to_this_month(admin_client, stack):
    body = admin_client.get(availability_url(stack["service"])).json()
    start = datetime.datetime.fromisoformat(body["start"])
    assert (start.day, start.hour) == (1, 0)


def test_availability_rejects_a_bad_from(admin_client, stack):
    response = admin_client.get(availability_url(stack["service"]), {"from": "March"})
    assert response.status_code == 400 and "from" in response.json()


def test_availability_rejects_from_after_to(admin_client, stack):
    response = admin_client.get(
        availability_url(stack["service"]), {"from": "2025-04-01", "to": "2025-03-01"}
    )
    assert response.status_code == 400 and "to" in response.json()


def test_availability_of_an_unknown_service_is_404(admin_client):
    assert (
        admin_client.get("/api/v1/services/0123456789abcdef0123456789abcdef/availability/").status_code == 404
    )


def test_availability_needs_permission_to_view_services_and_outages(client, stack):
    # Not the owner and no view_outage: the service is hidden, as on the owner pages.
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_service"))
    client.force_login(user)
    assert client.get(availability_url(stack["service"])).status_code == 404


def test_trends_give_twelve_months_and_twelve_weeks(admin_client, stack):
    body = admin_client.get(reverse("owner-api:trends", args=[stack["service"].sys_id_hex])).json()
    assert (len(body["months"]), len(body["weeks"])) == (12, 12)
