"""Table API records over HTTP: read, create, change, delete, errors, permissions, pagination, batch."""

import base64
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cmdb.models import User
from impact.models import Incident
from offerings.models import ServiceOffering
from portfolio.models import PortfolioNode
from tableapi.records import MAX_LIMIT
from tests.api.helpers import build_impact_graph, client_for, user_with_perms
from tests.factories.cmdb import BusinessServiceFactory, ServerFactory, UserFactory
from tests.factories.offerings import ServiceOfferingFactory
from tests.factories.portfolio import PortfolioNodeFactory
from tests.tableapi.helpers import table_url

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "demo"
OFFERING_PERMS = [f"offerings.{action}_serviceoffering" for action in ("view", "add", "change", "delete")]


@pytest.fixture
def offerings_client():
    return client_for(user_with_perms(*OFFERING_PERMS))


def basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_get_one_record_and_a_404_in_servicenow_shape(offerings_client):
    offering = ServiceOfferingFactory(name="Gold", price=Decimal("12.50"))

    response = offerings_client.get(table_url("service_offering", offering.sys_id.hex))
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["name"] == "Gold"
    assert result["price"] == "12.5"
    assert result["sys_id"] == offering.sys_id.hex

    missing = offerings_client.get(table_url("service_offering", uuid.uuid4().hex))
    assert missing.status_code == 404
    assert missing.json()["status"] == "failure"
    assert set(missing.json()["error"]) == {"message", "detail"}


def test_values_by_display_mode(offerings_client):
    parent = BusinessServiceFactory(name="Motor Claims")
    offering = ServiceOfferingFactory(name="Gold", parent=parent, phase="pipeline")
    url = table_url("service_offering", offering.sys_id.hex)
    link = f"http://testserver/api/now/table/cmdb_ci_service/{parent.sys_id.hex}"

    stored = offerings_client.get(url, {"sysparm_display_value": "false"}).json()["result"]
    assert stored["phase"] == "pipeline"
    assert stored["parent"] == {"link": link, "value": parent.sys_id.hex}
    assert stored["logical"] == "true"
    assert len(stored["sys_created_on"]) == len("2026-01-01 00:00:00")
    assert stored["sys_created_on"] == offering.sys_created_on.strftime("%Y-%m-%d %H:%M:%S")

    shown = offerings_client.get(url, {"sysparm_display_value": "true"}).json()["result"]
    assert shown["phase"] == "Pipeline"
    assert shown["parent"] == {"link": link, "display_value": "Motor Claims"}

    both = offerings_client.get(
        url, {"sysparm_display_value": "all", "sysparm_exclude_reference_link": "true"}
    ).json()["result"]
    assert both["phase"] == {"display_value": "Pipeline", "value": "pipeline"}
    assert both["parent"] == {"display_value": "Motor Claims", "value": parent.sys_id.hex}

    plain = offerings_client.get(url, {"sysparm_exclude_reference_link": "true"}).json()["result"]
    assert plain["parent"] == parent.sys_id.hex
    assert plain["support_group"] == ""


