"""The service answers as its OpenAPI document says (schemathesis against /openapi.json).

Every documented operation is called with generated requests on the sample's
live server; each response must have a documented status code and content
type, conform to its schema, and no request may end in a server error. The one
check left out is "a schema-valid request is accepted": a SPARQL query or a
search string is a free string in the schema, and one that does not parse is
rightly answered 400, which no JSON Schema can foresee.

The SPARQL endpoint itself (``/sparql``) follows the W3C protocol, not this
document (docs/service.md); its conformance is tests/service/test_sparql_protocol.py.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tests.service.conftest import LiveServer


@pytest.fixture(scope="module")
def api_schema(live: LiveServer):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_url(live.url + "openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
