"""Answering a ranking request end to end: resolve names, compose the query, run it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import NamedNode, QuerySolutions

from ckg_rdf.rank.positions import every_place_stored
from ckg_rdf.rank.ranking import RankRequest, by_position, filter_nodes, ranking_query
from ckg_rdf.rank.resolve import NameIndex, Resolved, resolve
from ckg_rdf.store import GraphReader
from ckg_rdf.vocab import CKG, VOID


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
    positions = by_position(request) and every_place_stored(store)
    sizes = _sizes(store, filter_nodes(request)) if positions else {}
    query = ranking_query(request, positions=positions, sizes=sizes)
    rows = None
    if positions and sizes:
        rows = _walk(store, request, sizes)
    if rows is None:
        rows = _rows(store.query(query))
    return RankResult(rows, query, resolved)


#: places looked up per query at least when walking the order
WALK_MIN = 200


def _sizes(store: GraphReader, nodes: tuple[NamedNode, ...]) -> dict[str, int]:
    """Papers per filter node, from the counts the build keeps (empty if it keeps none)."""
    if not nodes:
        return {}
    values = " ".join(str(n) for n in nodes)
    found = store.query(
        f"SELECT ?node ?n WHERE {{ VALUES ?node {{ {values} }} ?node {CKG.paperCount} ?n }}"
    )
    sizes = {r[0].value: int(r[1].value) for r in found}  # type: ignore[union-attr]
    return sizes if len(sizes) == len(set(nodes)) else {}


def _paper_total(store: GraphReader) -> int | None:
    found = list(
        store.query(  # type: ignore[arg-type]
            f"SELECT ?n WHERE {{ ?part {VOID.class_} {CKG.Paper} ; {VOID.entities} ?n }} LIMIT 1"
        )
    )
    return int(found[0][0].value) if found else None


def _walk(store: GraphReader, request: RankRequest, sizes: dict[str, int]) -> list[RankRow] | None:
    """The ranking read by walking the order's places, when that is cheaper than joining.

    Joining walks the smallest filter's papers (one lookup each); walking the order looks up
    places 1, 2, ... and keeps the papers that pass every filter. With filters of a and b
    papers out of n, about (offset + k) * n/a * n/b places hold offset + k of them (if the
    filters are independent), so the walk wins when that is below min(a, b): "the most
    cited papers on epidemiology that mention humans" reads a few hundred places instead
    of tens of thousands of papers. A walk that passes the join's cost without finding
    enough gives up (None), and the join answers."""
    total = _paper_total(store)
    if not total:
        return None
    want = request.offset + request.k
    density = 1.0
    for size in sizes.values():
        density *= size / total
    join_cost = min(sizes.values())
    if density <= 0 or want / density >= join_cost:
        return None
    found: list[RankRow] = []
    start, step = 1, max(WALK_MIN, int(1.5 * want / density))
    while start <= total:
        if start > join_cost:
            return None
        places = range(start, min(total, start + step - 1) + 1)
        found += _rows(
            store.query(ranking_query(request, positions=True, sizes=sizes, places=places))
        )
        if len(found) >= want:
            break
        start, step = places.stop, step * 2
    return found[request.offset : want]


def _rows(result: object) -> list[RankRow]:
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
    return rows