def test_post_creates_with_a_given_sys_id_and_json_values(offerings_client):
    parent = BusinessServiceFactory(owned_by=UserFactory())
    wanted = uuid.uuid4()
    response = offerings_client.post(
        table_url("service_offering"),
        {
            "sys_id": wanted.hex,
            "name": "Gold",
            "parent": parent.sys_id.hex,
            "price": 12.5,
            "logical": True,
            "support_group": None,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["result"]["sys_id"] == wanted.hex
    offering = ServiceOffering.objects.get(sys_id=wanted)
    assert offering.price == Decimal("12.5")
    assert offering.logical is True
    assert offering.owned_by_id == parent.owned_by_id  # the offering's own save() logic ran


def test_post_refuses_an_existing_sys_id(offerings_client):
    offering = ServiceOfferingFactory()
    response = offerings_client.post(
        table_url("service_offering"), {"sys_id": offering.sys_id.hex, "name": "Twin"}, format="json"
    )
    assert response.status_code == 400
    assert "sys_id" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "phase": "someday"}, "phase"),
        ({"name": "x", "price": "cheap"}, "price"),
        ({"name": "x", "parent": uuid.uuid4().hex}, "parent"),
        ({"name": "x", "parent": "nope"}, "parent"),
        ({"name": "x", "logical": "perhaps"}, "logical"),
        ({"name": "x", "colour": "red"}, "colour"),
        ({"name": ""}, "name"),
    ],
)
def test_an_invalid_value_is_a_400_naming_the_field(offerings_client, body, field):
    response = offerings_client.post(table_url("service_offering"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["message"]
    assert not ServiceOffering.objects.exists()


def test_patch_and_put_change_and_delete_removes(offerings_client):
    offering = ServiceOfferingFactory(name="Gold")
    url = table_url("service_offering", offering.sys_id.hex)

    assert offerings_client.patch(url, {"price": "9.99"}, format="json").status_code == 200
    put = offerings_client.put(url, {"name": "Platinum"}, format="json")
    assert put.status_code == 200
    assert put.json()["result"]["name"] == "Platinum"
    offering.refresh_from_db()
    assert (offering.name, offering.price) == ("Platinum", Decimal("9.99"))

    # Read-only fields are ignored, as ServiceNow ignores them.
    offerings_client.patch(url, {"sys_created_on": "2001-01-01 00:00:00"}, format="json")
    created = offering.sys_created_on
    offering.refresh_from_db()
    assert offering.sys_created_on == created

    assert offerings_client.delete(url).status_code == 204
    assert not ServiceOffering.objects.filter(pk=offering.pk).exists()


def test_incident_through_the_table_api_takes_a_number_and_fills_impacted_services():
    graph = build_impact_graph()
    user = user_with_perms("impact.view_incident", "impact.add_incident")
    response = client_for(user).post(
        table_url("incident"),
        {"short_description": "Billing server down", "cmdb_ci": graph.server.sys_id.hex, "number": "INC9"},
        format="json",
    )

    assert response.status_code == 201, response.content
    incident = Incident.objects.get(sys_id=response.json()["result"]["sys_id"])
    assert incident.number.startswith("INC")
    assert incident.number != "INC9"
    assert incident.opened_by == user
    assert incident.impacted_services.filter(pk=graph.billing.pk).exists()


def test_a_bad_task_state_move_is_a_400_naming_state():
    incident = Incident.objects.create(short_description="x", state=7)
    client = client_for(user_with_perms("impact.view_incident", "impact.change_incident"))
    response = client.patch(table_url("incident", incident.sys_id.hex), {"state": "1"}, format="json")
    assert response.status_code == 400
    assert "state" in response.json()["error"]["message"]


def test_portfolio_node_writes_keep_the_tree():
    root = PortfolioNodeFactory(name="Insurance")
    client = client_for(user_with_perms("portfolio.view_portfolionode", "portfolio.add_portfolionode"))
    response = client.post(
        table_url("service_portfolio"), {"name": "Claims", "parent": root.sys_id.hex}, format="json"
    )
    assert response.status_code == 201, response.content
    child = PortfolioNode.objects.get(name="Claims")
    assert child.parent == root
    root.refresh_from_db()
    assert child.is_descendant_of(root)
    twin = client.post(
        table_url("service_portfolio"), {"name": "Claims", "parent": root.sys_id.hex}, format="json"
    )
    assert twin.status_code == 400


def test_passwords_are_never_readable():
    user = user_with_perms("cmdb.view_user")
    client = client_for(user)
    result = client.get(table_url("sys_user", user.sys_id.hex)).json()["result"]
    assert "password" not in result
    assert result["user_name"] == user.username
    assert client.get(table_url("sys_user"), {"sysparm_fields": "password"}).status_code == 400
    assert client.get(table_url("sys_user"), {"sysparm_query": "passwordSTARTSWITHmd5"}).status_code == 400


def test_each_method_needs_its_model_permission():
    offering = ServiceOfferingFactory()
    viewer = client_for(user_with_perms("offerings.view_serviceoffering"))
    url = table_url("service_offering", offering.sys_id.hex)

    assert viewer.get(url).status_code == 200
    assert viewer.post(table_url("service_offering"), {"name": "x"}, format="json").status_code == 403
    assert viewer.patch(url, {"name": "x"}, format="json").status_code == 403
    assert viewer.delete(url).status_code == 403
    assert client_for(user_with_perms()).get(url).status_code == 403
    assert APIClient().get(url).status_code == 401


def test_unknown_table_is_a_400():
    response = client_for(user_with_perms()).get(table_url("u_unknown"))
    assert response.status_code == 400
    assert "u_unknown" in response.json()["error"]["message"]


def test_pagination_headers_and_limit_cap(offerings_client):
    for _ in range(5):
        ServiceOfferingFactory()
    response = offerings_client.get(table_url("service_offering"), {"sysparm_limit": 2, "sysparm_offset": 2})
    assert response["X-Total-Count"] == "5"
    assert len(response.json()["result"]) == 2
    links = response["Link"]
    for rel, offset in (("first", 0), ("prev", 0), ("next", 4), ("last", 4)):
        assert f'sysparm_offset={offset}>;rel="{rel}"' in links

    suppressed = offerings_client.get(
        table_url("service_offering"), {"sysparm_suppress_pagination_header": "true", "sysparm_limit": 10**9}
    )
    assert "Link" not in suppressed
    assert len(suppressed.json()["result"]) == 5
    assert MAX_LIMIT == 10_000


def test_other_sysparm_parameters_are_ignored(offerings_client):
    ServiceOfferingFactory()
    response = offerings_client.get(
        table_url("service_offering"), {"sysparm_view": "ess", "sysparm_no_count": "x"}
    )
    assert response.status_code == 200


# --- authentication ---------------------------------------------------------------------------------


@pytest.fixture
def reader():
    user = user_with_perms("offerings.view_serviceoffering")
    user.set_password("pw")
    user.save()
    return user


def test_basic_auth_is_refused_over_plain_http(reader, settings):
    settings.DEBUG = False
    response = APIClient().get(table_url("service_offering"), **basic(reader.username, "pw"))
    assert response.status_code == 401
    assert "HTTPS" in response.json()["error"]["detail"]


def test_basic_auth_works_over_https_and_over_http_in_debug(reader, settings):
    settings.DEBUG = False
    assert (
        APIClient()
        .get(table_url("service_offering"), secure=True, **basic(reader.username, "pw"))
        .status_code
        == 200
    )
    assert (
        APIClient()
        .get(table_url("service_offering"), secure=True, **basic(reader.username, "no"))
        .status_code
        == 401
    )
    settings.DEBUG = True
    assert APIClient().get(table_url("service_offering"), **basic(reader.username, "pw")).status_code == 200


def test_anonymous_gets_a_basic_challenge():
    response = APIClient().get(table_url("service_offering"), secure=True)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_token_and_session_auth_work_too(reader):
    token = Token.objects.create(user=reader)
    by_token = APIClient().get(table_url("service_offering"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert by_token.status_code == 200
    session = APIClient()
    session.force_login(reader)
    assert session.get(table_url("service_offering")).status_code == 200


# --- batch ------------------------------------------------------------------------------------------


def rest_request(request_id, method, url, body=None):
    item = {"id": request_id, "method": method, "url": url, "headers": []}
    if body is not None:
        item["body"] = base64.b64encode(json.dumps(body).encode()).decode()
    return item


def test_batch_runs_each_request_as_the_user_and_answers_each(offerings_client):
    offering = ServiceOfferingFactory(name="Gold")
    other = ServiceOfferingFactory(name="Silver")
    response = offerings_client.post(
        "/api/now/v1/batch",
        {
            "batch_request_id": 7,
            "rest_requests": [
                rest_request(
                    "a", "PATCH", f"/api/now/table/service_offering/{offering.sys_id.hex}", {"price": 5}
                ),
                rest_request("b", "DELETE", f"/api/now/table/service_offering/{other.sys_id.hex}"),
                rest_request(
                    "c", "PATCH", f"/api/now/table/service_offering/{other.sys_id.hex}", {"price": 1}
                ),
                rest_request("d", "GET", "/api/now/table/service_offering?sysparm_query=name=Gold"),
                rest_request("e", "GET", "/api/now/table/sys_user"),
                rest_request("f", "GET", "/api/now/stats/incident"),
            ],
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["batch_request_id"] == "7"
    assert body["unserviced_requests"] == []
    served = {item["id"]: item for item in body["serviced_requests"]}
    assert {key: item["status_code"] for key, item in served.items()} == {
        "a": 200,
        "b": 204,
        "c": 404,
        "d": 200,
        "e": 403,
        "f": 400,
    }
    headers = {header["name"]: header["value"] for header in served["d"]["headers"]}
    assert headers["X-Total-Count"] == "1"
    assert json.loads(base64.b64decode(served["d"]["body"]))["result"][0]["name"] == "Gold"
    offering.refresh_from_db()
    assert offering.price == Decimal("5")


def test_a_malformed_batch_is_a_400(offerings_client):
    response = offerings_client.post("/api/now/v1/batch", {"requests": []}, format="json")
    assert response.status_code == 400
    assert response.json()["status"] == "failure"


def test_an_undecodable_batch_body_answers_that_request_400(offerings_client):
    offering = ServiceOfferingFactory()
    response = offerings_client.post(
        "/api/now/v1/batch",
        {
            "batch_request_id": 1,
            "rest_requests": [
                {
                    "id": "x",
                    "method": "PATCH",
                    "url": f"/api/now/table/service_offering/{offering.sys_id.hex}",
                    "body": "%%%",
                }
            ],
        },
        format="json",
    )
    assert response.json()["serviced_requests"][0]["status_code"] == 400


def test_unmodelled_class_rows_are_created_through_their_class_table():
    client = client_for(user_with_perms("cmdb.view_configurationitem", "cmdb.add_configurationitem"))
    response = client.post(table_url("cmdb_ci_linux_server"), {"name": "lnx-01"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["result"]["sys_class_name"] == "cmdb_ci_linux_server"
    refused = client.post(
        table_url("cmdb_ci"), {"name": "x", "sys_class_name": "cmdb_ci_server"}, format="json"
    )
    assert refused.status_code == 400
    assert "sys_class_name" in refused.json()["error"]["message"]
    assert ServerFactory._meta.model.objects.count() == 0
    assert User.objects.count() == 1


def test_affected_ci_rows_of_an_incident_refresh_its_impacted_services():
    graph = build_impact_graph()
    incident = Incident.objects.create(short_description="Slow billing")
    client = client_for(
        user_with_perms("impact.view_affectedci", "impact.add_affectedci", "impact.delete_affectedci")
    )
    response = client.post(
        table_url("task_ci"), {"task": incident.sys_id.hex, "ci_item": graph.server.sys_id.hex}, format="json"
    )
    assert response.status_code == 201, response.content
    assert incident.impacted_services.filter(pk=graph.billing.pk).exists()

    assert client.delete(table_url("task_ci", response.json()["result"]["sys_id"])).status_code == 204
    assert not incident.impacted_services.exists()


def test_every_table_the_importer_knows_is_served():
    from cmdb.servicenow.importer import import_folder
    from cmdb.servicenow.registry import table_specs

    import_folder(DEMO)
    client = client_for(User.objects.create_superuser("boss", "boss@example.com", "pw"))
    for table in table_specs():
        for display in ("false", "true", "all"):
            response = client.get(table_url(table), {"sysparm_display_value": display, "sysparm_limit": 5})
            assert response.status_code == 200, (table, response.content)
            assert int(response["X-Total-Count"]) >= len(response.json()["result"])


def test_a_user_created_through_the_table_api_cannot_log_in_until_given_a_password():
    client = client_for(user_with_perms("cmdb.view_user", "cmdb.add_user"))
    body = {"user_name": "new.one", "first_name": "New"}
    response = client.post(table_url("sys_user"), body, format="json")
    assert response.status_code == 201, response.content
    assert "password" not in response.json()["result"]
    assert not User.objects.get(username="new.one").has_usable_password()


def test_an_incident_changed_through_the_task_table_keeps_its_own_rules():
    graph = build_impact_graph()
    incident = Incident.objects.create(short_description="Slow")
    client = client_for(user_with_perms("impact.view_task", "impact.change_task"))
    response = client.patch(
        table_url("task", incident.sys_id.hex), {"cmdb_ci": graph.server.sys_id.hex}, format="json"
    )
    assert response.status_code == 200, response.content
    assert incident.impacted_services.filter(pk=graph.billing.pk).exists()
