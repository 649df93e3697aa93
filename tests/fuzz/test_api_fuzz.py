"""Fuzzing the API from its own OpenAPI schema (schemathesis): no 5xx, and every answer as documented.

A bounded run on every `make test`, on both databases, as an administrator and as an incident manager
(issue 10). Each operation gets a few generated requests, schema-valid and schema-invalid; any server
error or any answer the schema does not describe (status, content type, body) fails the test, which
lists every failing operation with a reproduction. A long campaign is run by hand with the
schemathesis CLI (see bench/README.md).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.api import SYS_ID_SCHEMA
from tests.fuzz.demo_like import build_demo_like

SYS_ID_EXAMPLE = SYS_ID_SCHEMA["example"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Generated requests per caller and mode, over all operations (62 of them): with two callers, 400
# cases per database. RUNSTAGE_FUZZ_CASES changes it.
CASES = {
    GenerationMode.POSITIVE: int(os.environ.get("RUNSTAGE_FUZZ_CASES", "120")),
    GenerationMode.NEGATIVE: int(os.environ.get("RUNSTAGE_FUZZ_CASES", "120")) * 2 // 3,
}

# The live server needs committed data; demo_like creates what it needs, including what data
# migrations seed, which an earlier transactional test's flush may have removed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tokens(live_server):
    return build_demo_like()


SETTINGS = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "phases": [Phase.explicit, Phase.generate],
    "suppress_health_check": list(HealthCheck),
}


def call(case, base_url, headers, failures, label):
    try:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
    # FailureGroup (the failed checks) is a BaseExceptionGroup, not an Exception.
    except (Exception, FailureGroup) as error:  # noqa: BLE001 - reported by the test, with its reproduction
        failures.setdefault(case.operation.label, f"{case.operation.label} ({label}): {error}")


def from_examples(schema, base_url, headers):
    """One request per operation built from the schema's examples (every property that has one, demo
    sys_ids included), which random generation reaches only by luck; returns (cases, failures)."""
    strategies = [
        strategy
        for result in schema.get_all_operations()
        for strategy in schema.get_strategies_from_examples(result.ok())
    ]
    failures = {}

    calls = []

    @given(data=st.data())
    @settings(max_examples=1, **SETTINGS)
    def run(data):
        for strategy in strategies:
            case = data.draw(strategy)
            call(case, base_url, headers, failures, "examples")
            calls.append(case.operation.label)
            if isinstance(case.body, dict) and SYS_ID_EXAMPLE in case.body.values():
                # Again with every reference null: a null `model` was a 500 (issue 10).
                case.body = {
                    key: None if value == SYS_ID_EXAMPLE else value for key, value in case.body.items()
                }
                call(case, base_url, headers, failures, "examples, references null")
                calls.append(case.operation.label)

    run()
    return len(calls), list(failures.values())


def fuzz(schema, mode, base_url, headers):
    """Run CASES[mode] generated cases over all operations; returns (cases run, failure reports).

    Failures are collected rather than raised, so that one run reports every failing operation and
    Hypothesis neither stops nor shrinks (each case is an HTTP request).
    """
    failures = {}
    ran = []

    @given(case=schema.as_strategy(generation_mode=mode))
    @settings(max_examples=CASES[mode], **SETTINGS)
    def run(case):
        ran.append(case.operation.label)
        call(case, base_url, headers, failures, mode.value)

    run()
    return len(ran), list(failures.values())


def test_no_server_error_and_no_undocumented_answer(live_server, tokens):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    cases, failures = 0, []
    # The incident manager first: the administrator's writes and deletes change the data set.
    for caller in ("incident_manager", "admin"):
        headers = {"Authorization": f"Token {tokens[caller]}"}
        examples, failed = from_examples(schema, live_server.url, headers)
        assert examples >= 40
        cases, failures = cases + examples, failures + [f"[{caller}] {failure}" for failure in failed]
        for mode in CASES:
            ran, failed = fuzz(schema, mode, live_server.url, headers)
            cases, failures = cases + ran, failures + [f"[{caller}] {failure}" for failure in failed]
    assert cases >= 2 * sum(CASES.values())
    assert not failures, f"{len(failures)} failing operations:\n\n" + "\n\n".join(failures)
