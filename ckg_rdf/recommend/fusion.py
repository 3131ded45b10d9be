"""Features of a (paper, candidate) pair and their fusion into one score.

Why a weighted sum of normalised scores rather than reciprocal rank fusion:
both were measured on the evaluation's tuning split (``benchmarks/eval_recommend.py``)
and the linear fusion was at least as good on every truth, while it also lets
graph signals that exist only for some candidates (a co-citation) add to the
text scores instead of needing a ranking of their own. The weights are not set
by hand: they are chosen by coordinate ascent on the tuning split and shipped in
``weights.json`` next to this module, with the numbers that chose them.

Each feature is on a 0-1-ish scale before weighting:

- ``bm25``: BM25 of the candidate for the paper's title+abstract, min-max over the candidates;
- ``dense``: cosine of the text embeddings, min-max over the candidates;
- ``kg``: cosine of the TransE vectors (0 when either has none);
- ``concepts`` / ``topics``: cosine of the two sets, |A and B| / sqrt(|A| |B|);
- ``co_cited``: log(1 + papers citing both); ``cites_same``: log(1 + references shared);
- ``citation``: 1 when one cites the other.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ckg_rdf.recommend.graph import Evidence

FEATURES = ("bm25", "dense", "kg", "concepts", "topics", "co_cited", "cites_same", "citation")
WEIGHTS_FILE = Path(__file__).resolve().parent / "weights.json"


@dataclass(frozen=True)
class FusionWeights:
    """One weight per feature (absent = 0), and where they came from."""

    weights: Mapping[str, float]
    chosen_by: str = "by hand"
    measured: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown feature(s) {sorted(unknown)}; known: {FEATURES}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("feature weights must be non-negative")

    def vector(self) -> np.ndarray:
        return np.array([float(self.weights.get(f, 0.0)) for f in FEATURES])

    def uses(self, feature: str) -> bool:
        return float(self.weights.get(feature, 0.0)) > 0

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> FusionWeights:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {k: float(v) for k, v in data["weights"].items()},
            data.get("chosen_by", ""),
            data.get("measured", {}),
        )

    def save(self, path: Path = WEIGHTS_FILE) -> None:
        data = {
            "weights": {f: float(self.weights.get(f, 0.0)) for f in FEATURES},
            "chosen_by": self.chosen_by,
            "measured": self.measured,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _minmax(x: np.ndarray) -> np.ndarray:
    finite = np.isfinite(x)
    out = np.zeros(len(x), np.float64)
    if not finite.any():
        return out
    lo, hi = float(x[finite].min()), float(x[finite].max())
    out[finite] = (x[finite] - lo) / (hi - lo) if hi > lo else 1.0
    return out


def set_cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """|a and b| / sqrt(|a| |b|); 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def feature_matrix(
    candidates: Sequence[str],
    bm25: np.ndarray,
    dense: np.ndarray,
    kg: np.ndarray,
    evidence: Evidence,
) -> np.ndarray:
    """(len(candidates), len(FEATURES)) normalised features, columns in ``FEATURES`` order.

    ``bm25``, ``dense`` and ``kg`` are raw scores aligned with ``candidates``
    (-inf or nan where a candidate has no score of that kind).
    """
    n = len(candidates)
    X = np.zeros((n, len(FEATURES)), np.float64)
    if n == 0:
        return X
    X[:, 0] = _minmax(np.asarray(bm25, np.float64))
    X[:, 1] = _minmax(np.asarray(dense, np.float64))
    kg = np.asarray(kg, np.float64)
    X[:, 2] = np.where(np.isfinite(kg), kg, 0.0)
    own_c = evidence.concepts.get(evidence.paper, frozenset())
    own_t = evidence.topics.get(evidence.paper, frozenset())
    for i, c in enumerate(candidates):
        X[i, 3] = set_cosine(own_c, evidence.concepts.get(c, frozenset()))
        X[i, 4] = set_cosine(own_t, evidence.topics.get(c, frozenset()))
        X[i, 5] = math.log1p(evidence.count("co_cited", c))
        X[i, 6] = math.log1p(evidence.count("cites_same", c))
        X[i, 7] = 1.0 if evidence.count("cites", c) or evidence.count("cited_by", c) else 0.0
    return X


def fuse(X: np.ndarray, weights: FusionWeights) -> np.ndarray:
    """The fused score of each row: the weighted sum of its features."""
    return X @ weights.vector() if len(X) else np.zeros(0)


def order(scores: np.ndarray, candidates: Sequence[str]) -> list[int]:
    """Row indices best first; ties broken by IRI so a ranking is reproducible."""
    return sorted(range(len(candidates)), key=lambda i: (-float(scores[i]), candidates[i]))


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> dict[str, float]:
    """Reciprocal rank fusion (Cormack et al. 2009): sum of 1 / (k + rank) over the rankings.

    Kept as the parameter-free alternative the evaluation compares against.
    """
    out: dict[str, float] = {}
    for ranking in rankings:
        for r, item in enumerate(ranking, 1):
            out[item] = out.get(item, 0.0) + 1.0 / (k + r)
    return out
