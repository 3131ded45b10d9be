"""The counts and ranked lists the build keeps (``summaries`` stage) are what counting over
the graph per request answers, and the named queries that read them answer as the live
queries they replaced.

Each expectation here is a plain live SPARQL count over the sample's graph, written
independently of ``ckg_rdf.rank.summaries`` (no shared code but the store).
"""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, Variable

from ckg_rdf.queries import named_queries
from ckg_rdf.rank.summaries import K_CORPUS, K
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG

PREFIXES = """
PREFIX ckg: <https://w3id.org/ckg-rdf/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
# the live queries the named queries ran before issue 21 (ties broken as the build breaks them)
LIVE_CITED_FROM = """
SELECT ?paper (COUNT(DISTINCT ?citing) AS ?n) ?pr
WHERE { ?citing ckg:cites ?paper ; ?link ?scope . ?paper ckg:pageRank ?pr }
GROUP BY ?paper ?pr ORDER BY DESC(?n) DESC(?pr) ?paper LIMIT 20
"""
LIVE_CITED_IN = """
SELECT ?paper ?n WHERE { ?paper ?link ?scope ; ckg:citationCount ?n ; ckg:pageRank ?pr }
ORDER BY DESC(?n) DESC(?pr) ?paper LIMIT 20
"""
LIVE_CO_OCCURRING = """
SELECT ?other (COUNT(DISTINCT ?paper) AS ?n) ?label
WHERE { ?paper ckg:associatedConcept ?scope , ?other . FILTER(?other != ?scope)
        ?other skos:prefLabel ?label }
GROUP BY ?other ?label ORDER BY DESC(?n) ?label ?other LIMIT 20
"""
LIVE_MENTIONING = """
SELECT ?paper ?n WHERE { ?a a ckg:ConceptAnnotation ; oa:hasBody ?scope ; oa:hasTarget ?paper ;
  ckg:mentionCount ?n ; ckg:score ?score }
ORDER BY DESC(?n) DESC(?score) ?paper LIMIT 20
"""
LIVE_TOP_CONCEPTS = """
SELECT ?concept (COUNT(DISTINCT ?paper) AS ?n) (SUM(?count) AS ?mentions) ?label
WHERE { ?a a ckg:ConceptAnnotation ; oa:hasBody ?concept ; oa:hasTarget ?paper ;
  ckg:mentionCount ?count . ?concept skos:prefLabel ?label ; ckg:conceptType ?scope }
GROUP BY ?concept ?label ORDER BY DESC(?n) DESC(?mentions) ?label LIMIT 100
"""
LIVE_INSTITUTIONS = """
SELECT ?institution (COUNT(DISTINCT ?paper) AS ?n) (COUNT(DISTINCT ?author) AS ?authors) ?name
WHERE { ?paper ckg:authoredBy ?author . ?author ckg:affiliatedWith ?institution .
        ?institution rdfs:label ?name }
