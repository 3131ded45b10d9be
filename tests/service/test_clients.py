"""A real SPARQL client library talks to the endpoint: SPARQLWrapper, as notebooks use it."""

from __future__ import annotations

import pytest
import rdflib

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")


def endpoint(live, return_format: str, method: str = "GET"):
    client = SPARQLWrapper.SPARQLWrapper(live.url + "sparql")
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_as_json_through_sparqlwrapper(live, client, method) -> None:
    sparql = endpoint(live, SPARQLWrapper.JSON, method)
    sparql.setQuery(
        "PREFIX ckg: <https://w3id.org/ckg-rdf/ontology#> "
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a ckg:Paper }"
    )
    result = sparql.queryAndConvert()
    n = int(result["results"]["bindings"][0]["n"]["value"])
    # the same count through plain HTTP + CSV
    plain = client.get(
        "/sparql",
        params={
            "query": "SELECT (COUNT(?p) AS ?n) "
            "WHERE { ?p a <https://w3id.org/ckg-rdf/ontology#Paper> }"
        },
        headers={"Accept": "text/csv"},
    )
    assert plain.status_code == 200
    assert n == int(plain.text.splitlines()[1]) > 600


def test_ask_and_construct_through_sparqlwrapper(live) -> None:
    ask = endpoint(live, SPARQLWrapper.JSON)
    ask.setQuery("ASK { ?s <https://w3id.org/ckg-rdf/ontology#cites> ?o }")
    assert ask.queryAndConvert()["boolean"] is True

    construct = endpoint(live, SPARQLWrapper.TURTLE)
    construct.setQuery(
        "CONSTRUCT { ?a <https://w3id.org/ckg-rdf/ontology#cites> ?b } "
        "WHERE { ?a <https://w3id.org/ckg-rdf/ontology#cites> ?b }"
    )
    data = construct.queryAndConvert()
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert len(graph) > 100

    xml = endpoint(live, SPARQLWrapper.RDFXML)
    xml.setQuery("DESCRIBE <" + next(iter(graph.subjects())) + ">")
    described = xml.queryAndConvert()
    assert isinstance(described, rdflib.Graph) and len(described) > 0
