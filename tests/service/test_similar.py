"""``GET /paper/{id}/similar`` and the "Similar papers" list of the paper page.

The reference is numpy brute force over the vectors stored in the graph, read
through the SPARQL endpoint and decoded here from the literal's documented
form (docs/embeddings.md: base64 of little-endian float32), not with the
package's own decoder.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from html import unescape

import httpx
import numpy as np
import pytest

from ckg_rdf.embed import embeddings_available
from ckg_rdf.embed.index import MAX_K
from ckg_rdf.service import ServiceSettings
from tests.building import build_spine
from tests.service.conftest import (
    CHROMIUM,
    SAMPLE,
    LiveServer,
    ServerThread,
    free_port,
    select,
)

#: what the index combines by default: semantic and kg parts, weights 1:1
PARTS = {"semantic": ("semantic",), "kg": ("kg",), "combined": ("semantic", "kg")}
CLASSES = {"semantic": "TextEmbedding", "kg": "GraphEmbedding"}
K = 10


def local(live: LiveServer, iri: str) -> str:
    return "/" + iri[len(live.url) :]


def paper_id(live: LiveServer, iri: str) -> str:
    return iri[len(live.url + "paper/") :]


@pytest.fixture(scope="module")
def vectors(client: httpx.Client) -> dict[str, dict[str, np.ndarray]]:
    """kind -> paper IRI -> unit vector, from the ckg:float32Vector literals in the graph."""
    if embeddings_available():
        pytest.skip(f"the [embed] extra is not installed: {embeddings_available()}")
    out: dict[str, dict[str, np.ndarray]] = {}
    for kind, cls in CLASSES.items():
        rows = select(
            client,
            f"""SELECT ?paper ?vector WHERE {{
                  ?paper ckg:hasEmbedding ?node . ?node a ckg:{cls} ; ckg:vector ?vector }}""",
        )
        vecs = {}
        for r in rows:
            v = np.frombuffer(base64.b64decode(r["vector"], validate=True), dtype="<f4")
            vecs[r["paper"]] = v.astype(np.float64) / np.linalg.norm(v)
        out[kind] = vecs
    assert out["semantic"] and out["kg"], "the build should store text and graph vectors"
    return out


@pytest.fixture(scope="module")
def ready(client: httpx.Client, sample_ids: dict[str, str], live: LiveServer) -> None:
    """Wait for the app's first index load (it starts in the background with the server)."""
    deadline = time.monotonic() + 120
    while True:
        r = client.get(f"/paper/{paper_id(live, sample_ids['paper'])}/similar")
        if r.status_code != 503 or time.monotonic() > deadline:
            assert r.status_code == 200, r.text
            return
        time.sleep(0.2)


def brute_force(vectors: dict[str, dict[str, np.ndarray]], query: str, mode: str) -> dict:
    """Cosine of ``query`` with every other paper in ``mode``, as docs/embeddings.md defines it.

    Combined: the mean of the per-part cosines over the parts the query has
    (a part the other paper lacks counts 0).
    """
    parts = [p for p in PARTS[mode] if query in vectors[p]]
    candidates = {iri for p in PARTS[mode] for iri in vectors[p]} - {query}
    scores = {}
    for c in candidates:
        total = sum(float(vectors[p][query] @ vectors[p][c]) for p in parts if c in vectors[p])
        scores[c] = total / len(parts)
    return scores


