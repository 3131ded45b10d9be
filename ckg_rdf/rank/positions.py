"""Rank positions of the most-cited and highest-PageRank papers, written by the build.

A SPARQL engine answers "the 20 most cited papers" by sorting every paper: Oxigraph scans
the 30k ``ckg:pageRank`` values of a 30k-paper store in 21 ms but sorts them in about
700 ms (issue 21), and that grows with the corpus. So the ranks stage also writes each of
the first :data:`POSITIONS` papers' place in both orders (``ckg:citationPosition``,
``ckg:pageRankPosition``: 1 is the first), and the whole-corpus rankings (``ckg rank`` and
``/rank`` without filters, the named queries ``most-cited-papers`` and ``top-pagerank``)
read at most that many triples instead.

The orders are exactly the ones the ranking queries use on the stored values:
by citations, DESC(citations) DESC(pageRank) ?paper; by PageRank, DESC(pageRank)
DESC(citations) ?paper (IRIs compared as strings, as SPARQL does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

#: how many papers get a position in each order
POSITIONS = 1000


def stored_score(score: float) -> float:
    """A PageRank score as the graph stores it (9 significant digits) and sorts it."""
    return float(f"{score:.9e}")


def positions(
    papers: Sequence[str], cited: Mapping[str, int], scores: Mapping[str, float]
) -> tuple[dict[str, int], dict[str, int]]:
    """(by citations, by PageRank): paper IRI -> 1-based place, for the first POSITIONS."""

    def by_citations(p: str) -> tuple[int, float, str]:
        return (-cited.get(p, 0), -stored_score(scores.get(p, 0.0)), p)

    def by_pagerank(p: str) -> tuple[float, int, str]:
        return (-stored_score(scores.get(p, 0.0)), -cited.get(p, 0), p)

    def places(order: Callable[[str], tuple[float, float, str]]) -> dict[str, int]:
        return {p: i + 1 for i, p in enumerate(sorted(papers, key=order)[:POSITIONS])}

    return places(by_citations), places(by_pagerank)
