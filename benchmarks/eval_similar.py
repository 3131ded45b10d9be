"""The three similarity modes side by side, as the original system evaluated them.

For every paper with a vector (or --sources N of them), take its top-k in each
mode and measure over the recommendations:

- popularity: mean in-corpus citation count (ckg:cites in-degree) of recommendations;
- concept overlap: mean Jaccard of ckg:associatedConcept sets, source vs recommendation;
- topic overlap: the same for ckg:associatedTopic (when topics are present);
- abstract similarity: mean TF-IDF cosine of abstracts (independent of the
  embedding model, so semantic mode does not grade itself).

It also writes a 2-D projection (PCA) of the combined space to docs/.

    python benchmarks/eval_similar.py --store ckg-data [--k 10] [--png FILE.png]
"""

from __future__ import annotations

import argparse
import math
import re
from collections import Counter
from pathlib import Path

import numpy as np

from ckg_rdf.embed.combine import MODES
from ckg_rdf.embed.index import SimilarityIndex, UnknownPaperError, paper_local_id
from ckg_rdf.store import open_store
from ckg_rdf.vocab import CKG


def _sets(store, pred) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, set[str]] = {}
    for s in store.query(f"SELECT ?p ?o WHERE {{ ?p <{pred.value}> ?o }}"):
        out.setdefault(s["p"].value, set()).add(s["o"].value)
    return out


def _tfidf(abstracts: dict[str, str]) -> dict[str, dict[str, float]]:
    docs = {k: Counter(re.findall(r"[a-z]{3,}", v.lower())) for k, v in abstracts.items() if v}
    df: Counter[str] = Counter()
    for c in docs.values():
        df.update(c.keys())
    n = len(docs)
    out = {}
    for k, c in docs.items():
        v = {w: tf * math.log((1 + n) / (1 + df[w])) for w, tf in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out[k] = {w: x / norm for w, x in v.items()}
    return out


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--store", type=Path, default=Path("ckg-data"))
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--sources", type=int, default=0, help="0 = every paper")
    ap.add_argument("--png", type=Path, default=Path("docs/similar_projection.png"))
    args = ap.parse_args()

    store = open_store(args.store, read_only=True)
    index = SimilarityIndex.open(store)
    cited: Counter[str] = Counter(
        s["o"].value for s in store.query(f"SELECT ?o WHERE {{ ?s <{CKG.cites.value}> ?o }}")
    )
    concepts = _sets(store, CKG.associatedConcept)
    topics = _sets(store, CKG.associatedTopic)
    abstracts = {
        s["p"].value: s["a"].value
        for s in store.query(f"SELECT ?p ?a WHERE {{ ?p <{CKG.abstract.value}> ?a }}")
    }
    tfidf = _tfidf(abstracts)
    sources = index.spaces["combined"].space.iris
    if args.sources:
        rng = np.random.default_rng(0)
        sources = list(rng.choice(sources, min(args.sources, len(sources)), replace=False))
    print(
        f"{len(sources)} source papers, top-{args.k}; corpus mean citations "
        f"{np.mean([cited[i] for i in index.spaces['combined'].space.iris]):.3f}"
    )
    cols = ("mode", "sources", "citations", "concept J", "topic J", "abstract cos")
    print("{:<9} {:>8} {:>10} {:>10} {:>8} {:>13}".format(*cols))
    for mode in MODES:
        pop, con, top, abs_ = [], [], [], []
        n = 0
        for iri in sources:
            try:
                hits = index.similar(paper_local_id(iri), args.k, mode)
            except UnknownPaperError:
                continue
            n += 1
            for h, _ in hits:
                pop.append(cited[h])
                con.append(_jaccard(concepts.get(iri, set()), concepts.get(h, set())))
                top.append(_jaccard(topics.get(iri, set()), topics.get(h, set())))
                if iri in tfidf and h in tfidf:
                    abs_.append(_cos(tfidf[iri], tfidf[h]))
        m = [float(np.mean(x)) if x else float("nan") for x in (pop, con, top, abs_)]
        print(f"{mode:<9} {n:>8} {m[0]:>10.3f} {m[1]:>10.3f} {m[2]:>8.3f} {m[3]:>13.3f}")

    sp = index.spaces["combined"].space
    x = sp.vectors - sp.vectors.mean(0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    xy = x @ vt[:2].T
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colour = np.log1p([cited[i] for i in sp.iris])
    fig, ax = plt.subplots(figsize=(7, 6), dpi=110)
    pts = ax.scatter(xy[:, 0], xy[:, 1], s=6, c=colour, cmap="viridis", alpha=0.7)
    fig.colorbar(pts, label="log(1 + in-corpus citations)")
    ax.set_title(f"Combined space (text + TransE), PCA, {len(sp.iris)} papers")
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    args.png.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(args.png)
    print(f"projection written to {args.png}")


if __name__ == "__main__":
    main()