def query_papers(vectors: dict[str, dict[str, np.ndarray]], sample_ids: dict[str, str]) -> list:
    """The sample paper and a spread of others with both kinds of vector."""
    both = sorted(set(vectors["semantic"]) & set(vectors["kg"]))
    return [sample_ids["paper"], *both[:: max(1, len(both) // 4)][:4]]


@pytest.mark.parametrize("mode", ["semantic", "kg", "combined"])
def test_similar_matches_brute_force_over_the_stored_vectors(
    client: httpx.Client,
    live: LiveServer,
    vectors: dict,
    sample_ids: dict[str, str],
    ready: None,
    mode: str,
) -> None:
    for iri in query_papers(vectors, sample_ids):
        r = client.get(f"/paper/{paper_id(live, iri)}/similar", params={"k": K, "mode": mode})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["paper"] == iri and body["mode"] == mode and body["k"] == K
        results = body["results"]
        got = [x["paper"] for x in results]
        scores = [x["score"] for x in results]
        assert len(results) == K
        assert iri not in got, "a paper is never similar to itself"
        assert len(set(got)) == K
        assert scores == sorted(scores, reverse=True), "ranked by cosine, best first"
        expected = brute_force(vectors, iri, mode)
        for p, s in zip(got, scores, strict=True):
            assert s == pytest.approx(expected[p], abs=1e-4), p
        best = sorted(expected.values(), reverse=True)[:K]
        assert scores == pytest.approx(best, abs=1e-4), "the true top k (up to ties)"


def test_similar_names_models_and_titles(
    client: httpx.Client, live: LiveServer, sample_ids: dict[str, str], ready: None
) -> None:
    body = client.get(f"/paper/{paper_id(live, sample_ids['paper'])}/similar").json()
    assert body["mode"] == "hybrid" and body["k"] == 10 and len(body["results"]) == 10
    models = {
        r["kind"].rsplit("#", 1)[-1]: r["model"]
        for r in select(
            client,
            """SELECT DISTINCT ?kind ?model WHERE {
                 ?p ckg:hasEmbedding ?n . ?n a ?kind ; ckg:embeddingModel ?model }""",
        )
    }
    assert body["model"] == {"semantic": models["TextEmbedding"], "kg": models["GraphEmbedding"]}
    first = body["results"][0]
    title = select(client, f"SELECT ?t WHERE {{ <{first['paper']}> ckg:title ?t }}")
    assert first["title"] == (title[0]["t"] if title else None)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"k": 0}, "k"),
        ({"k": MAX_K + 1}, "k"),
        ({"k": 10**9}, "k"),
        ({"k": "ten"}, "k"),
        ({"mode": "bogus"}, "mode"),
    ],
)
def test_bad_k_or_mode_is_422_with_a_clear_message(
    client: httpx.Client, live: LiveServer, sample_ids: dict[str, str], params: dict, field: str
) -> None:
    r = client.get(f"/paper/{paper_id(live, sample_ids['paper'])}/similar", params=params)
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    assert error["loc"] == ["query", field]
    if field == "mode":
        assert "'hybrid', 'bm25', 'semantic', 'kg' or 'combined'" in error["msg"]
    elif params["k"] != "ten":
        assert str(1 if params["k"] < 1 else MAX_K) in error["msg"]


def test_unknown_paper_is_404(client: httpx.Client, vectors: dict, ready: None) -> None:
    r = client.get("/paper/no-such-paper/similar")
    assert r.status_code == 404
    assert "no-such-paper" in r.json()["detail"]


