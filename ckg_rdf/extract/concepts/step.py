"""The concept step of ``ckg build``: run an extractor over each paper's text.

The build hands the step batches of papers and skips papers already annotated
with the same ``version`` (which names the extractor, its version and, for
the vocabulary matcher, a digest of the vocabularies), so a re-run annotates
nothing twice and changing a vocabulary re-annotates everything. For papers
annotated by an older version the build calls :meth:`ConceptStep.retract`
first, which removes their old links so counts never mix versions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from pyoxigraph import DefaultGraph, NamedNode, Quad, Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.concepts.base import ConceptExtractor, Mention
from ckg_rdf.rdf.concepts import (
    ConceptLink,
    annotation_iri,
    concept_triples,
    link_triples,
    type_triples,
)
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.vocab import CKG

#: bump when the step's own output rules change
STEP_VERSION = "1"


def paper_texts(paper: PaperRecord) -> list[str]:
    """The texts of a paper that are annotated: title, abstract, body paragraphs."""
    return [t for t in (paper.title, paper.abstract, *paper.body) if t]


def aggregate(mentions: Sequence[Mention]) -> list[ConceptLink]:
    """Per-concept links from mentions: negated mentions do not count.

    A concept mentioned only in negated form ("no fever") gets no link.
    The link's score is the best score of its mentions.
    """
    counts: Counter[str] = Counter()
    best: dict[str, float] = {}
    for m in mentions:
        if m.negated:
            continue
        counts[m.concept_id] += 1
        best[m.concept_id] = max(best.get(m.concept_id, 0.0), m.score)
    return [ConceptLink(cid, n, best[cid]) for cid, n in sorted(counts.items())]


class ConceptStep:
    """A ``PaperStep`` (ckg_rdf.pipeline.steps) that adds concepts and weighted links."""

    name = "concepts"

    def __init__(self, extractor: ConceptExtractor) -> None:
        self.extractor = extractor
        self.version = f"{STEP_VERSION}/{extractor.version}"
        self._emitted: set[str] = set()
        self._types_emitted = False
        self.papers = 0
        self.papers_with_concepts = 0
        self.mentions = 0
        self.negated = 0
        self.links = 0

    def triples(self, papers: Sequence[PaperRecord], minter: IriMinter) -> Iterator[Triple]:
        if not self._types_emitted:
            self._types_emitted = True
            yield from type_triples()
        texts: list[str] = []
        owners: list[int] = []
        for i, paper in enumerate(papers):
            for t in paper_texts(paper):
                texts.append(t)
                owners.append(i)
        per_paper: list[list[Mention]] = [[] for _ in papers]
        for owner, mentions in zip(owners, self.extractor.extract_batch(texts), strict=True):
            per_paper[owner].extend(mentions)
        for paper, mentions in zip(papers, per_paper, strict=True):
            self.papers += 1
            self.mentions += len(mentions)
            self.negated += sum(1 for m in mentions if m.negated)
            links = aggregate(mentions)
            if links:
                self.papers_with_concepts += 1
            self.links += len(links)
            node = minter.paper(paper.paper_id)
            for link in links:
                if link.concept_id not in self._emitted:
                    self._emitted.add(link.concept_id)
                    info = self.extractor.concept(link.concept_id)
                    if info is not None:
                        yield from concept_triples(info, minter)
                yield from link_triples(
                    node,
                    link,
                    minter,
                    extractor_name=self.extractor.name,
                    extractor_version=self.version,
                )

    def retract(self, papers: Sequence[PaperRecord], store: Any, minter: IriMinter) -> None:
        """Remove the concept links of papers about to be annotated again."""
        raw = getattr(store, "raw", None)
        for paper in papers:
            node = minter.paper(paper.paper_id)
            concepts = _linked_concepts(store, node)
            for concept in concepts:
                store.remove_subject(annotation_iri(node, _concept_id(concept, minter)))
                if raw is not None:
                    raw.remove(Quad(node, CKG.associatedConcept, concept, DefaultGraph()))

    def summary(self) -> dict[str, int]:
        return {
            "papers annotated": self.papers,
            "papers with concepts": self.papers_with_concepts,
            "mentions": self.mentions,
            "negated mentions (not counted)": self.negated,
            "paper-concept links": self.links,
            "distinct concepts": len(self._emitted),
        }


def _linked_concepts(store: Any, paper: NamedNode) -> list[NamedNode]:
    raw = getattr(store, "raw", None)
    if raw is None:
        return []
    return [
        q.object
        for q in raw.quads_for_pattern(paper, CKG.associatedConcept, None, None)
        if isinstance(q.object, NamedNode)
    ]


def _concept_id(concept: NamedNode, minter: IriMinter) -> str:
    parsed = minter.parse(concept.value)
    return parsed[1] if parsed else concept.value.rsplit("/", 1)[-1]
