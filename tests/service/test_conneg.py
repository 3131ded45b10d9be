"""Content negotiation against the Accept headers real clients send (docs: PLATFORM.md)."""

from __future__ import annotations

from ckg_rdf.service.conneg import HTML, RDF_FORMATS, RESULT_FORMATS, choose, negotiate

CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
COMUNICA = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"

RESOURCE = [
    RDF_FORMATS["ttl"],
    HTML,
    RDF_FORMATS["jsonld"],
    RDF_FORMATS["nt"],
    RDF_FORMATS["rdfxml"],
]
RESULTS = list(RESULT_FORMATS.values())


def key(accept: str | None, offers: list) -> str | None:
    fmt = negotiate(accept, offers)
    return fmt.key if fmt else None


def test_browser_navigation_gets_html_not_rdfxml() -> None:
    assert key(CHROMIUM, RESOURCE) == "html"


def test_sparql_clients_get_json_results() -> None:
    assert key(SPARQLWRAPPER_JSON, RESULTS) == "json"
    assert key(COMUNICA, RESULTS) == "json"


def test_q_values_decide() -> None:
    assert key("text/csv;q=0.5, application/sparql-results+xml", RESULTS) == "xml"
    assert key("text/turtle;q=0.1, application/ld+json;q=0.9", RESOURCE) == "jsonld"


def test_parameters_and_case_do_not_break_matching() -> None:
    assert key("Text/Turtle; charset=utf-8", RESOURCE) == "ttl"
    assert key("text/tab-separated-values; charset=utf-8", RESULTS) == "tsv"


def test_wildcards_and_empty_header_give_the_server_default() -> None:
    assert key(None, RESOURCE) == "ttl"
    assert key("", RESULTS) == "json"
    assert key("*/*", RESOURCE) == "ttl"
    assert key("text/*", RESULTS) == "csv"


def test_ties_go_to_the_first_offer() -> None:
    assert key("application/n-triples, text/turtle", RESOURCE) == "ttl"


def test_q_zero_excludes_and_unknown_types_give_none() -> None:
    assert key("image/png", RESOURCE) is None
    assert key("text/turtle;q=0, */*;q=0.1", RESOURCE) == "html"


def test_format_parameter_overrides_accept() -> None:
    fmt, _ = choose("text/turtle", "jsonld", RESOURCE)
    assert fmt is not None and fmt.key == "jsonld"
    fmt, _ = choose(None, "text/csv", RESULTS)
    assert fmt is not None and fmt.key == "csv"
    fmt, why = choose(None, "png", RESULTS)
    assert fmt is None and "png" in why