def test_openapi_documents_k_and_mode(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/paper/{paper_id}/similar"]["get"]
    params = {p["name"]: p["schema"] for p in op["parameters"]}
    assert params["k"]["minimum"] == 1 and params["k"]["maximum"] == MAX_K
    assert params["mode"]["enum"] == ["hybrid", "bm25", "semantic", "kg", "combined"]
    assert params["mode"]["default"] == "hybrid"
    assert {"200", "404", "422"} <= set(op["responses"])
    # the reasons are part of the documented response
    schemas = spec["components"]["schemas"]
    assert "reasons" in schemas["SimilarPaper"]["properties"]
    assert {"kind", "text", "contribution", "items"} <= set(schemas["ReasonOut"]["properties"])


KINDS = {"keywords", "text", "concepts", "topics", "co_cited", "cites_same", "cites", "cited_by"}


def test_hybrid_results_carry_reasons_backed_by_the_graph(
    client: httpx.Client, live: LiveServer, sample_ids: dict[str, str], ready: None
) -> None:
    paper = sample_ids["paper"]
    body = client.get(f"/paper/{paper_id(live, paper)}/similar", params={"k": 20}).json()
    results = body["results"]
    assert (
        body["mode"] == "hybrid"
        and len(results) == 20
        and paper not in [r["paper"] for r in results]
    )
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    cited = {r["o"] for r in select(client, f"SELECT ?o WHERE {{ <{paper}> ckg:cites ?o }}")}
    concepts = {
        r["c"] for r in select(client, f"SELECT ?c WHERE {{ <{paper}> ckg:associatedConcept ?c }}")
    }
    for r in results:
        assert r["reasons"], r
        kinds = [x["kind"] for x in r["reasons"]]
        assert set(kinds) <= KINDS | {"graph"}
        shares = [x["contribution"] for x in r["reasons"]]
        # shares of the score, rounded to 3 decimals
        assert all(c is not None and 0 <= c <= 1 for c in shares) and sum(shares) <= 1.005
        assert shares == sorted(shares, reverse=True), "strongest reason first"
        assert ("cites" in kinds) == (r["paper"] in cited)
        theirs = {
            x["c"]
            for x in select(
                client, f"SELECT ?c WHERE {{ <{r['paper']}> ckg:associatedConcept ?c }}"
            )
        }
        for reason in r["reasons"]:
            if reason["kind"] == "concepts":
                named = {i["iri"] for i in reason["items"]}
                assert named and named <= concepts & theirs
        assert ("concepts" in kinds) == bool(concepts & theirs)


def test_bm25_mode_and_cosine_modes_have_evidence_reasons(
    client: httpx.Client, live: LiveServer, sample_ids: dict[str, str], ready: None
) -> None:
    for mode in ("bm25", "semantic"):
        body = client.get(
            f"/paper/{paper_id(live, sample_ids['paper'])}/similar", params={"mode": mode}
        ).json()
        assert body["mode"] == mode and len(body["results"]) == 10
        scores = [r["score"] for r in body["results"]]
        assert scores == sorted(scores, reverse=True)
        for r in body["results"]:
            assert all(x["contribution"] is None for x in r["reasons"])


def test_paper_page_lists_similar_papers_as_links(
    client: httpx.Client, live: LiveServer, sample_ids: dict[str, str], ready: None
) -> None:
    paper = sample_ids["paper"]
    expected = client.get(f"/paper/{paper_id(live, paper)}/similar").json()["results"]
    r = client.get(paper, headers={"Accept": CHROMIUM})
    assert r.status_code == 200
    html = unescape(r.text)
    section = html.split('id="similar"')[1].split("</ol>")[0]
    for x in expected:
        link = f'href="{local(live, x["paper"])}"'
        assert link in section
        assert f"{x['score']:.3f}" in section.split(link)[1].split("</li>")[0]
    hrefs = [part.split('"')[0] for part in section.split('href="')[1:]]
    assert hrefs == [local(live, x["paper"]) for x in expected], "in rank order"
    # each listed paper says why (its strongest reasons, as the JSON gives them)
    for x in expected:
        item = section.split(f'href="{local(live, x["paper"])}"')[1]
        assert x["reasons"][0]["text"] in item.split('class="reason"', 2)[1]


# --- a store built without embeddings ----------------------------------------------
@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The sample built with papers and citations only, on its own server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    store = tmp_path_factory.mktemp("plain-store")
    build_spine(SAMPLE, store, base_iri=url)
    server = ServerThread(ServiceSettings(store=str(store), workers=1), port)
    server.start()
    try:
        with httpx.Client(base_url=url, timeout=30) as c:
            yield c
    finally:
        server.stop()


def test_store_without_embeddings_answers_404_and_the_page_omits_the_section(
    plain: httpx.Client,
) -> None:
    rows = select(plain, "SELECT ?p WHERE { ?p a ckg:Paper } ORDER BY ?p LIMIT 1")
    iri = rows[0]["p"]
    r = plain.get(f"/paper/{iri.rsplit('/', 1)[1]}/similar")
    assert r.status_code == 404, r.text
    assert "build it with embeddings" in r.json()["detail"]
    page = plain.get(iri, headers={"Accept": CHROMIUM})
    assert page.status_code == 200
    assert "<h1>" in page.text and 'id="similar"' not in page.text


# --- reloading when stale (the holder alone, with a stand-in pool) ------------------
class _Pool:
    """Answers IndexTask like a worker would, for a store whose fingerprint we set."""

    def __init__(self) -> None:
        self.fingerprint = "a"
        self.tasks: list[object] = []

    async def run(self, task: object, **kwargs: object) -> object:
        from ckg_rdf.service.tasks import IndexInfo

        self.tasks.append(task)
        if getattr(task, "known", None) == self.fingerprint:
            return IndexInfo(self.fingerprint)
        return IndexInfo(self.fingerprint, directory=f"/index-{self.fingerprint}")


def test_the_index_is_loaded_once_and_reloaded_when_the_store_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio
    from pathlib import Path

    from ckg_rdf.embed.index import SimilarityIndex
    from ckg_rdf.service.similar import SimilarIndexes

    loaded: list[str] = []

    def fake_load(directory: Path) -> str:
        loaded.append(directory.name)
        return directory.name

    monkeypatch.setattr(SimilarityIndex, "load", staticmethod(fake_load))

    async def scenario() -> None:
        pool = _Pool()
        holder = SimilarIndexes(pool, Path("/store"), check_interval_s=0.0)  # type: ignore[arg-type]
        assert await holder.get(5) == "index-a"
        await holder._task  # the recheck a get() may start
        assert await holder.get(5) == "index-a"
        await holder._task
        assert loaded == ["index-a"], "an unchanged store is not reloaded"
        pool.fingerprint = "b"  # new vectors written
        holder.start()
        await holder._task
        assert await holder.get(5) == "index-b"
        assert loaded[-1] == "index-b"

    asyncio.run(scenario())
