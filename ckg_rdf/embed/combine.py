"""Combining the semantic and KG vectors of a paper into one comparable vector.

Each part is L2-normalised, multiplied by its weight, and the parts are
concatenated; the weights are scaled so that their squares sum to 1, which
makes a paper with both parts a unit vector and the inner product of two such
papers exactly the cosine of the concatenations (= the weighted mean of the
per-part cosines, weights squared).

A paper lacking a part (no text, or no edge in the graph) gets zeros there:
that part then adds nothing to any score. When such a paper is the *query*,
its scores are divided by the squared weight of the parts it has, so it is
ranked, and scored on a 0-1 cosine scale, by its available parts alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODES = ("semantic", "kg", "combined")


def unit_rows(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(n > 0, n, 1.0)).astype(np.float32)


@dataclass
class CombinedSpace:
    """Rows of one search space: paper IRIs, vectors, and each row's query scale."""

    iris: list[str]
    vectors: np.ndarray  # (n, d) float32
    query_scale: np.ndarray  # (n,) sum of squared weights of the parts the row has


def combine(parts: list[tuple[list[str], np.ndarray]], weights: list[float]) -> CombinedSpace:
    """Weighted concatenation of L2-normalised parts over the union of their papers."""
    if len(parts) != len(weights):
        raise ValueError("one weight per part")
    w = np.asarray(weights, dtype=np.float64)
    if (w < 0).any() or not (w > 0).any():
        raise ValueError("weights must be non-negative and not all zero")
    w = w / np.sqrt((w**2).sum())
    iris = sorted({iri for p_iris, _ in parts for iri in p_iris})
    pos = {iri: i for i, iri in enumerate(iris)}
    dims = [m.shape[1] if len(p) else 0 for p, m in parts]
    out = np.zeros((len(iris), sum(dims)), np.float32)
    scale = np.zeros(len(iris), np.float64)
    off = 0
    for (p_iris, mat), dim, wi in zip(parts, dims, w, strict=True):
        if len(p_iris):
            rows = np.fromiter((pos[i] for i in p_iris), dtype=np.int64, count=len(p_iris))
            out[rows, off : off + dim] = unit_rows(mat) * np.float32(wi)
            scale[rows] += wi**2
        off += dim
    return CombinedSpace(iris, out, scale.astype(np.float32))
