"""The first step of every build: papers, authors and institutions as triples."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar

from ckg_rdf.config import BuildConfig
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.extract.citations import citation_rows
from ckg_rdf.pipeline.steps import StepDefaults, StepOutput
from ckg_rdf.rdf.iris import IriScheme
from ckg_rdf.rdf.papers import paper_triples

#: side records: what citation resolution needs of each paper (its keys and bibliography),
#: as :class:`~ckg_rdf.extract.citations.CitationRows`
CITATION_KEYS = "citation_keys"


@dataclasses.dataclass(frozen=True)
class PapersStep(StepDefaults):
    """Writes the ``papers`` graph; hands each paper's citation keys to the driver."""

    name: ClassVar[str] = "papers"
    #: 2: qualified ckg:Authorship nodes with the author order; 3: schema:sameAs DOI, PubMed, PMC
    version: ClassVar[str] = "3"
    reads_body: ClassVar[bool] = False

    def run(self, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        out = StepOutput()
        written: list[PaperRecord] = []
        described: set[str] = set()
        for paper in papers:
            try:
                triples = list(paper_triples(paper, iris, described))
            except ValueError as exc:  # a value RDF cannot carry: report, keep the batch
                out.failed.append((paper.paper_id, f"cannot be written as RDF: {exc}"))
                continue
            out.triples.extend(triples)
            written.append(paper)
        # the keys, bibliography and title grams, made here (on a worker, in a partitioned
        # build) so that the driver only inserts them
        out.side[CITATION_KEYS] = [citation_rows(written)]
        out.counts["papers written"] = len(written)
        return out


def make_papers_step(config: BuildConfig) -> PapersStep:
    return PapersStep()
