"""SERVICE detection: the endpoint's SSRF guard."""

from __future__ import annotations

import pytest

from ckg_rdf.service.guard import uses_service


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }",
        "select * where { service silent <http://x/> { ?s ?p ?o } }",
        r"SELECT * WHERE { \u0053ERVICE <http://x/> { ?s ?p ?o } }",  # SPARQL codepoint escape
        r"SELECT * WHERE { \U00000073ervice <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { FILTER(1<2) SERVICE <http://x/> { } }",
        "SELECT * WHERE { ?s ?p ?o .SERVICE <http://x/> { } }",
        "SELECT * WHERE { ?s ?p 'it''s' } SERVICE",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    ],
)
def test_service_is_found(query: str) -> None:
    assert uses_service(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service WHERE { ?service a ?type }",
        'SELECT * WHERE { ?s ?p "health service" }',
        'SELECT * WHERE { ?s ?p "a \\" SERVICE" }',
        'SELECT * WHERE { ?s ?p """multi "line" SERVICE""" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE in a comment",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "PREFIX service: <http://e/> SELECT * WHERE { ?s service:p ex:service }",
    ],
)
def test_service_words_that_are_not_the_keyword_pass(query: str) -> None:
    assert not uses_service(query)
