"""A new build while the server runs: every worker switches to it together, never a mix."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx

from ckg_rdf.service import ServiceSettings
from tests.building import build_spine
from tests.service.conftest import CHROMIUM, ServerThread, free_port

COUNT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a ckg:Paper }"


def _corpus(sample: Path, dst: Path, rows: int) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    lines = (sample / "metadata.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (dst / "metadata.csv").write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return dst


def _count(c: httpx.Client) -> int:
    r = c.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    return int(r.text.split()[1])


def test_all_workers_serve_the_new_build_together(sample_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    build_spine(_corpus(sample_dir, tmp_path / "c1", 40), store, base_iri=url)
    settings = ServiceSettings(store=str(store), workers=2, reload_check_s=0.2)
    server = ServerThread(settings, port)
    server.start()
    try:
        with httpx.Client(base_url=url, timeout=30) as c:
            first = c.get("/").headers["x-ckg-build"]
            assert {_count(c) for _ in range(6)} == {40}
            shutil.rmtree(tmp_path / "c1")
            build_spine(_corpus(sample_dir, tmp_path / "c2", 55), store, base_iri=url)
            deadline = time.monotonic() + 30
            while c.get("/").headers["x-ckg-build"] == first:
                assert time.monotonic() < deadline, "the new build was never served"
                time.sleep(0.1)
            assert {_count(c) for _ in range(12)} == {55}
            page = c.get("/", headers={"Accept": CHROMIUM})
            assert page.headers["x-ckg-build"] != first
            assert page.headers["x-ckg-build"] in page.text  # the footer names the build
    finally:
        server.stop()
