"""The rank places the build stores (``ckg:citationPosition``, ``ckg:pageRankPosition``)
are the orders of the stored counts and scores, and every whole-corpus ranking read from
them answers exactly what sorting every paper answers."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from ckg_rdf.queries import named_queries
from ckg_rdf.rank import run
from ckg_rdf.rank.positions import every_place_stored
from ckg_rdf.rank.ranking import RankRequest, filter_nodes, ranking_query
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG

BASE = "http://localhost:8000/"
OLD_MOST_CITED = """
PREFIX ckg: <https://w3id.org/ckg-rdf/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?paper ?title (COUNT(DISTINCT ?citing) AS ?citations)
WHERE { ?citing ckg:cites ?paper . ?paper rdfs:label ?title . }
GROUP BY ?paper ?title ORDER BY DESC(?citations) ?title LIMIT 20
"""
OLD_TOP_PAGERANK = """
PREFIX ckg: <https://w3id.org/ckg-rdf/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?paper ?title ?pageRank ?citations
WHERE { ?paper ckg:pageRank ?pageRank ; ckg:citationCount ?citations .
        OPTIONAL { ?paper rdfs:label ?title } }
ORDER BY DESC(?pageRank) ?paper LIMIT 20
"""


def _rows(store: GraphReader, query: str) -> list[tuple[str | None, ...]]:
    result = store.query(query)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [tuple(r[n].value if r[n] is not None else None for n in names) for r in result]


def test_the_places_are_the_orders_of_the_stored_values(sample_store: GraphReader) -> None:
    values = {
        p: (int(c), float(r), cp, rp)
        for p, c, r, cp, rp in _rows(
            sample_store,
            f"SELECT ?p ?c ?r ?cp ?rp WHERE {{ ?p {CKG.citationCount} ?c ; {CKG.pageRank} ?r "
            f"OPTIONAL {{ ?p {CKG.citationPosition} ?cp }} "
            f"OPTIONAL {{ ?p {CKG.pageRankPosition} ?rp }} }}",
        )
    }
    assert len(values) > 500  # every paper of the sample
    by_citations = sorted(values, key=lambda p: (-values[p][0], -values[p][1], p))
    by_pagerank = sorted(values, key=lambda p: (-values[p][1], -values[p][0], p))
    assert [int(values[p][2]) for p in by_citations] == list(range(1, len(values) + 1))
    assert [int(values[p][3]) for p in by_pagerank] == list(range(1, len(values) + 1))


@pytest.mark.parametrize("by", ["citations", "pagerank"])
@pytest.mark.parametrize(("k", "offset"), [(20, 0), (50, 30)])
def test_a_whole_corpus_ranking_reads_the_places_and_answers_the_same(
    sample_store: GraphReader, by: str, k: int, offset: int
) -> None:
    request = RankRequest(by=by, k=k, offset=offset)
    placed = ranking_query(request, positions=True)
    assert "Position" in placed
    assert _rows(sample_store, placed) == _rows(sample_store, ranking_query(request))


def test_the_named_rankings_answer_as_the_full_sorts(sample_store: GraphReader) -> None:
    queries = named_queries()
    most_cited = _rows(sample_store, queries["most-cited-papers"].text)
    old = _rows(sample_store, OLD_MOST_CITED)
    # the same counts in the same order; ties may be broken differently (PageRank, not title)
    assert [int(r[2]) for r in most_cited] == [int(r[2]) for r in old]
    assert {r[0] for r in most_cited if int(r[2]) > int(old[-1][2])} == {
        r[0] for r in old if int(r[2]) > int(old[-1][2])
    }
    assert _rows(sample_store, queries["top-pagerank"].text) == _rows(
        sample_store, OLD_TOP_PAGERANK
    )


def test_every_paper_has_its_places_and_a_filtered_ranking_sorts_them(
    sample_store: GraphReader,
) -> None:
    assert every_place_stored(sample_store)
    for request in (
        RankRequest(topics=(NamedNode(BASE + "topic/epidemiology"),), k=30, offset=5),
        RankRequest(concepts=(NamedNode(BASE + "concept/ckg-covid-19"),), by="pagerank"),
    ):
        placed = ranking_query(request, positions=True)
        assert "Position" in placed
        assert _rows(sample_store, placed) == _rows(sample_store, ranking_query(request))


def test_walking_the_order_answers_what_joining_the_filters_answers(
    sample_store: GraphReader,
) -> None:
    """Large filters are ranked by looking up places 1, 2, ... (``run._walk``); small ones
    by joining: both must give the same papers in the same order."""
    topics = [r[0] for r in sample_store.query(f"SELECT ?t WHERE {{ ?t a {CKG.Topic} }}")]  # type: ignore[union-attr]
    concepts = [
        r[0]
        for r in sample_store.query(  # type: ignore[union-attr]
            f"SELECT ?c ?n WHERE {{ ?c {CKG.paperCount} ?n ; a {CKG.Concept} }} "
            "ORDER BY DESC(?n) LIMIT 4"
        )
    ]
    walked = 0
    for topic in topics:
        for concept in concepts:
            for k, offset in ((5, 0), (10, 3)):
                request = RankRequest(topics=(topic,), concepts=(concept,), k=k, offset=offset)
                sizes = run._sizes(sample_store, filter_nodes(request))
                assert sizes
                joined = run._rows(
                    sample_store.query(ranking_query(request, positions=True, sizes=sizes))
                )
                found = run._walk(sample_store, request, sizes)
                if found is not None:
                    walked += 1
                    assert found == joined
    assert walked >= 5
