"""The full-text index on its own: ranking, typos, phrases, facets, paging, upkeep, safety."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ckg_rdf.search import (
    Enrichment,
    SearchDoc,
    Searcher,
    SearchIndex,
    SearchRequest,
    SearchTimeout,
    SearchUnavailable,
)
from ckg_rdf.search.text import parse_terms

B = "http://example.org/"
TOPIC = B + "topic/virology"


def _docs() -> list[SearchDoc]:
    docs = [
        SearchDoc(
            B + "concept/ace2",
            "concept",
            "angiotensin-converting enzyme 2",
            names="ACE2; ACE-2",
            detail="gene or protein",
            concept_type="GENE_OR_PROTEIN",
            popularity=3,
            keys=("angiotensin-converting enzyme 2", "ACE2", "ACE-2"),
        ),
        SearchDoc(
            B + "concept/fever",
            "concept",
            "fever",
            names="pyrexia",
            concept_type="MEDICAL_CONDITION",
            popularity=2,
            keys=("fever", "pyrexia"),
        ),
        SearchDoc(B + "author/li", "author", "Wenhui Li", names="Wuhan University", popularity=2),
        SearchDoc(B + "institution/wuhan", "institution", "Wuhan University", names="China"),
        SearchDoc(B + "topic/virology", "topic", "virology", names="virus; viral", popularity=3),
    ]
    for i in range(30):
        docs.append(
            SearchDoc(
                f"{B}paper/{i}",
                "paper",
                f"Coronavirus study number {i}",
                names="Wenhui Li" if i < 3 else "Someone Else",
                concepts="angiotensin-converting enzyme 2; ACE2" if i % 10 == 0 else "",
                body="The spike protein binds the ACE2 receptor."
                if i < 5
                else "Fever and cough in patients with influenza.",
                year=2020 if i % 2 else 2019,
                popularity=float(i),
                facets=(("topic", TOPIC),) if i < 10 else (),
            )
        )
    return docs


@pytest.fixture
def index_file(tmp_path: Path) -> Path:
    path = tmp_path / "search.sqlite"
    with SearchIndex(path) as index:
        assert index.put(_docs()) == 35
    return path


@pytest.fixture
def searcher(index_file: Path) -> Searcher:
    return Searcher(index_file)


def test_an_exact_synonym_puts_the_concept_first_then_papers_and_authors(searcher) -> None:  # type: ignore[no-untyped-def]
    r = searcher.search(SearchRequest("ACE2", group=3))
    assert r.hits[0].iri == B + "concept/ace2" and r.hits[0].exact
    kinds = {h.kind for h in r.hits}
    assert {"concept", "paper"} <= kinds
    papers = {h.iri for h in r.hits if h.kind == "paper"}
    # abstracts that say ACE2 (0-4) and papers linked to the concept (0, 10, 20)
    assert papers == {f"{B}paper/{i}" for i in (0, 1, 2, 3, 4, 10, 20)}
    assert r.groups["concept"][0].iri == B + "concept/ace2"
    snippets = [h.snippet for h in r.hits if h.kind == "paper" and h.snippet]
    assert snippets and all("\x02ACE2\x03" in s for s in snippets)


def test_every_word_must_match_and_a_phrase_is_a_phrase(searcher) -> None:  # type: ignore[no-untyped-def]
    both = searcher.search(SearchRequest("spike receptor"))
    assert {h.iri for h in both.hits} == {f"{B}paper/{i}" for i in range(5)}
    assert not both.relaxed
    assert searcher.search(SearchRequest('"receptor spike"')).total == 0
    assert searcher.search(SearchRequest('"spike protein binds"')).total == 5


def test_when_no_result_has_every_word_any_word_matches(searcher) -> None:  # type: ignore[no-untyped-def]
    r = searcher.search(SearchRequest("pyrexia zebrafish"))
    assert r.relaxed and r.hits[0].iri == B + "concept/fever"


def test_a_typo_is_corrected_to_an_indexed_word(searcher) -> None:  # type: ignore[no-untyped-def]
    r = searcher.search(SearchRequest("inflenza"))
    assert r.corrections == {"inflenza": "influenza"}
    assert r.total == 25
    r = searcher.search(SearchRequest("coronavirus"))
    assert r.corrections == {} and r.total == 30


def test_the_last_word_matches_as_a_prefix(searcher) -> None:  # type: ignore[no-untyped-def]
    assert searcher.search(SearchRequest("Wuh")).total >= 2
    assert searcher.search(SearchRequest("angiotensin-conv")).hits[0].iri == B + "concept/ace2"


def test_filters_facets_and_paging(searcher) -> None:  # type: ignore[no-untyped-def]
    r = searcher.search(SearchRequest("coronavirus", per_page=7))
    assert r.total == 30 and len(r.hits) == 7
    assert {v.value: v.count for v in r.facets["year"]} == {"2020": 15, "2019": 15}
    assert {v.value: v.count for v in r.facets["topic"]} == {TOPIC: 10}
    assert r.facets["topic"][0].label == "virology"
    pages = [
        searcher.search(SearchRequest("coronavirus", per_page=7, page=n)).hits for n in (1, 2, 5)
    ]
    seen = [h.iri for page in pages for h in page]
    assert len(seen) == len(set(seen)) == 7 + 7 + 2
    # more citations rank higher among equal matches
    scores = [h.popularity for h in pages[0]]
    assert scores == sorted(scores, reverse=True)
    year = searcher.search(SearchRequest("coronavirus", year=2020, topic=TOPIC))
    assert year.total == 5 and all(h.year == 2020 for h in year.hits)
    # a facet counts over the other filters: the year facet still shows both years
    assert {v.value for v in year.facets["year"]} == {"2019", "2020"}
    kind = searcher.search(SearchRequest("wuhan", kind="institution"))
    assert [h.kind for h in kind.hits] == ["institution"]
    assert {v.value for v in kind.facets["type"]} == {"author", "institution"}
    typed = searcher.search(SearchRequest("pyrexia ace2", concept_type="MEDICAL_CONDITION"))
    assert [h.iri for h in typed.hits] == [B + "concept/fever"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"""',
        "*",
        "a*",
        "NEAR(a b)",
        "AND OR NOT",
        "-fever",
        "label:fever",
        "fever)",
        "(fever",
        "^fever",
        "\x00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "ace2 " * 60,
    ],
)
def test_no_query_text_is_an_error(searcher, q: str) -> None:  # type: ignore[no-untyped-def]
    r = searcher.search(SearchRequest(q))
    assert r.total >= 0


