"""Building the bundled sample: the graph holds what the raw files say, no more, no less."""

from __future__ import annotations

import re

import pytest

from tests.rawsample import expected_resolutions, read_sample, words

BASE = "http://localhost:8000/"


@pytest.fixture(scope="module")
def raw(sample_dir):
    return read_sample(sample_dir)


def ids(store, sparql: str, var: str = "x") -> set[str]:
    return {row[var].value.rsplit("/", 1)[1] for row in store.query(sparql)}


def test_one_paper_node_per_metadata_row_or_unclaimed_parse(raw, sample_store) -> None:
    papers = ids(sample_store, "SELECT ?x WHERE { ?x a ckg:Paper }")
    assert papers == set(raw)


def test_papers_with_authors_match_the_raw_files(raw, sample_store) -> None:
    with_authors = {
        pid for pid, p in raw.items() if any(re.search(r"[A-Za-z]", last) for last, _ in p.authors)
    }
    graph = ids(
        sample_store,
        "SELECT DISTINCT ?x WHERE { ?x ckg:authoredBy ?a }",
    )
    assert graph == with_authors
    assert len(graph) > 600


def test_institution_nodes_are_the_distinct_normalised_affiliation_names(raw, sample_store) -> None:
    expected = {words(i) for p in raw.values() for i in p.institutions if words(i)}
    rows = sample_store.query("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a ckg:Institution }")
    assert int(next(rows)["n"].value) == len(expected) > 50


def test_every_institution_has_an_affiliated_author(sample_store) -> None:
    rows = sample_store.query(
        """SELECT (COUNT(?i) AS ?n) WHERE {
            ?i a ckg:Institution FILTER NOT EXISTS { ?a ckg:affiliatedWith ?i } }"""
    )
    assert int(next(rows)["n"].value) == 0


def test_cites_edges_are_exactly_the_key_and_fuzzy_title_matches(
    raw, sample_store, built_sample
) -> None:
    """The graph's edges and the summary's counts against the rule re-implemented by brute
    force in tests/rawsample.py (docs/identity.md, "Citations")."""
    resolutions = expected_resolutions(raw)
    expected = {(citing, cited) for (citing, _), (cited, _) in resolutions.items()}
    graph = {
        (r["a"].value.rsplit("/", 1)[1], r["b"].value.rsplit("/", 1)[1])
        for r in sample_store.query("SELECT ?a ?b WHERE { ?a ckg:cites ?b }")
    }
    assert graph == expected
    assert len(graph) > 100
    report = built_sample[1].steps["citations"]
    assert report["cites edges"] == len(expected)
    assert report["bibliography entries"] == sum(len(p.bib) for p in raw.values())
    assert report["entries resolved"] == len(resolutions)
    by_method = {
        m: sum(1 for _, how in resolutions.values() if how == m)
        for m in ("doi", "pmid", "pmcid", "title_key", "title_fuzzy")
    }
    fuzzy = sum(n for k, n in report.items() if k.startswith("resolved by fuzzy title"))
    assert fuzzy == by_method.pop("title_fuzzy") > 0
    assert {k: report.get(f"resolved by {k}", 0) for k in by_method} == by_method


def test_metadata_fields_are_carried_over(raw, sample_store) -> None:
    row = next(
        sample_store.query(
            """SELECT ?title ?doi ?date WHERE {
              <http://localhost:8000/paper/ug7v899j> ckg:title ?title ; ckg:doi ?doi ;
                  ckg:publicationDate ?date }"""
        )
    )
    assert row["title"].value == raw["ug7v899j"].title
    assert row["doi"].value == raw["ug7v899j"].doi
    assert row["date"].datatype.value.endswith("#date")


def test_a_metadata_row_is_joined_with_its_full_text(sample_store) -> None:
    # 6pqjnkkw names two shas; one of them is shipped: its affiliations come from the parse.
    rows = list(
        sample_store.query(
            """SELECT ?sha WHERE { <http://localhost:8000/paper/6pqjnkkw> ckg:sha ?sha }"""
        )
    )
    assert len(rows) == 2
    # ... and the parse is not loaded a second time as a paper of its own
    ask = sample_store.query(
        "ASK { <http://localhost:8000/paper/736b4793b11d01f4b55ea53eaf59f7325493b27b> ?p ?o }"
    )
    assert not bool(ask)


