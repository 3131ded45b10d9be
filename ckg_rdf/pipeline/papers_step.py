"""The first step of every build: papers, authors and institutions as triples."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pyoxigraph import Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.rdf.papers import paper_triples


class PapersStep:
    name = "papers"
    version = "1"

    def __init__(self) -> None:
        self.papers = 0

    def triples(self, papers: Sequence[PaperRecord], minter: IriMinter) -> Iterator[Triple]:
        for paper in papers:
            self.papers += 1
            yield from paper_triples(paper, minter)

    def summary(self) -> dict[str, int]:
        return {"papers written": self.papers}