def test_query_terms() -> None:
    assert parse_terms('ACE2 "spike protein" SARS-CoV-2 , ') == [
        ("ACE2", False),
        ("spike protein", True),
        ("SARS-CoV-2", False),
    ]


def test_rewriting_a_document_replaces_it_and_its_words(index_file: Path) -> None:
    with SearchIndex(index_file) as index:
        before = index.counts.written
        assert index.put(_docs()) == 0  # nothing changed: nothing written
        assert index.counts.written == before
        index.put(
            [SearchDoc(B + "concept/fever", "concept", "hyperthermia", keys=("hyperthermia",))]
        )
        assert index.enrich({B + "paper/5": Enrichment("pyrexia", 99.0, (("topic", TOPIC),))}) == 1
        assert index.delete([B + "author/li"]) == 1
    s = Searcher(index_file)
    assert s.search(SearchRequest("hyperthermia")).hits[0].iri == B + "concept/fever"
    r = s.search(SearchRequest("pyrexia"))
    assert [h.iri for h in r.hits] == [B + "paper/5"]
    assert s.search(SearchRequest("Wenhui", kind="author")).total == 0
    db = sqlite3.connect(index_file)
    spell = dict(db.execute("SELECT term, df FROM spell"))
    assert "hyperthermia" in spell and spell["pyrexia"] == 1  # the concept no longer says it
    assert db.execute("SELECT COUNT(*) FROM facets WHERE facet = 'topic'").fetchone()[0] == 10


def test_papers_from_the_step_keep_what_the_stage_added(index_file: Path) -> None:
    with SearchIndex(index_file) as index:
        old = index.get(B + "paper/0")
        assert old is not None and old.concepts and old.facets
        index.put_papers_text([SearchDoc(B + "paper/0", "paper", "A new title", body="text")])
        new = index.get(B + "paper/0")
    assert new is not None
    assert (new.label, new.concepts, new.facets) == ("A new title", old.concepts, old.facets)


def test_a_search_past_its_deadline_stops(searcher) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SearchTimeout):
        searcher.search(SearchRequest("coronavirus"), deadline_s=-1.0)


def test_no_index_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(SearchUnavailable, match="ckg build"):
        Searcher(tmp_path / "search.sqlite")


def test_an_index_of_an_older_schema_is_rebuilt(index_file: Path) -> None:
    db = sqlite3.connect(index_file)
    db.execute("UPDATE meta SET value = 'old' WHERE key = 'schema'")
    db.commit()
    db.close()
    with SearchIndex(index_file) as index:
        assert index.kind_counts() == {}
        assert index.uid
