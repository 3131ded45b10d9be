"""With --allow-update the endpoint accepts SPARQL Update: with its token, from its own origin,
and never to fetch a URL (on a copy of the store)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ckg_rdf.service import ServiceSettings, create_app
from tests.service.conftest import LiveServer

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
INSERT = b"INSERT DATA { <http://example.org/a> <http://example.org/b> 'c' }"
ASK = {"query": "ASK { <http://example.org/a> <http://example.org/b> 'c' }", "format": "json"}


@pytest.fixture
def client(live: LiveServer, tmp_path: Path) -> Iterator[TestClient]:
    store = tmp_path / "store"
    shutil.copytree(live.store, store)
    settings = ServiceSettings(
        store=str(store), allow_update=True, update_token=TOKEN, timeout_s=10, workers=2
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_updates_apply_with_the_token(client: TestClient) -> None:
    assert client.get("/sparql", params=ASK).json()["boolean"] is False
    r = client.post(
        "/sparql",
        content=INSERT,
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert r.status_code == 200, r.text
    assert client.get("/sparql", params=ASK).json()["boolean"] is True
    bad = client.post("/sparql", data={"update": "INSERT NOTHING"}, headers=AUTH)
    assert bad.status_code == 400
    sd = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert "SPARQL11Update" in sd


def test_an_update_without_the_token_is_refused(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        r = client.post(
            "/sparql",
            content=INSERT,
            headers={"Content-Type": "application/sparql-update", **headers},
        )
        assert r.status_code == 403 and "token" in r.text
    assert client.get("/sparql", params=ASK).json()["boolean"] is False


def test_a_cross_origin_form_post_cannot_update(client: TestClient) -> None:
    r = client.post(
        "/sparql",
        data={"update": INSERT.decode()},
        headers={"Origin": "http://evil.invalid", **AUTH},
    )
    assert r.status_code == 403 and "cross-origin" in r.text
    assert client.get("/sparql", params=ASK).json()["boolean"] is False


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "LOAD SILENT <http://127.0.0.1:9/x> INTO GRAPH <http://example.org/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "PREFIX e: <http://127.0.0.1:9/> INSERT { ?s ?p ?o } WHERE { SERVICE e:x { ?s ?p ?o } }",
    ],
)
def test_updates_cannot_fetch_urls(client: TestClient, update: str) -> None:
    r = client.post(
        "/sparql",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert r.status_code == 403, r.text
    assert "127.0.0.1:9" in r.text


def test_a_document_names_no_version_while_updates_can_change_it(client: TestClient) -> None:
    query = {"query": "SELECT ?p WHERE { ?p a ckg:Paper } ORDER BY ?p LIMIT 1", "format": "json"}
    iri = client.get("/sparql", params=query).json()["results"]["bindings"][0]["p"]["value"]
    path = "/" + iri.split("/", 3)[3]
    r = client.get(path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "etag" not in r.headers
