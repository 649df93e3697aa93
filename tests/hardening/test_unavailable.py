"""Issue 10, causes 3 and 5: NUL bytes are a 400; a database that cannot be reached is a 503, not a 500."""

import logging

import pytest
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from core.views import server_error
from tests.api.helpers import user_with_perms
from tests.factories.cmdb import UserFactory

pytestmark = pytest.mark.django_db


def database_down(execute, sql, params, many, context):
    raise OperationalError("could not connect to server: Connection refused")


def test_the_api_answers_503_json_with_retry_after_when_the_database_is_down(client, caplog):
    token = Token.objects.create(user=user_with_perms("cmdb.view_configurationitem"))
    with caplog.at_level(logging.ERROR), connection.execute_wrapper(database_down):
        response = client.get(reverse("cmdb-api:ci-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert "unavailable" in response.json()["detail"]
    # The outage is logged without a traceback, and no follow-on error (the session's AttributeError).
    assert "Database unavailable for GET /api/v1/cis/" in caplog.text
    assert not [record for record in caplog.records if record.exc_info]
    assert "_session_cache" not in caplog.text


def test_pages_answer_a_plain_503_page_when_the_database_is_down(client, caplog):
    client.force_login(UserFactory())
    with caplog.at_level(logging.ERROR), connection.execute_wrapper(database_down):
        response = client.get("/catalog/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"temporarily unavailable" in response.content
    assert not [record for record in caplog.records if record.exc_info]
    assert "_session_cache" not in caplog.text


def test_the_app_recovers_when_the_database_returns(client):
    client.force_login(UserFactory())
    with connection.execute_wrapper(database_down):
        assert client.get("/catalog/").status_code == 503
    assert client.get("/catalog/").status_code == 200


def test_handler500_turns_a_database_error_raised_outside_views_into_a_503():
    request = RequestFactory().get("/api/v1/cis/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert (response.status_code, response["Retry-After"]) == (503, "30")


def test_handler500_leaves_other_errors_a_500():
    request = RequestFactory().get("/catalog/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500


@pytest.mark.parametrize("url", ["/catalog/?q=%00", "/catalog/requests/%00x/", "/portfolio/?x%00=1"])
def test_a_nul_byte_in_a_page_request_is_a_400(client, url):
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 400


def test_a_nul_byte_in_an_api_parameter_is_a_400_naming_it(client):
    token = Token.objects.create(user=user_with_perms("cmdb.view_configurationitem"))
    response = client.get("/api/v1/cis/?name=a%00b", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 400
    assert response.json() == {"name": ["NUL characters are not allowed."]}


def test_a_nul_byte_in_a_posted_form_is_a_400(client):
    response = client.post(reverse("login"), {"username": "a\x00", "password": "x"})
    assert response.status_code == 400
