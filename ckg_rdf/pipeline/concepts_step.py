"""The concept step of ``ckg build``: run an extractor over each paper's text.

Its ``version`` names the extractor, its version and, for the vocabulary
matcher, a digest of the vocabularies, so a re-run annotates nothing twice and
changing a vocabulary re-annotates everything (the build retracts the old
links from the ``concepts`` graph first, so counts never mix versions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyoxigraph import Triple

from ckg_rdf.config import BuildConfig
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.concepts import EXTRACTORS, ConceptExtractor, Mention
from ckg_rdf.pipeline.steps import StepOutput, shared
from ckg_rdf.rdf.concepts import ConceptLink, concept_triples, paper_link_triples, type_triples
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.store import GraphReader, count_rows
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


@dataclass(frozen=True)
class ConceptStep:
    """Concepts and weighted paper->concept links, into the ``concepts`` graph.

    Holds only the extractor's registry name and options (so it pickles); the
    extractor itself is built once per process.
    """

    backend: str = "vocab"
    options: tuple[tuple[str, str], ...] = ()
    name: str = "concepts"
    #: an extractor object to use instead of the registry's (library use, tests)
    instance: ConceptExtractor | None = field(default=None, compare=False, repr=False)

    @property
    def extractor(self) -> ConceptExtractor:
        if self.instance is not None:
            return self.instance
        return shared(
            ("extractor", self.backend, self.options),
            lambda: EXTRACTORS.create(self.backend, **dict(self.options)),
        )

    @property
    def version(self) -> str:
        return f"{STEP_VERSION}/{self.extractor.version}"

    def static_triples(self, iris: IriScheme) -> list[Triple]:
        return list(type_triples())

    def report(self, store: GraphReader, iris: IriScheme) -> dict[str, int]:
        graph = iris.graph(self.name)
        query = (
            f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ GRAPH {graph} {{ ?c a {CKG.Concept} }} }}"
        )
        return {"distinct concepts": count_rows(store, query)}

    def _concept_triples(
        self, described: dict[str, list[Triple]], concept_id: str, iris: IriScheme
    ) -> list[Triple]:
        """A concept's own triples, made once per process (every batch repeats them)."""
        triples = described.get(concept_id)
        if triples is None:
            info = self.extractor.concept(concept_id)
            triples = [] if info is None else list(concept_triples(info, iris))
            described[concept_id] = triples
        return triples

    def run(self, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        extractor = self.extractor
        out = StepOutput()
        texts: list[str] = []
        owners: list[int] = []
        for i, paper in enumerate(papers):
            for t in paper_texts(paper):
                texts.append(t)
                owners.append(i)
        per_paper: list[list[Mention]] = [[] for _ in papers]
        for owner, mentions in zip(owners, extractor.extract_batch(texts), strict=True):
            per_paper[owner].extend(mentions)
        emitted: set[str] = set()
        # per process, like the extractor they come from (an instance of the caller's: per run)
        described: dict[str, list[Triple]] = (
            {}
            if self.instance is not None
            else shared(("concept triples", self.backend, self.options, iris), dict)
        )
        version = self.version
        for paper, mentions in zip(papers, per_paper, strict=True):
            out.counts["papers annotated"] += 1
            out.counts["mentions"] += len(mentions)
            out.counts["negated mentions (not counted)"] += sum(1 for m in mentions if m.negated)
            links = aggregate(mentions)
            if not links:
                continue
            out.counts["papers with concepts"] += 1
            out.counts["paper-concept links"] += len(links)
            for link in links:
                if link.concept_id not in emitted:
                    emitted.add(link.concept_id)
                    out.triples.extend(self._concept_triples(described, link.concept_id, iris))
            out.triples.extend(
                paper_link_triples(
                    iris.paper(paper.paper_id),
                    links,
                    iris,
                    extractor_name=extractor.name,
                    extractor_version=version,
                )
            )
        return out


def make_concept_step(config: BuildConfig) -> ConceptStep | None:
    settings = config.concepts
    if not settings.enabled:
        return None
    options = (("model_dir", settings.model),) if settings.model else ()
    return ConceptStep(backend=settings.backend, options=options)
