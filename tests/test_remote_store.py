"""One graph, any store: a build into an Oxigraph *server* over SPARQL 1.1 gives the same
named graphs as the embedded build, rebuilds add nothing, retraction works by graph, and
``ckg serve --store URL`` answers like the embedded server."""

from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from ckg_rdf.datadir import DataDir
from ckg_rdf.pipeline.steps import DEFAULT_STAGES
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphReader
from ckg_rdf.store.embedded import EmbeddedStore
from ckg_rdf.store.remote import RemoteStore
from ckg_rdf.vocab import CKG
from tests.building import build_graph, open_graph

pytest.importorskip("faiss")
if shutil.which("oxigraph") is None:
    pytest.skip("no oxigraph server binary (pip install oxigraph)", allow_module_level=True)

#: the same settings for both backends; cheap embeddings so the module stays quick
SETTINGS = {"embeddings.max_body_windows": 0, "embeddings.kge_epochs": 10}
#: literals that say *when* something was made, not what: they differ between any two builds
TIMES = {
    CKG.createdAt.value,
    "http://purl.org/dc/terms/modified",
    "http://www.w3.org/ns/prov#startedAtTime",
    "http://www.w3.org/ns/prov#endedAtTime",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _corpus(sample: Path, dst: Path, rows: int, parses: int) -> Path:
    dst.mkdir(parents=True)
    lines = (sample / "metadata.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (dst / "metadata.csv").write_text("".join(lines[: rows + 1]), encoding="utf-8")
    (dst / "pmc").mkdir()
    for f in sorted(sample.glob("*/*.json"))[:parses]:
        shutil.copyfile(f, dst / "pmc" / f.name)
    return dst


class OxigraphServer:
    def __init__(self, location: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/query"
        self.process = subprocess.Popen(
            ["oxigraph", "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url, params={"query": "ASK {}"}, timeout=2)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the oxigraph server did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def corpus(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _corpus(sample_dir, tmp_path_factory.mktemp("corpus") / "c", rows=120, parses=25)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    srv = OxigraphServer(tmp_path_factory.mktemp("oxigraph-server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def builds(corpus: Path, server: OxigraphServer, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    embedded = tmp_path_factory.mktemp("embedded")
    local = tmp_path_factory.mktemp("remote-local")
    first = build_graph(corpus, embedded, **SETTINGS)
    remote = build_graph(corpus, server.url, **{"store.data_dir": str(local), **SETTINGS})
    again = build_graph(corpus, server.url, **{"store.data_dir": str(local), **SETTINGS})
    return embedded, local, first, remote, again


def _graph_sets(store: GraphReader) -> dict[str, set[tuple[str, str, str]]]:
    out: dict[str, set[tuple[str, str, str]]] = {}
    for graph in store.graphs():
        rows = store.query(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}",
            default_graph=[],
            named_graphs=[graph],
        )
        out[graph.value] = {
            (str(r["s"]), str(r["p"]), "(a time)" if r["p"].value in TIMES else str(r["o"]))
            for r in rows  # type: ignore[union-attr]
        }
    return out


def test_the_remote_build_gives_the_embedded_build_graph_for_graph(builds, server) -> None:  # type: ignore[no-untyped-def]
    embedded, _, first, remote, _ = builds
    local_sets = _graph_sets(open_graph(embedded))
    remote_sets = _graph_sets(RemoteStore(server.url))
    assert set(local_sets) == set(remote_sets)
    iris = IriScheme()
    for name in ("papers", "concepts", "citations", "embeddings", "provenance"):
        assert iris.graph(name).value in local_sets, name
    for graph, triples in local_sets.items():
        if graph.endswith("/provenance"):
            # the activity ids name the run; what was made and how is the same
            assert len(triples) == len(remote_sets[graph])
            continue
        assert triples == remote_sets[graph], graph
    assert first.papers_read == remote.papers_read == 145


def test_a_second_remote_build_adds_nothing(builds, server) -> None:  # type: ignore[no-untyped-def]
    _, _, _, remote, again = builds
    assert again.papers_written == 0
    assert again.triples_after == remote.triples_after
    # nothing changed, so no stage runs again: not even those that describe the whole store
    assert remote.skipped_stages == []
    assert set(again.skipped_stages) == set(DEFAULT_STAGES)


def _neutralise(corpus: Path, cord_uid: str) -> None:
    """Give one paper a title and abstract that name no concept at all."""
    path = corpus / "metadata.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("cord_uid")] == cord_uid:
            row[header.index("title")] = "A renamed note"
            row[header.index("abstract")] = "Nothing to see here."
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.mark.parametrize("backend", ["embedded", "remote"])
def test_a_changed_papers_old_concept_links_disappear_on_rebuild(  # type: ignore[no-untyped-def]
    backend: str, sample_dir: Path, tmp_path: Path, server
) -> None:
    corpus = _corpus(sample_dir, tmp_path / "c", rows=5, parses=0)
    base = f"http://retraction-{backend}.test/"
    if backend == "embedded":
        target, extra = str(tmp_path / "store"), {}
    else:
        target, extra = server.url, {"store.data_dir": str(tmp_path / "local")}
    settings = {"embeddings.enabled": False, **extra}

    def graph() -> GraphReader:
        return open_graph(tmp_path / "store") if backend == "embedded" else RemoteStore(target)

    iris = IriScheme(base)
    paper = "ug7v899j"
    links = f"SELECT ?c WHERE {{ {iris.paper(paper)} ckg:associatedConcept ?c }}"
    annotations = f"SELECT ?a WHERE {{ ?a oa:hasTarget {iris.paper(paper)} }}"
    build_graph(corpus, target, base_iri=base, **settings)
    store = graph()
    assert list(store.query(links)) and list(store.query(annotations))
    store.close()
    _neutralise(corpus, paper)
    report = build_graph(corpus, target, base_iri=base, **settings)
    assert report.papers_written == 1
    store = graph()
    assert list(store.query(links)) == []
    assert list(store.query(annotations)) == []
    assert bool(store.query(f'ASK {{ {iris.paper(paper)} ckg:title "A renamed note" }}'))
    store.close()


def test_serving_from_the_remote_store_answers_like_the_embedded_one(builds, server) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from ckg_rdf.service import ServiceSettings, create_app

    embedded, local, *_ = builds
    paper = open_graph(embedded).query(
        "SELECT ?p WHERE { ?p ckg:cites ?x ; ckg:hasEmbedding ?e } ORDER BY ?p LIMIT 1"
    )
    iri = next(iter(paper))["p"].value
    path = "/" + iri.split("/", 3)[3]
    pid = iri.rsplit("/", 1)[1]
    query = {"query": "SELECT ?p ?t WHERE { ?p a ckg:Paper ; ckg:title ?t } ORDER BY ?p LIMIT 20"}
    answers = []
    for settings in (
        ServiceSettings(store=str(embedded), workers=1),
        ServiceSettings(store=server.url, data_dir=str(local), workers=1),
    ):
        with TestClient(create_app(settings)) as client:
            rows = client.get("/sparql", params=query, headers={"Accept": "text/csv"})
            page = client.get(path, headers={"Accept": "text/html"})
            ttl = client.get(path, headers={"Accept": "application/n-triples"})
            similar = None
            for _ in range(60):  # the index loads in the background
                r = client.get(f"/paper/{pid}/similar", params={"k": 5})
                if r.status_code != 503:
                    similar = r
                    break
                time.sleep(0.5)
            assert similar is not None and similar.status_code == 200, similar
            answers.append(
                (
                    rows.text,
                    page.status_code,
                    sorted(ttl.text.splitlines()),
                    similar.json()["results"],
                )
            )
            assert "<h1>" in page.text
    assert answers[0] == answers[1]


def test_both_stores_describe_each_kind_of_resource_alike(builds, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The embedded store describes by index lookups, a remote one by the generated query: on
    the same quads (the remote store's, copied into an embedded one) they agree."""
    remote = RemoteStore(server.url)
    dump = tmp_path / "remote.nq"
    remote.export(dump, "nq")
    local = EmbeddedStore(None)
    local.add(parse(path=str(dump), format=RdfFormat.N_QUADS))
    for kind in ("Paper", "Author", "Institution", "Concept", "Topic"):
        rows = local.query(f"SELECT ?r WHERE {{ ?r a ckg:{kind} }} ORDER BY ?r LIMIT 5")
        resources = [r["r"] for r in rows]  # type: ignore[union-attr]
        assert resources, kind
        for resource in resources:
            here, there = local.describe(resource), remote.describe(resource)
            assert here and sorted(map(str, here)) == sorted(map(str, there)), resource


def test_ckg_embed_uses_the_builds_base_iri(sample_dir: Path, tmp_path: Path) -> None:
    """The old bug: 'ckg embed' on a store built with another base wrote orphan vectors."""
    from tests.clitools import ckg

    corpus = _corpus(sample_dir, tmp_path / "c", rows=40, parses=5)
    store = tmp_path / "store"
    build_graph(corpus, store, base_iri="https://example.org/kg/", **{"embeddings.enabled": False})
    done = ckg("embed", "--store", str(store), "--max-body-windows", "0", "--epochs", "3")
    assert done.returncode == 0, done.stderr
    graph = open_graph(store)
    vectors = list(graph.query("SELECT ?p WHERE { ?p ckg:hasEmbedding ?e }"))
    assert len(vectors) >= 45
    assert all(r["p"].value.startswith("https://example.org/kg/paper/") for r in vectors)
    orphans = graph.query("ASK { ?p ckg:hasEmbedding ?e FILTER NOT EXISTS { ?p a ckg:Paper } }")
    assert not bool(orphans)
    assert isinstance(DataDir(store).recorded_config().base_iri, str)  # type: ignore[union-attr]
    assert NamedNode("https://example.org/kg/graph/embeddings") in graph.graphs()
