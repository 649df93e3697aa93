"""Issue 10, causes 2 and 10: date-time and sys_id filters refuse what the database or schema cannot take."""

import pytest
from django.urls import reverse

from core.parsing import parse_moment
from tests.api.helpers import client_for, user_with_perms
from tests.factories.cmdb import BusinessServiceFactory, ServerFactory

pytestmark = pytest.mark.django_db

READER = (
    "cmdb.view_configurationitem",
    "cmdb.view_businessservice",
    "cmdb.view_service",
    "impact.view_incident",
    "impact.view_changerequest",
    "impact.view_outage",
)

MOMENT_FILTERS = [
    ("cmdb-api:ci-list", "updated_after"),
    ("impact-api:incident-list", "opened_after"),
    ("impact-api:incident-list", "opened_before"),
    ("impact-api:change-list", "planned_after"),
    ("impact-api:change-list", "planned_before"),
    ("outages-api:outage-list", "from"),
    ("outages-api:outage-list", "to"),
]

SYS_ID_FILTERS = [
    ("cmdb-api:ci-list", "sys_id"),
    ("cmdb-api:ci-list", "company"),
    ("impact-api:incident-list", "cmdb_ci"),
    ("outages-api:outage-list", "ci"),
    ("offerings-api:offering-list", "parent"),
    ("portfolio-api:portfolio-node-list", "parent"),
]


@pytest.fixture
def client():
    return client_for(
        user_with_perms(*READER, "offerings.view_serviceoffering", "portfolio.view_portfolionode")
    )


@pytest.mark.parametrize(("url_name", "param"), MOMENT_FILTERS)
@pytest.mark.parametrize(
    "value", ["2026-01-01T00:00:00+16:00", "2026-01-01T00:00:00-23:59", "0001-01-01T00:00:00+01:00"]
)
def test_a_moment_the_database_cannot_hold_is_a_400_naming_the_filter(client, url_name, param, value):
    ServerFactory()
    response = client.get(reverse(url_name), {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


@pytest.mark.parametrize(("url_name", "param"), MOMENT_FILTERS)
def test_the_largest_storable_offset_filters(client, url_name, param):
    response = client.get(reverse(url_name), {param: "2026-01-01T00:00:00+15:59"})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("url_name", "param"), MOMENT_FILTERS + SYS_ID_FILTERS)
def test_an_empty_filter_value_is_a_400_naming_it(client, url_name, param):
    response = client.get(reverse(url_name), {param: ""})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


def test_updated_after_with_an_offset_filters_in_utc(client):
    ServerFactory(name="srv")
    before = client.get(reverse("cmdb-api:ci-list"), {"updated_after": "2000-01-01T00:00:00+15:00"}).json()
    after = client.get(reverse("cmdb-api:ci-list"), {"updated_after": "9999-01-01T00:00:00-15:00"}).json()
    assert (before["count"], after["count"]) == (1, 0)


@pytest.mark.parametrize("param", ["from", "to"])
def test_owner_api_refuses_an_unstorable_offset_naming_the_parameter(param):
    service = BusinessServiceFactory()
    client = client_for(user_with_perms("cmdb.view_service", "impact.view_outage"))
    url = reverse("owner-api:availability", args=[service.sys_id.hex])
    response = client.get(url, {param: "2026-01-01T00:00:00+16:00"})
    assert response.status_code == 400
    assert list(response.json()) == [param]


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "empty"), ("2026-01-01T00:00+16:00", "offset"), ("0001-01-01T00:30+01:00", "range"), ("x", "ISO")],
)
def test_parse_moment_says_what_is_wrong(value, message):
    with pytest.raises(ValueError, match=message):
        parse_moment(value)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"from": "9999-12-31T23:00:00", "to": "9999-12-31T23:59:59"}, "from"),
        ({"from": "0001-01-01", "to": "2026-01-01"}, "from"),
        ({"from": "2026-01-01", "to": "3000-01-01"}, "to"),
        ({"from": "1900-01-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_owner_api_refuses_a_period_the_calendar_cannot_evaluate(params, named):
    service = BusinessServiceFactory()
    client = client_for(user_with_perms("cmdb.view_service", "impact.view_outage"))
    response = client.get(reverse("owner-api:availability", args=[service.sys_id.hex]), params)
    assert response.status_code == 400
    assert list(response.json()) == [named]
