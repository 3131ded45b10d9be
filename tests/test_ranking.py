"""Rankings and topics on the bundled sample, checked against figures computed here.

Citation counts come from the raw files (``tests.rawsample``: the citation rule
re-implemented without ckg_rdf); topic and concept membership is read from the graph
with plain queries; PageRank is checked against networkx on the raw edges.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from ckg_rdf.rank.ranking import RankRequest, ranking_query
from ckg_rdf.rank.run import RankSpec, run_ranking
from tests.rawsample import expected_citations, read_sample

BASE = "http://localhost:8000/"


@pytest.fixture(scope="module")
def edges(sample_dir: Path) -> set[tuple[str, str]]:
    return expected_citations(read_sample(sample_dir))


def _members(store, predicate: str, node: str) -> set[str]:  # type: ignore[no-untyped-def]
    rows = store.query(f"SELECT ?p WHERE {{ ?p ckg:{predicate} <{node}> }}")
    return {r["p"].value.rsplit("/", 1)[1] for r in rows}


def _expected(edges, papers, citing=None) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    counts = Counter(b for a, b in edges if citing is None or a in citing)
    return sorted(((p, counts[p]) for p in papers), key=lambda x: (-x[1], x[0]))


def _ranked(store, **spec) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    result = run_ranking(store, RankSpec(k=1000, **spec))
    return [(r.paper.rsplit("/", 1)[1], r.citations) for r in result.rows]


def _counts_match(got: list[tuple[str, int]], want: list[tuple[str, int]]) -> None:
    # the same papers with the same counts, in non-increasing order (ties broken by PageRank)
    assert dict(got) == dict(want)
    assert [c for _, c in got] == sorted((c for _, c in got), reverse=True)


def test_plain_ranking_counts_every_in_corpus_citation(sample_store, edges) -> None:  # type: ignore[no-untyped-def]
    papers = {
        r["p"].value.rsplit("/", 1)[1]
        for r in sample_store.query("SELECT ?p WHERE { ?p a ckg:Paper }")
    }
    got = _ranked(sample_store)
    want = _expected(edges, papers)[: len(got)]
    assert dict(got) == {p: c for p, c in _expected(edges, papers) if p in dict(got)}
    assert got[0][1] == want[0][1] == max(Counter(b for _, b in edges).values())


def test_ranking_papers_on_a_topic(sample_store, edges) -> None:  # type: ignore[no-untyped-def]
    on_topic = _members(sample_store, "associatedTopic", BASE + "topic/epidemiology")
    assert on_topic
    _counts_match(_ranked(sample_store, topics=("epidemiology",)), _expected(edges, on_topic))


def test_ranking_papers_with_all_of_two_concepts(sample_store, edges) -> None:  # type: ignore[no-untyped-def]
    covid = _members(sample_store, "associatedConcept", BASE + "concept/ckg-covid-19")
    pneumonia = _members(sample_store, "associatedConcept", BASE + "concept/hp-0002090")
    both = covid & pneumonia
    assert both
    got = _ranked(sample_store, concepts=("COVID-19", "pneumonia"))
    _counts_match(got, _expected(edges, both))


def test_counting_only_citations_from_a_topic_or_a_concept(sample_store, edges) -> None:  # type: ignore[no-untyped-def]
    papers = {
        r["p"].value.rsplit("/", 1)[1]
        for r in sample_store.query("SELECT ?p WHERE { ?p a ckg:Paper }")
    }
    epi = _members(sample_store, "associatedTopic", BASE + "topic/epidemiology")
    got = _ranked(sample_store, citing_topics=("epidemiology",))
    assert got, "epidemiology papers cite someone in the sample"
    _counts_match(got, _expected(edges, papers, citing=epi)[: len(got)])
    covid = _members(sample_store, "associatedConcept", BASE + "concept/ckg-covid-19")
    either = epi | covid
    got = _ranked(sample_store, citing_topics=("epidemiology",), citing_concepts=("covid-19",))
    _counts_match(got, _expected(edges, papers, citing=either)[: len(got)])


def test_pagerank_agrees_with_networkx_on_the_raw_edges(sample_store, edges) -> None:  # type: ignore[no-untyped-def]
    nx = pytest.importorskip("networkx")
    papers = {
        r["p"].value.rsplit("/", 1)[1]
        for r in sample_store.query("SELECT ?p WHERE { ?p a ckg:Paper }")
    }
    graph = nx.DiGraph()
    graph.add_nodes_from(papers)
    graph.add_edges_from(edges)
    reference = nx.pagerank(graph, alpha=0.85, tol=1e-12)
    stored = {
        r["p"].value.rsplit("/", 1)[1]: float(r["r"].value)
        for r in sample_store.query("SELECT ?p ?r WHERE { ?p ckg:pageRank ?r }")
    }
    assert set(stored) == papers
    for pid, score in reference.items():
        assert stored[pid] == pytest.approx(score, rel=1e-6, abs=1e-12)
    counts = Counter(b for _, b in edges)
    stored_counts = {
        r["p"].value.rsplit("/", 1)[1]: int(r["n"].value)
        for r in sample_store.query("SELECT ?p ?n WHERE { ?p ckg:citationCount ?n }")
    }
    assert stored_counts == {p: counts[p] for p in papers}


def test_by_pagerank_orders_by_the_stored_score(sample_store) -> None:  # type: ignore[no-untyped-def]
    rows = run_ranking(sample_store, RankSpec(by="pagerank", k=10)).rows
    scores = [r.page_rank for r in rows]
    assert scores == sorted(scores, reverse=True) and len(rows) == 10


def test_parameters_never_change_the_query_structure() -> None:
    query = ranking_query(RankRequest(topics=(NamedNode("http://x/t?a=b#c"),)))
    assert "<http://x/t?a=b#c>" in query
    with pytest.raises(ValueError):
        NamedNode("http://x/> } DROP ALL {")


def test_every_paper_with_text_has_a_topic_or_is_counted_as_without(built_sample) -> None:  # type: ignore[no-untyped-def]
    store, report = built_sample
    topics = report.steps["topics"]
    assert topics["topics"] == 10
    assert (
        topics["papers linked to a topic"] + topics["papers without a topic"]
        == (topics["papers assigned now"])
    )
    assert topics["papers assigned now"] == report.papers_read
    assert any("without a topic" in note for note in report.notes)