def kept_authors(paper) -> list[str]:
    """The family names of a raw paper's author entries the graph keeps, in source order.

    Name tokens without a letter (PDF-parse debris such as 'Zhang 3') are dropped,
    as docs/identity.md says.
    """
    return [
        " ".join(t for t in words(last).split() if re.search(r"[a-z]", t))
        for last, _ in paper.authors
        if re.search(r"[A-Za-z]", last)
    ]


def graph_author_order(store) -> dict[str, list[tuple[int, str, str]]]:
    """paper id -> [(position, family name, author IRI)] from the ckg:Authorship nodes."""
    rows = store.query(
        """SELECT ?p ?entry ?n ?a ?family WHERE {
            ?p ckg:qualifiedAuthorship ?entry .
            ?entry a ckg:Authorship ; ckg:authorPosition ?n ; ckg:author ?a .
            ?a ckg:familyName ?family }"""
    )
    order: dict[str, list[tuple[int, str, str]]] = {}
    for r in rows:
        pid = r["p"].value.rsplit("/", 1)[1]
        n = int(r["n"].value)
        assert r["n"].datatype.value.endswith("#integer")
        assert r["entry"].value == f"{r['p'].value}#author-{n}"
        order.setdefault(pid, []).append((n, words(r["family"].value), r["a"].value))
    return {pid: sorted(entries) for pid, entries in order.items()}


def test_author_order_is_the_order_the_source_gives(raw, sample_store) -> None:
    order = graph_author_order(sample_store)
    assert set(order) == {pid for pid, p in raw.items() if kept_authors(p)}
    checked = {"parse": 0, "metadata": 0}
    for pid, entries in order.items():
        # positions are 1..n with no gap, and the family names follow the raw list
        assert [n for n, _, _ in entries] == list(range(1, len(entries) + 1)), pid
        assert [family for _, family, _ in entries] == kept_authors(raw[pid]), pid
        if len(entries) >= 3:
            checked[raw[pid].authors_from] += 1
    # both sources, with author lists long enough for the order to mean something
    assert checked["parse"] >= 10 and checked["metadata"] >= 100, checked


def test_every_authorship_has_its_direct_authored_by_edge(sample_store) -> None:
    missing = sample_store.query(
        """ASK { ?p ckg:qualifiedAuthorship/ckg:author ?a
                 FILTER NOT EXISTS { ?p ckg:authoredBy ?a } }"""
    )
    assert not bool(missing)
    extra = sample_store.query(
        """ASK { ?p ckg:authoredBy ?a
                 FILTER NOT EXISTS { ?p ckg:qualifiedAuthorship/ckg:author ?a } }"""
    )
    assert not bool(extra)


def test_first_and_last_author_of_known_papers(raw, sample_store) -> None:
    # one metadata-only paper and one with full text, checked by name
    order = graph_author_order(sample_store)
    samples = {
        src: next(
            pid
            for pid in sorted(order)
            if raw[pid].authors_from == src and len(set(kept_authors(raw[pid]))) >= 3
        )
        for src in ("metadata", "parse")
    }
    for pid in samples.values():
        kept = kept_authors(raw[pid])
        assert order[pid][0][1] == kept[0] and order[pid][-1][1] == kept[-1]
        assert len(order[pid]) == len(kept)


def test_no_triple_is_asserted_by_two_producers(sample_store) -> None:
    """Each producer owns its named graph: the union has no duplicate to count twice."""
    union = next(sample_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))["n"]
    distinct = next(
        sample_store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        )
    )["n"]
    assert int(union.value) == int(distinct.value)
    graphs = {g.value.rsplit("/", 1)[1] for g in sample_store.graphs()}
    assert {
        "papers",
        "concepts",
        "citations",
        "topics",
        "topic-model",
        "ranks",
        "provenance",
        "dataset",
    } <= graphs
