"""What every endpoint shares: authentication, permissions, constant query counts, the schema and docs."""

import re

import pytest
from django.urls import reverse
from openapi_spec_validator import validate
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.helpers import client_for, incident_manager, list_query_count, user_with_perms
from tests.factories.cmdb import (
    BusinessServiceFactory,
    CompanyFactory,
    GroupFactory,
    RelationshipFactory,
    ServerFactory,
    UserFactory,
)
from tests.factories.impact import (
    AffectedCIFactory,
    ChangeApprovalFactory,
    ChangeRequestFactory,
    ImpactedServiceFactory,
)
from tests.factories.offerings import ServiceOfferingFactory
from tests.factories.portfolio import PortfolioNodeFactory

pytestmark = pytest.mark.django_db


def make_ci():
    ServerFactory(company=CompanyFactory(), owned_by=UserFactory(), support_group=GroupFactory())


def make_business_service():
    service = BusinessServiceFactory(portfolio=PortfolioNodeFactory(), vendor=CompanyFactory())
    ServiceOfferingFactory(parent=service)


def make_offering():
    ServiceOfferingFactory(owned_by=UserFactory())


def make_relationship():
    RelationshipFactory(parent=ServerFactory(), child=ServerFactory())


def make_node():
    PortfolioNodeFactory(owner=UserFactory())


def make_change():
    change = ChangeRequestFactory(cmdb_ci=ServerFactory(), assigned_to=UserFactory())
    AffectedCIFactory(task=change)
    ImpactedServiceFactory(task=change)
    ChangeApprovalFactory(change=change, group=GroupFactory())


LIST_ENDPOINTS = [
    ("cmdb-api:ci-list", make_ci, "cmdb.view_configurationitem"),
    ("cmdb-api:business-service-list", make_business_service, "cmdb.view_businessservice"),
    ("cmdb-api:relationship-list", make_relationship, "cmdb.view_relationship"),
    ("offerings-api:offering-list", make_offering, "offerings.view_serviceoffering"),
    ("portfolio-api:portfolio-node-list", make_node, "portfolio.view_portfolionode"),
    ("impact-api:change-list", make_change, "impact.view_changerequest"),
]


@pytest.mark.parametrize(("url_name", "make_row", "perm"), LIST_ENDPOINTS)
def test_list_query_count_is_the_same_for_1_and_20_rows(url_name, make_row, perm):
    client = client_for(user_with_perms(perm))
    make_row()
    one = list_query_count(client, reverse(url_name))
    for _ in range(19):
        make_row()
    assert list_query_count(client, reverse(url_name)) == one


@pytest.mark.parametrize(("url_name", "make_row", "perm"), LIST_ENDPOINTS)
def test_anonymous_requests_get_401(url_name, make_row, perm):
    response = APIClient().get(reverse(url_name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize(("url_name", "make_row", "perm"), LIST_ENDPOINTS)
def test_reading_needs_the_view_permission(url_name, make_row, perm):
    assert client_for(user_with_perms()).get(reverse(url_name)).status_code == 403


def test_session_login_works():
    user = user_with_perms("cmdb.view_configurationitem")
    client = APIClient()
    client.force_login(user)
    assert client.get(reverse("cmdb-api:ci-list")).status_code == 200


def test_token_is_issued_and_accepted():
    user = incident_manager()
    response = APIClient().post(
        reverse("api-token"), {"username": user.username, "password": "correct-horse-battery"}, format="json"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(reverse("impact-api:incident-list")).status_code == 200


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(reverse("cmdb-api:ci-list")).status_code == 401


def test_incident_managers_can_create_incidents():
    server = ServerFactory()
    token = Token.objects.create(user=incident_manager())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(
        reverse("impact-api:incident-list"),
        {"short_description": "Down", "cmdb_ci": server.sys_id.hex},
        format="json",
    )
    assert response.status_code == 201


def test_incident_managers_cannot_change_cis():
    server = ServerFactory()
    client = client_for(incident_manager())
    response = client.patch(
        reverse("cmdb-api:ci-detail", args=[server.sys_id.hex]), {"name": "renamed"}, format="json"
    )
    assert response.status_code == 403


# --- schema and docs ----------------------------------------------------------------------------


@pytest.fixture
def schema(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_validates(schema):
    validate(schema)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/cis/", "get"),
        ("/api/v1/cis/", "post"),
        ("/api/v1/cis/{sys_id}/", "get"),
        ("/api/v1/cis/{sys_id}/", "patch"),
        ("/api/v1/relationships/", "post"),
        ("/api/v1/relationships/{sys_id}/", "get"),
        ("/api/v1/business-services/", "get"),
        ("/api/v1/offerings/", "get"),
        ("/api/v1/portfolio-nodes/", "get"),
        ("/api/v1/incidents/", "post"),
        ("/api/v1/incidents/{number}/", "get"),
        ("/api/v1/incidents/{number}/impact/", "get"),
        ("/api/v1/changes/", "post"),
        ("/api/v1/changes/{number}/", "get"),
        ("/api/v1/changes/{number}/impact/", "get"),
        ("/api/v1/changes/{number}/refresh_impacted_services/", "post"),
        ("/api/v1/changes/{number}/conflicts/", "get"),
        ("/api/v1/changes/{number}/budget/", "get"),
        ("/api/v1/changes/{number}/risk/", "get"),
        ("/api/v1/changes/{number}/approve/", "post"),
        ("/api/v1/changes/{number}/reject/", "post"),
        ("/api/v1/impact/", "get"),
        ("/api/v1/auth/token/", "post"),
    ],
)
def test_schema_lists_the_endpoint(schema, path, method):
    assert method in schema["paths"][path]


def test_schema_documents_the_impact_parameters_and_document(schema):
    operation = schema["paths"]["/api/v1/impact/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"ci", "max_depth", "limit"}
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    document = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert set(document["properties"]) == {
        "sources",
        "max_depth",
        "impacted_ci_count",
        "counts",
        "truncated",
        "business_services",
        "service_offerings",
        "application_services",
        "technical_services",
        "impacted_businesses",
        "business_counts",
        "withheld_businesses",
        "impacted_customers",
    }


def test_swagger_ui_renders_without_external_hosts(client):
    response = client.get(reverse("api-docs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    external = [
        url for url in re.findall(r"https?://[^\s\"'<>]+", html) if not url.startswith("http://testserver")
    ]
    assert external == []
