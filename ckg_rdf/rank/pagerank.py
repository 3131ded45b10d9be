"""PageRank of papers over the citation graph, with python-igraph.

Why igraph: its PRPACK solver is exact up to floating point and fast (about
0.2 s on a million edges on this machine, networkx about 4 s, see
``../shared/PLATFORM.md``), and it treats dangling nodes the standard way.

**Definition** (what the scores mean, so another implementation can check
them): the graph has one node per paper id given (``nodes``) or met in an
edge, and one edge per distinct (citing, cited) pair; repeated pairs count
once, as a citation does. A random reader follows a citation of the current
paper with probability ``damping`` (0.85) and otherwise jumps to a paper
chosen uniformly; from a paper that cites nothing in the corpus (a dangling
node) they jump to a uniformly chosen paper. Scores are the stationary
distribution: they sum to 1. networkx's ``pagerank`` with its defaults
(uniform personalisation and dangling distribution) computes the same thing,
which ``tests/rank/test_pagerank.py`` checks.
"""

from __future__ import annotations

from collections.abc import Iterable

import igraph as ig

DAMPING = 0.85


def pagerank(
    edges: Iterable[tuple[str, str]],
    nodes: Iterable[str] = (),
    damping: float = DAMPING,
) -> dict[str, float]:
    """PageRank of every paper, from (citing, cited) id pairs.

    ``nodes`` adds papers that may have no edge at all (every paper of the
    corpus, typically), so their score is defined too: isolated papers get
    the score of pure teleportation. Self-citations are ignored.
    """
    if not 0.0 < damping < 1.0:
        raise ValueError(f"damping must be in (0, 1), got {damping}")
    pairs = {(a, b) for a, b in edges if a != b}
    ids = sorted(set(nodes) | {a for a, _ in pairs} | {b for _, b in pairs})
    if not ids:
        return {}
    index = {pid: i for i, pid in enumerate(ids)}
    graph = ig.Graph(
        n=len(ids),
        edges=sorted((index[a], index[b]) for a, b in pairs),
        directed=True,
    )
    scores = graph.pagerank(directed=True, damping=damping, implementation="prpack")
    return dict(zip(ids, scores, strict=True))
