"""With --allow-update the endpoint accepts SPARQL Update (on a copy of the store)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from ckg_rdf.service import Settings, create_app
from tests.service.conftest import LiveServer


def test_updates_apply_when_allowed(live: LiveServer, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(live.store, store)
    settings = Settings(store=store, allow_update=True, timeout_s=10, workers=2)
    ask = {"query": "ASK { <http://example.org/a> <http://example.org/b> 'c' }", "format": "json"}
    with TestClient(create_app(settings)) as client:
        assert client.get("/sparql", params=ask).json()["boolean"] is False
        r = client.post(
            "/sparql",
            content=b"INSERT DATA { <http://example.org/a> <http://example.org/b> 'c' }",
            headers={"Content-Type": "application/sparql-update"},
        )
        assert r.status_code == 200, r.text
        assert client.get("/sparql", params=ask).json()["boolean"] is True
        bad = client.post("/sparql", data={"update": "INSERT NOTHING"})
        assert bad.status_code == 400
        sd = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
        assert "SPARQL11Update" in sd
