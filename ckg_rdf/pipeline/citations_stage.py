"""The stage that turns resolved bibliography entries into ckg:cites edges."""

from __future__ import annotations

from collections import Counter

from ckg_rdf.extract.citations import CitationIndex
from ckg_rdf.rdf.iris import IriMinter
from ckg_rdf.rdf.papers import cites_triple
from ckg_rdf.store.base import GraphStore


class CitationStage:
    name = "citations"

    def __init__(self, index: CitationIndex) -> None:
        self.index = index

    def run(self, store: GraphStore, minter: IriMinter) -> dict[str, int]:
        by_method: Counter[str] = Counter()
        edges: set[tuple[str, str]] = set()
        batch = []
        for res in self.index.resolve():
            by_method[res.method] += 1
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
            "entries resolved": sum(by_method.values()),
            "cites edges": len(edges),
        }
        report.update({f"resolved by {m}": n for m, n in sorted(by_method.items())})
        return report
