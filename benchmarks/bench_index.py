"""Top-10 latency (p50/p99) and recall@10 of the HNSW index against numpy brute force.

Synthetic clustered unit vectors of the combined dimension (384 MiniLM + 64
TransE = 448 by default; --dim 832 for SciBERT + TransE). 200k vectors by
default, --n 1000000 for the issue's 1M target (p99 < 5 ms single-threaded,
recall@10 >= 0.95). Queries run one at a time on one thread, as a request would.

    python benchmarks/bench_index.py [--n 200000] [--dim 448] [--queries 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def clustered(n: int, dim: int, clusters: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    out = np.empty((n, dim), np.float32)
    step = 50_000
    for s in range(0, n, step):
        m = min(step, n - s)
        lab = rng.integers(0, clusters, m)
        out[s : s + m] = centres[lab] + 0.6 * rng.normal(size=(m, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--dim", type=int, default=448)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--clusters", type=int, default=500)
    ap.add_argument("--m", type=int, default=32)
    ap.add_argument("--ef-construction", type=int, default=200)
    ap.add_argument("--ef-search", type=int, nargs="+", default=[64, 128, 256])
    args = ap.parse_args()

    import faiss

    from ckg_rdf.embed.index import build_hnsw

    t = time.perf_counter()
    x = clustered(args.n, args.dim, args.clusters, 0)
    rng = np.random.default_rng(1)
    qi = rng.choice(args.n, args.queries, replace=False)
    q = x[qi] + 0.05 * rng.normal(size=(args.queries, args.dim)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    print(f"data: {args.n} x {args.dim} in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    truth = np.empty((args.queries, 10), np.int64)
    for s in range(0, args.queries, 100):
        sc = q[s : s + 100] @ x.T
        top = np.argpartition(-sc, 10, axis=1)[:, :10]
        order = np.argsort(-np.take_along_axis(sc, top, 1), axis=1)
        truth[s : s + 100] = np.take_along_axis(top, order, 1)
    brute_ms = (time.perf_counter() - t) / args.queries * 1000
    print(f"numpy brute force: {brute_ms:.2f} ms/query (batched by 100)")

    t = time.perf_counter()
    index = build_hnsw(x, args.m, args.ef_construction)
    print(f"HNSW build (M={args.m}, efC={args.ef_construction}): {time.perf_counter() - t:.1f} s")

    faiss.omp_set_num_threads(1)
    print(f"{'efSearch':>8} {'p50 ms':>8} {'p99 ms':>8} {'recall@10':>10}")
    for ef in args.ef_search:
        index.hnsw.efSearch = ef
        lat = np.empty(args.queries)
        found = np.empty((args.queries, 10), np.int64)
        for i in range(args.queries):
            t0 = time.perf_counter()
            _, ids = index.search(q[i : i + 1], 10)
            lat[i] = (time.perf_counter() - t0) * 1000
            found[i] = ids[0]
        recall = np.mean([len(set(found[i]) & set(truth[i])) / 10 for i in range(args.queries)])
        p50, p99 = np.percentile(lat, [50, 99])
        print(f"{ef:>8} {p50:>8.3f} {p99:>8.3f} {recall:>10.4f}")


if __name__ == "__main__":
    main()
