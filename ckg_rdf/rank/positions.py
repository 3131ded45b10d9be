"""Every paper's place by citations and by PageRank, written by the build.

A SPARQL engine answers "the 20 most cited papers" by sorting every paper, and its ties
(most papers have no citation and the same PageRank) are broken by comparing IRIs as
strings: Oxigraph sorts 30k papers by DESC(citations) DESC(pageRank) ?paper in about
900 ms, by one number in about 40 ms (issue 21). So the ranks stage writes each paper's
place in both orders (``ckg:citationPosition``, ``ckg:pageRankPosition``: 1 is the first,
every place distinct): the whole-corpus rankings (``ckg rank`` and ``/rank`` without
filters, the named queries ``most-cited-papers`` and ``top-pagerank``) read the first
places, and a ranking of some papers (on a topic, with a concept) sorts their places, one
number each.

The orders are exactly the ones the ranking queries use on the stored values:
by citations, DESC(citations) DESC(pageRank) ?paper; by PageRank, DESC(pageRank)
DESC(citations) ?paper (IRIs compared as strings, as SPARQL does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from ckg_rdf.vocab import CKG

if TYPE_CHECKING:
    from ckg_rdf.store import GraphReader

#: builds before issue 21's second pass wrote places for the first 1,000 papers only
FIRST_PLACES_ONLY = 1000


def stored_score(score: float) -> float:
    """A PageRank score as the graph stores it (9 significant digits) and sorts it."""
    return float(f"{score:.9e}")


def positions(
    papers: Sequence[str], cited: Mapping[str, int], scores: Mapping[str, float]
) -> tuple[dict[str, int], dict[str, int]]:
    """(by citations, by PageRank): paper IRI -> 1-based place, for every paper."""

    def by_citations(p: str) -> tuple[int, float, str]:
        return (-cited.get(p, 0), -stored_score(scores.get(p, 0.0)), p)

    def by_pagerank(p: str) -> tuple[float, int, str]:
        return (-stored_score(scores.get(p, 0.0)), -cited.get(p, 0), p)

    def places(order: Callable[[str], tuple[float, float, str]]) -> dict[str, int]:
        return {p: i + 1 for i, p in enumerate(sorted(papers, key=order))}

    return places(by_citations), places(by_pagerank)


def every_place_stored(store: GraphReader) -> bool:
    """Whether every paper has its places: a build since issue 21's second pass (a store
    of more than 1,000 papers built before it has the first 1,000 only). Two lookups."""
    place = CKG.citationPosition
    if not store.query(f"ASK {{ ?paper {place} 1 }}"):
        return False
    return bool(
        store.query(f"ASK {{ ?paper {place} {FIRST_PLACES_ONLY + 1} }}")
        or not store.query(f"ASK {{ ?paper {place} {FIRST_PLACES_ONLY} }}")
    )
