"""Why a paper is recommended: short, checkable statements with their evidence.

A reason names a kind of evidence and the things behind it (shared concepts,
the papers that co-cite both, the references both cite, the rare words both
texts use), so a researcher can check it and dismiss a recommendation that
rests on, say, one generic concept. ``contribution`` is the share of the fused
score that the signal brought (hybrid mode); it is None in the modes that
rank by one cosine, where the reasons are evidence only.

Kinds (documented in the API's response model): ``keywords``, ``text``,
``concepts``, ``topics``, ``co_cited``, ``cites_same``, ``cites``, ``cited_by``, ``graph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ckg_rdf.recommend.fusion import FEATURES
from ckg_rdf.recommend.graph import Evidence

#: at most this many items are listed under one reason
MAX_ITEMS = 5


@dataclass(frozen=True)
class Item:
    """One thing a reason points at: a concept, topic or paper (with its IRI), or a word."""

    label: str
    iri: str | None = None


@dataclass(frozen=True)
class Reason:
    kind: str
    text: str
    contribution: float | None = None
    items: tuple[Item, ...] = field(default_factory=tuple)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _items(iris: list[str], labels: dict[str, str]) -> tuple[Item, ...]:
    ranked = sorted(iris, key=lambda i: (labels.get(i, "~").lower(), i))[:MAX_ITEMS]
    return tuple(Item(labels.get(i, i.rsplit("/", 1)[-1]), i) for i in ranked)


def explain(
    candidate: str,
    features: np.ndarray,
    contributions: np.ndarray | None,
    evidence: Evidence,
    *,
    dense_cosine: float | None,
    kg_cosine: float | None,
    shared_terms: list[str],
) -> list[Reason]:
    """The reasons for one recommended ``candidate``, strongest contribution first.

    ``features`` and ``contributions`` are the candidate's row in ``FEATURES``
    order (contributions None: evidence only, no fused score).
    """
    col = {f: i for i, f in enumerate(FEATURES)}

    positive = None if contributions is None else np.maximum(contributions, 0.0)

    def share(f: str) -> float | None:
        """The signal's share of the positive part of the score (a negative TransE cosine
        lowers a score but is no reason to recommend)."""
        if positive is None:
            return None
        total = float(positive.sum())
        return round(float(positive[col[f]]) / total, 3) if total > 0 else 0.0

    out: list[Reason] = []
    if shared_terms:
        out.append(
            Reason(
                "keywords",
                "title and abstract share rare words: " + ", ".join(shared_terms),
                share("bm25"),
                tuple(Item(t) for t in shared_terms),
            )
        )
    if dense_cosine is not None and np.isfinite(dense_cosine):
        out.append(
            Reason(
                "text",
                f"similar text (embedding cosine {dense_cosine:.2f})",
                share("dense"),
            )
        )
    own_c = evidence.concepts.get(evidence.paper, frozenset())
    shared_c = sorted(own_c & evidence.concepts.get(candidate, frozenset()))
    if shared_c:
        items = _items(shared_c, evidence.labels)
        out.append(
            Reason(
                "concepts",
                f"shares {_plural(len(shared_c), 'concept')}: "
                + ", ".join(i.label for i in items)
                + (", ..." if len(shared_c) > len(items) else ""),
                share("concepts"),
                items,
            )
        )
    own_t = evidence.topics.get(evidence.paper, frozenset())
    shared_t = sorted(own_t & evidence.topics.get(candidate, frozenset()))
    if shared_t:
        items = _items(shared_t, evidence.labels)
        out.append(
            Reason(
                "topics",
                f"shares {_plural(len(shared_t), 'topic')}: " + ", ".join(i.label for i in items),
                share("topics"),
                items,
            )
        )
    co = evidence.relations.get("co_cited", {}).get(candidate, [])
    if co:
        out.append(
            Reason(
                "co_cited",
                f"co-cited with it by {_plural(len(co), 'paper')}",
                share("co_cited"),
                _items(co, evidence.labels),
            )
        )
    same = evidence.relations.get("cites_same", {}).get(candidate, [])
    if same:
        out.append(
            Reason(
                "cites_same",
                f"cites {_plural(len(same), 'paper')} it also cites",
                share("cites_same"),
                _items(same, evidence.labels),
            )
        )
    if candidate in evidence.relations.get("cites", {}):
        out.append(Reason("cites", "the paper cites it", share("citation")))
    if candidate in evidence.relations.get("cited_by", {}):
        out.append(Reason("cited_by", "it cites the paper", share("citation")))
    if kg_cosine is not None and np.isfinite(kg_cosine) and kg_cosine > 0:
        out.append(
            Reason(
                "graph",
                "close in the knowledge-graph embedding (TransE over authors, concepts and "
                f"citations; cosine {kg_cosine:.2f})",
                share("kg"),
            )
        )
    return sorted(out, key=lambda r: -(r.contribution or 0.0))


def reason_dict(r: Reason) -> dict[str, object]:
    """A reason as plain JSON values (the CLI's --json and the service)."""
    return {
        "kind": r.kind,
        "text": r.text,
        "contribution": r.contribution,
        "items": [{"label": i.label, "iri": i.iri} for i in r.items],
    }
