"""Examples in the OpenAPI schema taken from the demo company (demo/*.json), so that "Try it out" on
/api/docs/ after `make run` finds real records (issue 10: the old example named no record).

tests/config/test_schema_examples.py checks that each example is still in the demo files.
"""

# Path prefix -> (demo file, example for the path parameter). The first prefix that matches wins.
PATH_EXAMPLES = [
    ("/api/v1/cis/", "cmdb_ci", "4913ac80333759b3b22958653af0ec1e"),  # lnx-pgdb-01, the shared DB server
    ("/api/v1/business-services/", "cmdb_ci_service_business", "16245ab157265f66b57f9654f43da81e"),
    (
        "/api/v1/services/",
        "cmdb_ci_service_business",
        "16245ab157265f66b57f9654f43da81e",
    ),  # Online Quote & Buy
    ("/api/v1/offerings/", "service_offering", "06e805d1902c5baebb2bb932435408ed"),  # Online Quote & Buy – UK
    ("/api/v1/relationship-types/", "cmdb_rel_type", "1a9cb166f1571100a92eb60da2bce5c5"),  # Depends on
    ("/api/v1/relationships/", "cmdb_rel_ci", "3201b6e71bf350cbb4e63a80881fd826"),  # pg-shared-prd Runs on
    (
        "/api/v1/portfolio-nodes/",
        "service_portfolio",
        "d475943a11cd582497378f56f80c7553",
    ),  # Insurance Services
    ("/api/v1/outages/", "cmdb_ci_outage", "b134c48d01105c56a78f41ec05e98223"),  # the expired TLS certificate
    ("/api/v1/incidents/", "incident", "INC0010001"),
    ("/api/v1/changes/", "change_request", "CHG0030001"),
]

# (path, query parameter) -> (demo file, example)
QUERY_EXAMPLES = {
    ("/api/v1/impact/", "ci"): ("cmdb_ci", "4913ac80333759b3b22958653af0ec1e"),
}


def add_demo_examples(result, generator, request, public):
    """drf-spectacular postprocessing hook: path and query parameter examples from the demo data."""
    for path, operations in result.get("paths", {}).items():
        example = next((value for prefix, _file, value in PATH_EXAMPLES if path.startswith(prefix)), None)
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and example is not None:
                    parameter["example"] = example
                elif (path, parameter["name"]) in QUERY_EXAMPLES and parameter["in"] == "query":
                    parameter["example"] = QUERY_EXAMPLES[(path, parameter["name"])][1]
    return result
