"""Issue 10, cause 4: list pages have a largest size, and a limit or offset out of range is a 400."""

import pytest
from django.urls import reverse

from core.pagination import MAX_OFFSET
from tests.api.helpers import client_for, user_with_perms
from tests.factories.cmdb import ServerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return client_for(user_with_perms("cmdb.view_configurationitem"))


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("limit", "99999999999999999999"),
        ("limit", "1000000000"),
        ("limit", "0"),
        ("limit", "-1"),
        ("limit", "many"),
        ("limit", ""),
        ("offset", "99999999999999999999"),
        ("offset", "-1"),
        ("offset", "1.5"),
    ],
)
def test_out_of_range_page_parameters_are_a_400_naming_them(client, param, value):
    ServerFactory()
    response = client.get(reverse("cmdb-api:ci-list"), {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_the_largest_page_is_api_max_page_size(client, settings):
    settings.API_MAX_PAGE_SIZE = 2
    ServerFactory.create_batch(3)
    assert client.get(reverse("cmdb-api:ci-list"), {"limit": 3}).status_code == 400
    body = client.get(reverse("cmdb-api:ci-list"), {"limit": 2}).json()
    assert (body["count"], len(body["results"])) == (3, 2)


def test_an_offset_past_the_end_is_an_empty_page(client):
    ServerFactory()
    body = client.get(reverse("cmdb-api:ci-list"), {"offset": MAX_OFFSET}).json()
    assert (body["count"], body["results"]) == (1, [])


def test_the_schema_states_the_bounds(client, settings):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cis/"]["get"]["parameters"]}
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, settings.API_MAX_PAGE_SIZE)
    assert parameters["offset"]["minimum"] == 0
