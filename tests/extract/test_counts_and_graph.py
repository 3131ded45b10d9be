"""Counts on real abstracts checked against figures computed here from the raw text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.concepts.matcher import VocabularyMatcher, is_shouting
from ckg_rdf.extract.concepts.step import ConceptStep
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.resources import ontology_path
from ckg_rdf.store import open_store
from ckg_rdf.vocab import CKG_NS, OA, SKOS

# independent patterns for two concepts whose surface forms are few and known
ARDS = re.compile(
    r"(?<![A-Za-z0-9])ARDS(?![A-Za-z0-9])"
    r"|(?i:(?<![a-z0-9])(?:acute|adult)[ -]respiratory[ -]distress(?:[ -]syndromes?)?(?![a-z0-9]))"
)
ACE2 = re.compile(
    r"(?<![A-Za-z0-9])ACE-?2(?![A-Za-z0-9])"
    r"|(?i:(?<![a-z0-9])angiotensin[ -]converting[ -]enzyme[ -]2(?![a-z0-9]))"
)


#: "angiotensin-converting enzyme 2 (ace2)": a text may define its own short form for
#: ACE2 (issue 15, abbreviations); its whole-word, same-case uses are ACE2 too
ACE2_DEFINED = re.compile(
    r"(?i:angiotensin[ -]converting[ -]enzyme[ -]2)\s*\(\s*([A-Za-z0-9-]+)\s*\)"
)


def _defined_ace2(text: str) -> list[str]:
    """Uses of a short form the text defines for ACE2 that ACE2 itself does not match."""
    out: list[str] = []
    for short in dict.fromkeys(m.group(1) for m in ACE2_DEFINED.finditer(text)):
        if ACE2.fullmatch(short):
            continue
        out += re.findall(rf"(?<![A-Za-z0-9]){re.escape(short)}(?![A-Za-z0-9])", text)
    return out


@pytest.fixture(scope="module")
def papers(sample_csv: Path) -> list[PaperRecord]:
    with sample_csv.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["abstract"]]
    return [
        PaperRecord(paper_id=r["cord_uid"], title=r["title"], abstract=r["abstract"]) for r in rows
    ]


def _texts(p: PaperRecord) -> list[str]:
    return [t for t in (p.title, p.abstract) if t]


def test_mention_counts_match_raw_text(
    matcher: VocabularyMatcher, papers: list[PaperRecord]
) -> None:
    expected = {"hp-0033677": 0, "ckg-ace2": 0}
    found = {"hp-0033677": 0, "ckg-ace2": 0}
    for p in papers:
        for text in _texts(p):
            if is_shouting(text):
                continue
            expected["hp-0033677"] += len(ARDS.findall(text))
            expected["ckg-ace2"] += len(ACE2.findall(text)) + len(_defined_ace2(text))
            for m in matcher.extract(text):
                if m.concept_id in found:
                    found[m.concept_id] += 1
    assert expected["hp-0033677"] > 10 and expected["ckg-ace2"] > 10
    assert found == expected


def _graph(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> ox.Store:
    store = open_store(None)
    step, minter = ConceptStep(matcher), IriMinter()
    for i in range(0, len(papers), 100):
        store.add(step.triples(papers[i : i + 100], minter))
    return store.raw


def test_graph_links_and_weights(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> None:
    g = _graph(matcher, papers)
    # papers linked to ACE2 == papers whose raw text names ACE2 (genes are never negated)
    want = {
        p.paper_id for p in papers if any(ACE2.search(t) for t in _texts(p) if not is_shouting(t))
    }
    q = f"""PREFIX ckg: <{CKG_NS}>
        SELECT ?p WHERE {{ ?p ckg:associatedConcept ?c .
          FILTER(STRENDS(STR(?c), "/concept/ckg-ace2")) }}"""
    got = {str(r["p"].value).rsplit("/", 1)[1] for r in g.query(q)}
    assert got == want
    # every direct edge has exactly one annotation node with one count and score
    q = f"""PREFIX ckg: <{CKG_NS}> PREFIX oa: <{OA.hasBody.value[:-7]}>
        SELECT (COUNT(*) AS ?n) WHERE {{ ?p ckg:associatedConcept ?c .
          ?a oa:hasTarget ?p ; oa:hasBody ?c ; ckg:mentionCount ?k ; ckg:score ?s }}"""
    n_annotated = int(next(iter(g.query(q)))["n"].value)
    n_edges = sum(
        1 for _ in g.quads_for_pattern(None, ox.NamedNode(CKG_NS + "associatedConcept"), None)
    )
    assert n_annotated == n_edges > 0
    assert not any(
        isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in g
    )


def test_rebuild_adds_no_duplicates(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> None:
    store = open_store(None)
    minter = IriMinter()
    for _ in range(2):
        step = ConceptStep(matcher)
        store.add(step.triples(papers[:200], minter))
        if _ == 0:
            first = len(store)
    assert len(store) == first > 0


def test_retract_removes_old_links(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> None:
    store = open_store(None)
    minter = IriMinter()
    step = ConceptStep(matcher)
    store.add(step.triples(papers[:50], minter))
    step.retract(papers[:50], store, minter)
    edges = list(
        store.raw.quads_for_pattern(None, ox.NamedNode(CKG_NS + "associatedConcept"), None)
    )
    assert edges == []


def test_emitted_terms_are_declared(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> None:
    declared = {
        str(t.subject.value)
        for t in ox.parse(path=str(ontology_path()))
        if isinstance(t.subject, ox.NamedNode)
    }
    g = _graph(matcher, papers[:100])
    used = set()
    for q in g:
        used.add(q.predicate.value)
        if q.predicate.value.endswith("#type") or q.predicate == SKOS.inScheme:
            used.add(q.object.value)
        if q.predicate.value == CKG_NS + "conceptType" or q.predicate.value.endswith(
            "wasAttributedTo"
        ):
            used.add(q.object.value)
    ours = {u for u in used if u.startswith(CKG_NS)}
    assert ours and ours <= declared, ours - declared


def test_every_sample_abstract_about_medicine_has_concepts(
    matcher: VocabularyMatcher, papers: list[PaperRecord]
) -> None:
    # an abstract naming COVID-19 always gets at least that concept
    with_covid = [p for p in papers if re.search(r"(?<![\w-])COVID-19(?![\w-])", p.abstract)]
    assert with_covid
    for p in with_covid:
        assert any(m.concept_id == "ckg-covid-19" for m in matcher.extract(p.abstract))
