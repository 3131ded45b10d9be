"""The affiliations step: which institutions each author entry gives on its paper.

Its own named graph (``affiliations``), so the papers step and its graph are
untouched; retracted and rewritten per paper like every step's output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from ckg_rdf.config import BuildConfig
from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.pipeline.steps import StepDefaults, StepOutput
from ckg_rdf.rdf.affiliations import entry_affiliation_triples
from ckg_rdf.rdf.iris import IriScheme


@dataclass(frozen=True)
class AffiliationsStep(StepDefaults):
    name: str = "affiliations"
    version: str = "1"
    reads_body: ClassVar[bool] = False

    def run(self, papers: Sequence[PaperRecord], iris: IriScheme) -> StepOutput:
        out = StepOutput()
        for paper in papers:
            triples = list(entry_affiliation_triples(paper, iris))
            out.triples.extend(triples)
            out.counts["entry affiliations"] += len(triples)
        return out


def make_affiliations_step(config: BuildConfig) -> AffiliationsStep:
    return AffiliationsStep()
