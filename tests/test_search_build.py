"""The build keeps the full-text index in step with the graph, and only writes what changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckg_rdf.datadir import DataDir
from ckg_rdf.pipeline.build import BuildReport
from ckg_rdf.search import Searcher, SearchIndex, SearchRequest
from ckg_rdf.store import GraphReader
from tests.building import build_graph, open_graph

#: what the search needs (no vectors, no topic model: quicker)
STEPS = ("papers", "affiliations", "concepts", "search-texts")
STAGES = ("citations", "pagerank", "search")


def _count(store: GraphReader, cls: str) -> int:
    rows = list(store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ckg:{cls} }}"))
    return int(rows[0]["n"].value)  # type: ignore[index]


def test_the_index_has_a_document_for_every_resource(
    built_sample: tuple[Path, BuildReport], sample_store: GraphReader
) -> None:
    store_dir, report = built_sample
    assert report.steps["search"]["documents"] > 0
    with SearchIndex(DataDir(store_dir).search_file) as index:
        counts = index.kind_counts()
        for kind, cls in (
            ("paper", "Paper"),
            ("author", "Author"),
            ("institution", "Institution"),
            ("concept", "Concept"),
            ("topic", "Topic"),
        ):
            assert counts.get(kind, 0) == _count(sample_store, cls), kind
        # a paper's document: its title, its concepts' labels, citations and topics
        row = next(
            iter(
                sample_store.query(
                    "SELECT ?p ?t ?n WHERE { ?p ckg:title ?t ; ckg:citationCount ?n ; "
                    "ckg:associatedTopic ?topic ; ckg:associatedConcept ?c } "
                    "ORDER BY DESC(?n) ?p LIMIT 1"
                )
            )
        )
        paper = row["p"].value  # type: ignore[index]
        doc = index.get(paper)
        assert doc is not None
        assert doc.label == row["t"].value  # type: ignore[index]
        assert doc.popularity == float(row["n"].value)  # type: ignore[index]
        labels = {
            r["l"].value  # type: ignore[index]
            for r in sample_store.query(
                f"SELECT ?l WHERE {{ <{paper}> ckg:associatedConcept ?c . ?c skos:prefLabel ?l }}"
            )
        }
        assert labels and all(label in doc.concepts for label in labels)
        topics = {
            r["t"].value  # type: ignore[index]
            for r in sample_store.query(f"SELECT ?t WHERE {{ <{paper}> ckg:associatedTopic ?t }}")
        }
        assert {v for f, v in doc.facets if f == "topic"} == topics


def test_the_build_indexes_incrementally(sample_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    settings = {"topics.enabled": False, "embeddings.enabled": False}
    first = build_graph(sample_dir, store, steps=STEPS, stages=STAGES, limit=40, **settings)
    assert first.steps["search-texts"]["papers indexed"] == 40
    total = first.steps["search"]["documents"]
    search_file = DataDir(store).search_file
    assert Searcher(search_file).search(SearchRequest("virus")).total > 0

    again = build_graph(sample_dir, store, steps=STEPS, stages=STAGES, limit=40, **settings)
    assert "search" in again.skipped_stages  # nothing it reads changed
    assert "search-texts" not in again.steps or not again.steps["search-texts"]

    more = build_graph(sample_dir, store, steps=STEPS, stages=STAGES, limit=60, **settings)
    assert more.steps["search-texts"]["papers indexed"] == 20
    grown = more.steps["search"]
    assert grown["documents"] > total
    # the stage rewrites only documents that changed (new papers' authors, counts that moved)
    assert grown["documents written"] < grown["documents"]
    graph = open_graph(store)
    with SearchIndex(search_file) as index:
        assert index.kind_counts()["paper"] == _count(graph, "Paper") == 60
    graph.close()  # type: ignore[attr-defined]

    # a lost index file is rebuilt from the store
    for f in search_file.parent.glob(search_file.name + "*"):
        f.unlink()
    rebuilt = build_graph(sample_dir, store, steps=STEPS, stages=STAGES, limit=60, **settings)
    assert rebuilt.steps["search"]["papers indexed from the store"] == 60
    assert rebuilt.steps["search"]["documents"] == grown["documents"]


@pytest.mark.parametrize("q", ["coronavirus", "influenza virus"])
def test_search_answers_on_the_sample(built_sample: tuple[Path, BuildReport], q: str) -> None:
    r = Searcher(DataDir(built_sample[0]).search_file).search(SearchRequest(q, group=3))
    assert r.total > 10 and r.hits and r.took_ms < 1000
