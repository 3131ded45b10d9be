"""The stage that turns resolved bibliography entries into ckg:cites edges."""

from __future__ import annotations

from ckg_rdf.extract.citations import CitationIndex, ResolutionCounts
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.rdf.papers import cites_triple
from ckg_rdf.store.base import GraphStore


class CitationStage:
    name = "citations"

    def __init__(self, index: CitationIndex) -> None:
        self.index = index

    def run(self, store: GraphStore, minter: IriMinter) -> dict[str, int]:
        counts = ResolutionCounts()
        edges: set[tuple[str, str]] = set()
        batch = []
        for res in self.index.resolve():
            counts.add(res)
            pair = (res.citing, res.cited)
            if pair not in edges:
                edges.add(pair)
                batch.append(cites_triple(res.citing, res.cited, minter))
            if len(batch) >= 50_000:
                store.add(batch)
                batch = []
        store.add(batch)
        report = {
            "bibliography entries": self.index.count_refs(),
            "entries resolved": counts.total,
            "cites edges": len(edges),
        }
        report.update(counts.report())
        return report
