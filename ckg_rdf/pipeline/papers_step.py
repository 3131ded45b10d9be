"""The first step of every build: papers, authors and institutions as triples."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pyoxigraph import NamedNode, Triple

from ckg_rdf.corpus.records import PaperRecord
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.rdf.papers import paper_triples
from ckg_rdf.store.base import GraphStore
from ckg_rdf.vocab import CKG

#: Edges from a paper that other steps write and retract themselves (the
#: concept step, the embedding command); retracting the papers step's own
#: triples leaves them, or a new version of this step would drop them while
#: those steps, unchanged, do not write them again.
OWNED_ELSEWHERE: frozenset[NamedNode] = frozenset({CKG.associatedConcept, CKG.hasEmbedding})


class PapersStep:
    name = "papers"
    #: 2: qualified ckg:Authorship nodes with the author order
    version = "2"

    def __init__(self) -> None:
        self.papers = 0

    def triples(self, papers: Sequence[PaperRecord], minter: IriMinter) -> Iterator[Triple]:
        for paper in papers:
            self.papers += 1
            yield from paper_triples(paper, minter)

    def retract(self, papers: Sequence[PaperRecord], store: GraphStore, minter: IriMinter) -> None:
        """Remove what this step wrote for papers about to be written again.

        That is the paper's own triples and its ``#author-n`` nodes (found
        through ``ckg:qualifiedAuthorship``, so a paper that lost authors loses
        their nodes too). Author and institution nodes are shared between
        papers and stay; re-adding their triples is a no-op.
        """
        for paper in papers:
            node = minter.paper(paper.paper_id)
            for entry in store.objects(node, CKG.qualifiedAuthorship):
                if isinstance(entry, NamedNode):
                    store.remove_subject(entry)
            store.remove_subject(node, keep=OWNED_ELSEWHERE)

    def summary(self) -> dict[str, int]:
        return {"papers written": self.papers}
