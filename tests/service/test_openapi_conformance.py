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

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.service.conftest import LiveServer


def test_every_operation_answers_as_documented(live: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(live.url + "openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # the pages, resources, search, rank, similar, meta routes
    failures: list[str] = []
    for operation in operations:

        @given(operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # raises on any failed check: status, content type, schema, server error
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - each failure is reported, all operations run
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert failures == []
