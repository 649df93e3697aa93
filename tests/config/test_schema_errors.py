"""The OpenAPI schema: error responses in DRF's shape, examples from the demo data (issue 10)."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from config.schema import PATH_EXAMPLES, QUERY_EXAMPLES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get(reverse("api-schema"), {"format": "json"}).json()


def refs(operation, status):
    return operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_documents_401_403_or_429_and_503(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "503" in statuses, (method, path)
            assert {"401", "403"} <= statuses or "429" in statuses, (method, path)


@pytest.mark.parametrize(
    ("path", "method", "expected"),
    [
        ("/api/v1/cis/", "get", {"400", "401", "403", "503"}),
        ("/api/v1/cis/", "post", {"400", "401", "403", "409", "503"}),
        ("/api/v1/cis/{sys_id}/", "get", {"400", "401", "403", "404", "503"}),
        ("/api/v1/cis/{sys_id}/", "delete", {"400", "401", "403", "404", "409", "503"}),
        ("/api/v1/impact/", "get", {"400", "401", "403", "503"}),
        ("/api/v1/auth/token/", "post", {"400", "429", "503"}),
    ],
)
def test_error_responses_where_they_occur(schema, path, method, expected):
    operation = schema["paths"][path][method]
    assert {status for status in operation["responses"] if status >= "400"} == expected


def test_errors_use_drfs_shapes(schema):
    operation = schema["paths"]["/api/v1/cis/{sys_id}/"]["put"]
    assert refs(operation, "400") == "#/components/schemas/ValidationError"
    assert refs(operation, "404") == "#/components/schemas/ErrorDetail"
    assert schema["components"]["schemas"]["ErrorDetail"]["required"] == ["detail"]


def test_a_response_a_view_documents_keeps_its_description(schema):
    assert (
        "nothing is computed" in schema["paths"]["/api/v1/impact/"]["get"]["responses"]["400"]["description"]
    )


def demo_values(table):
    rows = json.loads((settings.BASE_DIR / "demo" / f"{table}.json").read_text())["result"]
    return {row["sys_id"] for row in rows} | {row.get("number") for row in rows}


@pytest.mark.parametrize(("prefix", "table", "example"), PATH_EXAMPLES)
def test_path_examples_are_demo_records(schema, prefix, table, example):
    assert example in demo_values(table)
    documented = [
        parameter["example"]
        for path, operations in schema["paths"].items()
        if path.startswith(prefix)
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    assert documented and set(documented) == {example}


@pytest.mark.parametrize(("key", "value"), QUERY_EXAMPLES.items())
def test_query_examples_are_demo_records(key, value):
    table, example = value
    assert example in demo_values(table)


def test_the_generic_sys_id_example_is_a_demo_ci(schema):
    ci_schema = schema["components"]["schemas"]["ConfigurationItem"]["properties"]["sys_id"]
    assert ci_schema["example"] in demo_values("cmdb_ci")
