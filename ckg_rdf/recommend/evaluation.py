"""Ranking metrics and bootstrap intervals for the similar-papers evaluation.

Kept in the package (not in ``benchmarks/``) so the tests can check them on
hand-made rankings, and so every number in the README comes from one
implementation. Relevance is binary: a recommended paper is either in the
truth set of its source paper or not.

- ``precision_at(ranked, relevant, 10)``: share of the first 10 that are relevant
  (a list shorter than 10 counts its missing places as misses).
- ``ndcg_at(ranked, relevant, 10)``: DCG with gain 1 and discount log2(rank + 1),
  divided by the DCG of an ideal list (all relevant first, at most 10 of them).
- ``recall_at(ranked, relevant, 100)``: share of the relevant papers in the first 100.
- ``bootstrap_ci``: percentile interval of the mean over source papers, resampled
  with replacement (the source paper is the unit, as in TREC-style evaluations).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


def precision_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Relevant papers among the first ``k``, divided by ``k``."""
    return sum(1 for x in ranked[:k] if x in relevant) / k


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-gain nDCG@k; 0 when there is nothing relevant."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, x in enumerate(ranked[:k]) if x in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def recall_at(ranked: Sequence[str], relevant: set[str], k: int = 100) -> float:
    """Share of the relevant papers found in the first ``k``; 0 when nothing is relevant."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


#: the metrics every table reports, in order: name -> (function, cut-off)
METRICS = {
    "P@10": (precision_at, 10),
    "nDCG@10": (ndcg_at, 10),
    "R@100": (recall_at, 100),
}


def per_query(
    rankings: Mapping[str, Sequence[str]], truth: Mapping[str, set[str]]
) -> dict[str, np.ndarray]:
    """Metric name -> one value per source paper of ``truth`` (in ``truth``'s order).

    A source without a ranking (no vector in that mode) scores 0 on every
    metric: the mode failed to recommend, which must cost it.
    """
    out = {}
    for name, (fn, k) in METRICS.items():
        out[name] = np.array(
            [fn(list(rankings.get(q, ())), rel, k) for q, rel in truth.items()], dtype=np.float64
        )
    return out


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def overlaps(self, other: Interval) -> bool:
        return not (self.low > other.high or other.low > self.high)

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}]"


def bootstrap_ci(
    values: np.ndarray, *, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> Interval:
    """Mean of ``values`` with a percentile bootstrap interval (resampling the values)."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(resamples, len(values)))
    means = values[idx].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    return Interval(float(values.mean()), float(low), float(high))


def paired_bootstrap(
    a: np.ndarray, b: np.ndarray, *, resamples: int = 2000, level: float = 0.95, seed: int = 0
) -> Interval:
    """Interval of the mean difference ``a - b`` over the same source papers (paired)."""
    return bootstrap_ci(
        np.asarray(a, np.float64) - np.asarray(b, np.float64),
        resamples=resamples,
        level=level,
        seed=seed,
    )
