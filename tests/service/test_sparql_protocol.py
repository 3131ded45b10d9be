"""The SPARQL 1.1 Protocol at /sparql, checked with parsers independent of pyoxigraph."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import httpx
import pytest
import rdflib

from tests.service.conftest import MAX_ROWS, TIMEOUT_S, LiveServer, select

SRX = "{http://www.w3.org/2005/sparql-results#}"
PAPERS = (
    "SELECT ?paper ?title WHERE { ?paper a ckg:Paper ; ckg:title ?title } ORDER BY ?paper LIMIT 5"
)
GRAPH = "CONSTRUCT { ?p ckg:cites ?q } WHERE { ?p ckg:cites ?q } ORDER BY ?p ?q LIMIT 20"


def _json_rows(body: bytes) -> list[tuple[str, str]]:
    data = json.loads(body)
    assert data["head"]["vars"] == ["paper", "title"]
    return [(b["paper"]["value"], b["title"]["value"]) for b in data["results"]["bindings"]]


def _xml_rows(body: bytes) -> list[tuple[str, str]]:
    root = ET.fromstring(body)
    rows = []
    for result in root.iter(f"{SRX}result"):
        cells = {b.get("name"): "".join(b.itertext()) for b in result.iter(f"{SRX}binding")}
        rows.append((cells["paper"], cells["title"]))
    return rows


def _csv_rows(body: bytes) -> list[tuple[str, str]]:
    reader = csv.reader(io.StringIO(body.decode()))
    assert next(reader) == ["paper", "title"]
    return [(r[0], r[1]) for r in reader]


def _tsv_rows(body: bytes) -> list[tuple[str, str]]:
    lines = body.decode().splitlines()
    assert lines[0].split("\t") == ["?paper", "?title"]
    rows = []
    for line in lines[1:]:
        iri, lit = line.split("\t")
        rows.append((iri.strip("<>"), json.loads(lit)))  # TSV literals are quoted, JSON-like
    return rows


RESULT_PARSERS = {
    "application/sparql-results+json": _json_rows,
    "application/sparql-results+xml": _xml_rows,
    "text/csv": _csv_rows,
    "text/tab-separated-values": _tsv_rows,
}


@pytest.mark.parametrize("media_type", list(RESULT_PARSERS))
def test_select_in_every_result_format(client: httpx.Client, media_type: str) -> None:
    r = client.get("/sparql", params={"query": PAPERS}, headers={"Accept": media_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media_type)
    assert "accept" in r.headers["vary"].lower()
    rows = RESULT_PARSERS[media_type](r.content)
    assert len(rows) == 5
    expected = _json_rows(client.get("/sparql", params={"query": PAPERS, "format": "json"}).content)
    assert rows == expected


def test_the_three_query_forms_agree(client: httpx.Client) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    via_get = client.get("/sparql", params={"query": PAPERS}, headers=accept)
    via_form = client.post("/sparql", data={"query": PAPERS}, headers=accept)
    via_body = client.post(
        "/sparql",
        content=PAPERS.encode(),
        headers={**accept, "Content-Type": "application/sparql-query"},
    )
    for r in (via_get, via_form, via_body):
        assert r.status_code == 200, r.text
    assert (
        _json_rows(via_get.content) == _json_rows(via_form.content) == _json_rows(via_body.content)
    )


@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_in_every_rdf_format(
    client: httpx.Client, media_type: str, rdflib_format: str
) -> None:
    r = client.get("/sparql", params={"query": GRAPH}, headers={"Accept": media_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media_type)
    graph = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    cites = rdflib.URIRef("https://w3id.org/ckg-rdf/ontology#cites")
    expected = select(client, "SELECT ?p ?q WHERE { ?p ckg:cites ?q } ORDER BY ?p ?q LIMIT 20")
    assert {(str(s), str(o)) for s, o in graph.subject_objects(cites)} == {
        (row["p"], row["q"]) for row in expected
    }
    assert len(graph) == len(expected)


def test_describe_returns_the_resource(client: httpx.Client, sample_ids: dict[str, str]) -> None:
    paper = sample_ids["paper"]
    r = client.get("/sparql", params={"query": f"DESCRIBE <{paper}>", "format": "nt"})
    assert r.status_code == 200, r.text
    graph = rdflib.Graph().parse(data=r.content, format="nt")
    assert (rdflib.URIRef(paper), None, None) in graph


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask(client: httpx.Client, fmt: str) -> None:
    r = client.get("/sparql", params={"query": "ASK { ?p a ckg:Paper }", "format": fmt})
    assert r.status_code == 200, r.text
    if fmt == "json":
        assert r.json()["boolean"] is True
    else:
        assert ET.fromstring(r.content).find(f"{SRX}boolean").text == "true"


def test_accept_q_values_and_format_override(client: httpx.Client) -> None:
    r = client.get(
        "/sparql",
        params={"query": PAPERS},
        headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"},
    )
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = client.get(
        "/sparql", params={"query": PAPERS, "format": "tsv"}, headers={"Accept": "text/csv"}
    )
    assert r.headers["content-type"].startswith("text/tab-separated-values")


def test_default_and_named_graph_uris_are_honoured(client: httpx.Client) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(select(client, query)[0]["n"]) > 0
    r = client.get(
        "/sparql",
        params={"query": query, "default-graph-uri": "http://example.org/no-such-graph"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "0"
    r = client.post(
        "/sparql",
        data={
            "query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
            "named-graph-uri": "http://example.org/no-such-graph",
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []


def test_malformed_query_is_400_with_the_parser_message(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELEKT ?x WHERE { ?x ?y ?z }"})
    assert r.status_code == 400
    assert "does not parse" in r.text and "1:" in r.text  # the parser's position
    assert "Traceback" not in r.text


def test_unacceptable_accept_is_406(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": PAPERS}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.text
    r = client.get("/sparql", params={"query": GRAPH, "format": "csv"})
    assert r.status_code == 406


def test_update_is_refused_with_403(client: httpx.Client) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 'c' }"
    r = client.post("/sparql", data={"update": update})
    assert r.status_code == 403 and "read-only" in r.text
    r = client.post(
        "/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    assert r.status_code == 403
    assert select(client, "SELECT ?o WHERE { <http://example.org/a> ?p ?o }") == []
    # an update sent as a query is simply not a query
    assert client.get("/sparql", params={"query": update}).status_code == 400


def test_service_is_refused_with_403(client: httpx.Client) -> None:
    r = client.get(
        "/sparql",
        params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
    )
    assert r.status_code == 403 and "SERVICE" in r.text


def test_wrong_content_type_is_415(client: httpx.Client) -> None:
    r = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 415


def test_row_cap_gives_a_clear_error(client: httpx.Client) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422
    assert f"{MAX_ROWS:,}" in r.text and "LIMIT" in r.text


def test_runaway_query_times_out_and_the_server_recovers(client: httpx.Client) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    start = time.monotonic()
    r = client.get("/sparql", params={"query": runaway})
    elapsed = time.monotonic() - start
    assert r.status_code == 503
    assert "longer than" in r.text
    assert elapsed < TIMEOUT_S + 2
    # the killed worker is replaced: the endpoint keeps answering
    for _ in range(4):
        assert select(client, "SELECT ?p WHERE { ?p a ckg:Paper } LIMIT 1")


def test_service_description(client: httpx.Client, live: LiveServer) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoints = set(g.objects(None, sd.endpoint))
    assert endpoints == {rdflib.URIRef(live.url + "sparql")}
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in g
    # a browser asking for the endpoint is sent to the query page
    r = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/query"


def test_void_has_the_real_counts(client: httpx.Client, live: LiveServer) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = rdflib.URIRef(live.url + ".well-known/void#dataset")
    total = int(select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    assert int(g.value(dataset, void.triples)) == total
    assert g.value(dataset, void.sparqlEndpoint) == rdflib.URIRef(live.url + "sparql")
    papers = int(
        select(client, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ckg:Paper }")[0]["n"]
    )
    partitions = {
        g.value(part, void["class"]): int(g.value(part, void.entities))
        for part in g.objects(dataset, void.classPartition)
    }
    assert partitions[rdflib.URIRef("https://w3id.org/ckg-rdf/ontology#Paper")] == papers
