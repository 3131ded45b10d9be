"""Counts on real abstracts checked against figures computed here from the raw text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.concepts.matcher import VocabularyMatcher, is_shouting
from ckg_rdf.pipeline.concepts_step import ConceptStep
from ckg_rdf.rdf.graphs import in_graph, retract_papers_update
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.resources import ontology_path
from ckg_rdf.store.embedded import EmbeddedStore
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


IRIS = IriScheme()
GRAPH = IRIS.graph("concepts")


def _add(store: EmbeddedStore, step: ConceptStep, papers: list[PaperRecord]) -> None:
    store.add(in_graph(step.run(papers, IRIS).triples, GRAPH))


def _graph(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> EmbeddedStore:
    store = EmbeddedStore(None)
    step = ConceptStep(instance=matcher)
    for i in range(0, len(papers), 100):
        _add(store, step, papers[i : i + 100])
    return store


def _count(store: EmbeddedStore, where: str) -> int:
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))["n"].value)


def _quads(store: EmbeddedStore) -> list[ox.Triple]:
    return list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))


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
    n_edges = _count(g, f"?p <{CKG_NS}associatedConcept> ?c")
    assert n_annotated == n_edges > 0
    assert not any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in _quads(g)
    )


def test_rebuild_adds_no_duplicates(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> None:
    store = EmbeddedStore(None)
    for _ in range(2):
        _add(store, ConceptStep(instance=matcher), papers[:200])
        if _ == 0:
            first = store.count()
    assert store.count() == first > 0


def test_retracting_papers_from_the_concepts_graph_removes_links_and_annotations(
    matcher: VocabularyMatcher, papers: list[PaperRecord]
) -> None:
    store = EmbeddedStore(None)
    _add(store, ConceptStep(instance=matcher), papers[:50])
    assert _count(store, f"?a a <{CKG_NS}ConceptAnnotation>") > 0
    store.update(retract_papers_update(GRAPH, [IRIS.paper(p.paper_id) for p in papers[:50]]))
    assert _count(store, f"?p <{CKG_NS}associatedConcept> ?c") == 0
    assert _count(store, f"?a a <{CKG_NS}ConceptAnnotation>") == 0
    # the concept nodes themselves are shared by papers and stay
    assert _count(store, f"?c a <{CKG_NS}Concept>") > 0


def test_emitted_terms_are_declared(matcher: VocabularyMatcher, papers: list[PaperRecord]) -> None:
    declared = {
        str(t.subject.value)
        for t in ox.parse(path=str(ontology_path()))
        if isinstance(t.subject, ox.NamedNode)
    }
    g = _graph(matcher, papers[:100])
    used = set()
    for q in _quads(g):
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
