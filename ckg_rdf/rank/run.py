"""Answering a ranking request end to end: resolve names, compose the query, run it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import QuerySolutions

from ckg_rdf.rank.ranking import RankRequest, by_position, ranking_query
from ckg_rdf.rank.resolve import NameIndex, Resolved, resolve
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG


@dataclass(frozen=True)
class RankSpec:
    """A ranking as a user asks for it: names (labels, ids or IRIs), not yet IRIs."""

    topics: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()
    citing_topics: tuple[str, ...] = ()
    citing_concepts: tuple[str, ...] = ()
    by: str = "citations"
    k: int = 20
    offset: int = 0


@dataclass(frozen=True)
class RankRow:
    paper: str
    title: str
    citations: int
    page_rank: float | None


@dataclass
class RankResult:
    rows: list[RankRow]
    query: str
    #: what each name resolved to, by filter ("topics", "concepts", ...)
    resolved: dict[str, list[Resolved]] = field(default_factory=dict)


def run_ranking(store: GraphReader, spec: RankSpec, names: NameIndex | None = None) -> RankResult:
    """Resolve every name (a clear ``ResolveError`` if one names nothing), then rank.

    ``names``: the store's :class:`NameIndex`, when its data cannot change."""
    resolved = {
        "topics": [resolve(store, "topic", t, names) for t in spec.topics],
        "concepts": [resolve(store, "concept", c, names) for c in spec.concepts],
        "citing_topics": [resolve(store, "topic", t, names) for t in spec.citing_topics],
        "citing_concepts": [resolve(store, "concept", c, names) for c in spec.citing_concepts],
    }
    request = RankRequest(
        topics=tuple(r.iri for r in resolved["topics"]),
        concepts=tuple(r.iri for r in resolved["concepts"]),
        citing_topics=tuple(r.iri for r in resolved["citing_topics"]),
        citing_concepts=tuple(r.iri for r in resolved["citing_concepts"]),
        by=spec.by,
        k=spec.k,
        offset=spec.offset,
    )
    positions = by_position(request) and bool(
        store.query(f"ASK {{ ?paper {CKG.citationPosition} ?place }}")
    )
    query = ranking_query(request, positions=positions)
    result = store.query(query)
    rows = []
    if isinstance(result, QuerySolutions):
        for r in result:
            rank = r["pageRank"]
            rows.append(
                RankRow(
                    paper=r["paper"].value,
                    title=r["title"].value if r["title"] is not None else "",
                    citations=int(r["citations"].value),
                    page_rank=float(rank.value) if rank is not None else None,
                )
            )
    return RankResult(rows, query, resolved)