GROUP BY ?institution ?name ORDER BY DESC(?n) ?name ?institution LIMIT 200
"""


def _with(query: str, **bound: NamedNode) -> str:
    """``query`` with each ``?name`` written as its bound IRI."""
    for name, node in bound.items():
        query = query.replace(f"?{name}", str(node))
    return PREFIXES + query


def _live(store: GraphReader, query: str, **bound: NamedNode) -> list[tuple[str, int]]:
    return [(r[0].value, int(r[1].value)) for r in store.query(_with(query, **bound))]  # type: ignore[union-attr]


def _kept(store: GraphReader, kind: NamedNode, scope: NamedNode | None) -> list[tuple[str, int]]:
    scoped = f"?e {CKG.rankScope} {scope} ." if scope is not None else ""
    rows = store.query(
        f"SELECT ?item ?value WHERE {{ ?e {CKG.rankKind} {kind} ; {CKG.rankPlace} ?place ; "
        f"{CKG.rankedItem} ?item ; {CKG.rankValue} ?value . {scoped} }} ORDER BY ?place"
    )
    return [(r[0].value, int(r[1].value)) for r in rows]  # type: ignore[union-attr]


def _nodes(store: GraphReader, query: str) -> list[NamedNode]:
    return [r[0] for r in store.query(PREFIXES + query)]  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def topics(sample_store: GraphReader) -> list[NamedNode]:
    found = _nodes(sample_store, "SELECT ?t WHERE { ?t a ckg:Topic } ORDER BY ?t")
    assert len(found) >= 5
    return found


@pytest.fixture(scope="module")
def concepts(sample_store: GraphReader) -> list[NamedNode]:
    """The 8 concepts in most papers and 8 in a handful (lists shorter than K)."""
    by_size = _nodes(
        sample_store,
        "SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p ckg:associatedConcept ?c } "
        "GROUP BY ?c ORDER BY DESC(?n) ?c",
    )
    assert len(by_size) > 100
    return by_size[:8] + by_size[len(by_size) // 2 :: max(1, len(by_size) // 16)][:8]


def test_most_cited_from_a_topic_or_concept_is_the_live_count(
    sample_store: GraphReader, topics: list[NamedNode], concepts: list[NamedNode]
) -> None:
    nonempty = 0
    for link, scopes in ((CKG.associatedTopic, topics), (CKG.associatedConcept, concepts)):
        for scope in scopes:
            want = _live(sample_store, LIVE_CITED_FROM, scope=scope, link=link)
            assert _kept(sample_store, CKG.MostCitedFrom, scope) == want
            nonempty += bool(want)
    assert nonempty >= 10


def test_most_cited_in_a_topic_or_concept_is_the_live_order(
    sample_store: GraphReader, topics: list[NamedNode], concepts: list[NamedNode]
) -> None:
    for link, scopes in ((CKG.associatedTopic, topics), (CKG.associatedConcept, concepts)):
        for scope in scopes:
            want = _live(sample_store, LIVE_CITED_IN, scope=scope, link=link)
            assert want
            assert _kept(sample_store, CKG.MostCitedIn, scope) == want


def test_co_occurring_concepts_are_the_live_count(
    sample_store: GraphReader, concepts: list[NamedNode]
) -> None:
    for scope in concepts:
        want = _live(sample_store, LIVE_CO_OCCURRING, scope=scope)
        got = _kept(sample_store, CKG.CoOccurring, scope)
        assert [n for _, n in got] == [n for _, n in want]
        # two concepts may share a label: the places may swap within one count and label
        assert sorted(got) == sorted(want) or len({n for _, n in want}) < len(want)


def test_papers_mentioning_most_are_the_live_order(
    sample_store: GraphReader, concepts: list[NamedNode]
) -> None:
    for scope in concepts:
        assert _kept(sample_store, CKG.MostMentioning, scope) == _live(
            sample_store, LIVE_MENTIONING, scope=scope
        )


def test_top_concepts_of_each_type_and_their_counts_are_the_live_count(
    sample_store: GraphReader,
) -> None:
    types = _nodes(sample_store, "SELECT DISTINCT ?t WHERE { ?c ckg:conceptType ?t }")
    assert len(types) >= 3
    for scope in types:
        live = list(sample_store.query(_with(LIVE_TOP_CONCEPTS, scope=scope)))  # type: ignore[arg-type]
        got = _kept(sample_store, CKG.TopConcepts, scope)
        assert [n for _, n in got] == [int(r["n"].value) for r in live][:K_CORPUS]
        for r in live[:5]:
            stored = sample_store.query(
                f"SELECT ?n ?m WHERE {{ {r['concept']} {CKG.paperCount} ?n ; "
                f"{CKG.mentionTotal} ?m }}"
            )
            (row,) = list(stored)  # type: ignore[arg-type]
            assert (int(row[0].value), int(row[1].value)) == (
                int(r["n"].value),
                int(r["mentions"].value),
            )


def test_top_institutions_and_their_counts_are_the_live_count(
    sample_store: GraphReader,
) -> None:
    live, seen = [], set()
    for r in sample_store.query(PREFIXES + LIVE_INSTITUTIONS):  # type: ignore[union-attr]
        if r["institution"] not in seen:  # an institution with two names: its first row
            seen.add(r["institution"])
            live.append(r)
    assert len(live) >= 50
    got = _kept(sample_store, CKG.TopInstitutions, None)
    assert got == [(r["institution"].value, int(r["n"].value)) for r in live][:K_CORPUS]
    for r in live[:10]:
        (row,) = list(
            sample_store.query(  # type: ignore[arg-type]
                f"SELECT ?n ?a WHERE {{ {r['institution']} {CKG.paperCount} ?n ; "
                f"{CKG.authorCount} ?a }}"
            )
        )
        assert (int(row[0].value), int(row[1].value)) == (
            int(r["n"].value),
            int(r["authors"].value),
        )


def test_every_topic_s_paper_count_is_the_live_count(
    sample_store: GraphReader, topics: list[NamedNode]
) -> None:
    for topic in topics:
        live = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p ckg:associatedTopic ?scope }"
        stored = [
            int(r[0].value)
            for r in sample_store.query(
                _with("SELECT ?n WHERE { ?scope ckg:paperCount ?n }", scope=topic)
            )  # type: ignore[union-attr]
        ]
        assert stored == [int(r[0].value) for r in sample_store.query(_with(live, scope=topic))]  # type: ignore[union-attr]


def test_a_list_keeps_its_first_k() -> None:
    assert K == 20  # the named queries' page (LIMIT 20)


#: named query -> (the live text it replaced, the parameter to bind, how to pick bindings)
OLD_NAMED = {
    "most-cited-by-citing-topic": (
        "SELECT ?paper ?citations WHERE { { SELECT ?paper (COUNT(DISTINCT ?citing) AS "
        "?citations) WHERE { ?citing ckg:cites ?paper ; ckg:associatedTopic ?citingTopic } "
        "GROUP BY ?paper } } ORDER BY DESC(?citations) ?paper LIMIT 20",
        "citingTopic",
    ),
    "most-cited-on-topic": (
        "SELECT ?paper ?citations WHERE { { SELECT ?paper (COUNT(DISTINCT ?citing) AS "
        "?citations) WHERE { ?paper a ckg:Paper ; ckg:associatedTopic ?topic . "
        "OPTIONAL { ?citing ckg:cites ?paper } } GROUP BY ?paper } "
        "OPTIONAL { ?paper ckg:pageRank ?pageRank } } "
        "ORDER BY DESC(?citations) DESC(?pageRank) ?paper LIMIT 20",
        "topic",
    ),
}


@pytest.mark.parametrize("name", sorted(OLD_NAMED))
def test_a_named_query_reading_kept_lists_answers_as_its_live_form(
    name: str, sample_store: GraphReader, topics: list[NamedNode]
) -> None:
    old, param = OLD_NAMED[name]
    query = named_queries()[name]
    for topic in topics:
        subs = {Variable(param): topic}
        want = [
            (r["paper"].value, int(r["citations"].value))
            for r in sample_store.query(PREFIXES + old, substitutions=subs)  # type: ignore[union-attr]
        ]
        got = [
            (r["paper"].value, int(r["citations"].value))
            for r in sample_store.query(query.text, substitutions=subs)  # type: ignore[union-attr]
        ]
        assert [n for _, n in got] == [n for _, n in want]
        # the same papers above the last count (ties there are broken by PageRank now)
        last = want[-1][1] if want else 0
        assert {p for p, n in got if n > last} == {p for p, n in want if n > last}
