"""GET /api/v1/impact/: the impact document, its bad-input answers and who may read it."""

import pytest
from django.urls import reverse

from tests.api.helpers import build_impact_graph, client_for, incident_manager, user_with_perms
from tests.factories.cmdb import ServerFactory

pytestmark = pytest.mark.django_db

URL = "impact-api:impact"

BUSINESS_VIEW_PERMS = (
    "cmdb.view_company",
    "cmdb.view_department",
    "cmdb.view_location",
    "cmdb.view_group",
    "cmdb.view_user",
)


@pytest.fixture(autouse=True, params=["sql", "graph", "graph_lazy"])
def engine_strategy(request, settings, monkeypatch):
    """The document is the same whichever way the engine answers: SQL, or the in-memory graph with
    every detail at once or only the listed ones (hubs)."""
    from impact import graph_answers

    if request.param == "sql":
        settings.IMPACT_GRAPH_MAX_MB = 0
    if request.param == "graph_lazy":
        monkeypatch.setattr(graph_answers, "EAGER_DETAILS_LIMIT", 0)
    return request.param


@pytest.fixture
def graph():
    return build_impact_graph()


@pytest.fixture
def client():
    return client_for(user_with_perms("cmdb.view_configurationitem"))


def get_impact(client, **params):
    return client.get(reverse(URL), params)


def hexes(*cis):
    return [ci.sys_id.hex for ci in cis]


# --- the document -------------------------------------------------------------------------------


def test_sources_name_the_given_cis(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex).json()
    assert document["sources"] == [
        {"sys_id": graph.server.sys_id.hex, "name": "srv-billing", "sys_class_name": "cmdb_ci_server"}
    ]


def test_business_services_with_depths_and_paths(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex).json()
    assert document["business_services"] == [
        {
            "sys_id": graph.billing.sys_id.hex,
            "name": "Billing",
            "sys_class_name": "cmdb_ci_service_business",
            "depth": 4,
            "path": hexes(graph.server, graph.application, graph.app_service, graph.gold, graph.billing),
        },
        {
            "sys_id": graph.payroll.sys_id.hex,
            "name": "Payroll",
            "sys_class_name": "cmdb_ci_service_business",
            "depth": 4,
            "path": hexes(graph.server, graph.application, graph.app_service, graph.standard, graph.payroll),
        },
    ]


def test_offerings_carry_their_parent(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex).json()
    assert document["service_offerings"] == [
        {
            "sys_id": graph.gold.sys_id.hex,
            "name": "Billing Gold",
            "sys_class_name": "service_offering",
            "depth": 3,
            "path": hexes(graph.server, graph.application, graph.app_service, graph.gold),
            "parent": {"sys_id": graph.billing.sys_id.hex, "name": "Billing"},
        },
        {
            "sys_id": graph.standard.sys_id.hex,
            "name": "Payroll Standard",
            "sys_class_name": "service_offering",
            "depth": 3,
            "path": hexes(graph.server, graph.application, graph.app_service, graph.standard),
            "parent": {"sys_id": graph.payroll.sys_id.hex, "name": "Payroll"},
        },
    ]


def test_offering_parent_beyond_max_depth_is_still_named(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex, max_depth=3).json()
    assert [offering["parent"]["name"] for offering in document["service_offerings"]] == [
        "Billing",
        "Payroll",
    ]


def test_application_and_technical_services(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex).json()
    assert document["application_services"] == [
        {
            "sys_id": graph.app_service.sys_id.hex,
            "name": "Billing stack",
            "sys_class_name": "cmdb_ci_service_auto",
            "depth": 2,
            "path": hexes(graph.server, graph.application, graph.app_service),
        }
    ]
    assert document["technical_services"] == [
        {
            "sys_id": graph.storage.sys_id.hex,
            "name": "Storage",
            "sys_class_name": "cmdb_ci_service_technical",
            "depth": 1,
            "path": hexes(graph.server, graph.storage),
        }
    ]


def test_counts_and_impacted_ci_count_include_sources(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex).json()
    # server, application, app service, two offerings, two business services, technical service
    assert document["impacted_ci_count"] == 8
    assert document["counts"] == {
        "business_services": 2,
        "service_offerings": 2,
        "application_services": 1,
        "technical_services": 1,
        "customer_accounts": 0,
        "consumers": 0,
    }
    assert document["truncated"] is False
    assert document["max_depth"] == 10


def test_non_propagating_relationships_are_not_followed(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex).json()
    assert "Monitoring" not in [service["name"] for service in document["business_services"]]


