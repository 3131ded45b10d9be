"""PageRank with igraph agrees with networkx (the reference) on the sample's real citations."""

from __future__ import annotations

import sqlite3

import networkx as nx
import pytest

from ckg_rdf.corpus.layout import CorpusLayout
from ckg_rdf.corpus.reader import read_corpus
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.citations import CitationIndex
from ckg_rdf.rank import pagerank
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def sample_graph() -> tuple[list[str], list[tuple[str, str]]]:
    """Every paper of the bundled sample and its resolved ckg:cites edges."""
    papers = [r for r in read_corpus(CorpusLayout.discover(SAMPLE)) if isinstance(r, PaperRecord)]
    index = CitationIndex(sqlite3.connect(":memory:"))
    index.add_papers(papers)
    edges = [(r.citing, r.cited) for r in index.resolve()]
    return [p.paper_id for p in papers], edges


def test_pagerank_matches_networkx_on_the_sample_citations(
    sample_graph: tuple[list[str], list[tuple[str, str]]],
) -> None:
    nodes, edges = sample_graph
    assert len(set(edges)) > 50  # the sample has real citations between its papers
    ours = pagerank(edges, nodes=nodes)
    reference_graph = nx.DiGraph()
    reference_graph.add_nodes_from(nodes)
    reference_graph.add_edges_from(edges)
    reference = nx.pagerank(reference_graph, alpha=0.85, tol=1e-12, max_iter=1000)
    assert ours.keys() == reference.keys()
    assert max(abs(ours[k] - reference[k]) for k in ours) < 1e-9
    assert sum(ours.values()) == pytest.approx(1.0)
    top = sorted(ours, key=lambda k: (-ours[k], k))[:20]
    assert top == sorted(reference, key=lambda k: (-reference[k], k))[:20]


def test_repeated_edges_count_once_and_isolated_papers_have_a_score() -> None:
    scores = pagerank([("a", "b"), ("a", "b"), ("c", "b"), ("b", "b")], nodes=["z"])
    again = pagerank([("a", "b"), ("c", "b")], nodes=["z"])
    assert scores == again
    assert scores["b"] == max(scores.values())
    assert scores["z"] == pytest.approx(scores["a"])  # no in-links: teleport share only
    assert pagerank([]) == {}