def test_impacted_businesses_are_the_offerings_subscribers(graph):
    # Named to a caller who may view every kind of business (see tests/hardening/test_impact_rights.py).
    client = client_for(user_with_perms("cmdb.view_configurationitem", *BUSINESS_VIEW_PERMS))
    document = get_impact(client, ci=graph.server.sys_id.hex).json()
    assert document["impacted_businesses"] == {
        "companies": [{"sys_id": graph.company.sys_id.hex, "name": "Acme"}],
        "departments": [{"sys_id": graph.department.sys_id.hex, "name": "Finance"}],
        "locations": [{"sys_id": graph.location.sys_id.hex, "name": "Berlin"}],
        "groups": [{"sys_id": graph.group.sys_id.hex, "name": "Ops"}],
        "users": [{"sys_id": graph.user.sys_id.hex, "user_name": "jdoe", "name": "Jane Doe"}],
    }


def test_limit_cuts_lists_but_not_counts(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex, limit=1).json()
    assert [service["name"] for service in document["business_services"]] == ["Billing"]
    assert [offering["name"] for offering in document["service_offerings"]] == ["Billing Gold"]
    assert document["counts"]["business_services"] == 2
    assert document["truncated"] is True


def test_max_depth_stops_the_walk(client, graph):
    document = get_impact(client, ci=graph.server.sys_id.hex, max_depth=2).json()
    assert document["max_depth"] == 2
    assert document["business_services"] == []
    assert document["counts"]["application_services"] == 1
    assert document["impacted_businesses"]["companies"] == []


def test_a_service_given_as_source_counts_at_depth_zero(client, graph):
    document = get_impact(client, ci=graph.billing.sys_id.hex).json()
    assert document["business_services"] == [
        {
            "sys_id": graph.billing.sys_id.hex,
            "name": "Billing",
            "sys_class_name": "cmdb_ci_service_business",
            "depth": 0,
            "path": [graph.billing.sys_id.hex],
        }
    ]
    assert document["impacted_ci_count"] == 1


def test_several_sources_and_hyphenated_sys_ids(client, graph):
    response = client.get(reverse(URL), {"ci": [str(graph.storage.sys_id), graph.billing.sys_id.hex]})
    document = response.json()
    assert response.status_code == 200
    assert [source["name"] for source in document["sources"]] == ["Storage", "Billing"]
    assert document["counts"]["technical_services"] == 1


# --- bad input: 400, the field named, nothing computed ------------------------------------------


def assert_rejected(response, field, fragment=None):
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    if fragment is not None:
        assert fragment in " ".join(str(message) for message in body[field])


def test_missing_ci_is_rejected(client):
    assert_rejected(get_impact(client), "ci", "required")


def test_empty_ci_is_rejected(client):
    assert_rejected(get_impact(client, ci=""), "ci", "is not a sys_id")


def test_malformed_sys_id_is_named(client):
    assert_rejected(get_impact(client, ci="not-a-sys-id"), "ci", "'not-a-sys-id' is not a sys_id")


def test_unknown_sys_id_is_named(client):
    unknown = "0123456789abcdef0123456789abcdef"
    assert_rejected(get_impact(client, ci=unknown), "ci", f"Unknown sys_id {unknown}")


def test_more_than_100_sources_are_rejected(client):
    servers = ServerFactory.create_batch(101)
    response = client.get(reverse(URL), {"ci": [server.sys_id.hex for server in servers]})
    assert_rejected(response, "ci", "100")


@pytest.mark.parametrize("max_depth", ["0", "26", "-1", "abc", "2.5", ""])
def test_max_depth_outside_1_to_25_is_rejected(client, max_depth):
    server = ServerFactory()
    assert_rejected(get_impact(client, ci=server.sys_id.hex, max_depth=max_depth), "max_depth")


@pytest.mark.parametrize("limit", ["0", "10001", "-5", "many", ""])
def test_limit_outside_1_to_10000_is_rejected(client, limit):
    server = ServerFactory()
    assert_rejected(get_impact(client, ci=server.sys_id.hex, limit=limit), "limit")


def test_bad_input_computes_nothing(client, django_assert_max_num_queries):
    server = ServerFactory()
    with django_assert_max_num_queries(3):  # session/permission look-ups only, no graph walk
        response = get_impact(client, ci=server.sys_id.hex, max_depth=99)
    assert response.status_code == 400


# --- who may read it ----------------------------------------------------------------------------


def test_anonymous_gets_401(graph):
    from rest_framework.test import APIClient

    response = APIClient().get(reverse(URL), {"ci": graph.server.sys_id.hex})
    assert response.status_code == 401


def test_user_without_view_permission_gets_403(graph):
    response = client_for(user_with_perms()).get(reverse(URL), {"ci": graph.server.sys_id.hex})
    assert response.status_code == 403


def test_incident_manager_reads_the_impact(graph):
    response = client_for(incident_manager()).get(reverse(URL), {"ci": graph.server.sys_id.hex})
    assert response.status_code == 200


def test_token_authentication_works(graph):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=incident_manager())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(reverse(URL), {"ci": graph.server.sys_id.hex}).status_code == 200
