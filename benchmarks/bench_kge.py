"""AmpliGraph against PyKEEN TransE on the same triples, in one run: epoch time and link prediction.

Triples come from a built store (``--store``: every authored_by, affiliated_with,
cites, associated_concept, associated_topic edge), or, before a build exists,
straight from the sample's full-text JSON (``--sample``: paper-author by
normalised name, author-institution, and citations resolved by normalised
title). Both backends get the same split, dimension, epochs, learning rate,
batch size and negatives; metrics are computed by one numpy protocol
(filtered, both sides) from the vectors each returns.

    python benchmarks/bench_kge.py [--store ckg-data | --sample DIR] [--epochs 100]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import numpy as np

from ckg_rdf.embed.kge import (
    KGE_BACKENDS,
    KGEConfig,
    KGEError,
    link_prediction_metrics,
    split_triples,
)


def _norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", s.lower()).strip()


def sample_triples(root: Path) -> np.ndarray:
    papers = [json.loads(p.read_text()) for p in sorted(root.glob("*/*.json"))]
    by_title = {
        _norm(p["metadata"]["title"]): p["paper_id"] for p in papers if p["metadata"]["title"]
    }
    rows: set[tuple[str, str, str]] = set()
    for p in papers:
        pid = "paper/" + p["paper_id"]
        for a in p["metadata"]["authors"]:
            name = _norm(f"{a.get('first', '')} {a.get('last', '')}")
            if not a.get("last") or not name:
                continue
            rows.add((pid, "authored_by", "author/" + name))
            inst = (a.get("affiliation") or {}).get("institution", "")
            if inst:
                rows.add(("author/" + name, "affiliated_with", "inst/" + _norm(inst)))
        for b in p["bib_entries"].values():
            cited = by_title.get(_norm(b.get("title", "")))
            if cited and cited != p["paper_id"]:
                rows.add((pid, "cites", "paper/" + cited))
    return np.asarray(sorted(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--store", type=Path)
    ap.add_argument("--sample", type=Path, default=Path("../shared/cord19-sample"))
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--batch-size", type=int, default=4096)
    ap.add_argument("--negatives", type=int, default=5)
    ap.add_argument("--backends", nargs="+", default=["ampligraph", "pykeen"])
    args = ap.parse_args()

    if args.store:
        from ckg_rdf.datadir import DataDir
        from ckg_rdf.embed.kge import graph_triples

        triples = graph_triples(DataDir(args.store).open_store())
        source = str(args.store)
    else:
        triples = sample_triples(args.sample)
        source = f"{args.sample} (full-text JSON)"
    rels = {r: int((triples[:, 1] == r).sum()) for r in np.unique(triples[:, 1])}
    train, test = split_triples(triples, 0.1, seed=0)
    print(f"triples: {len(triples)} from {source}; {rels}; train {len(train)}, test {len(test)}")
    cfg = KGEConfig(
        dim=args.dim,
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        negatives=args.negatives,
    )
    print(
        f"TransE dim {cfg.dim}, {cfg.epochs} epochs, Adam lr {cfg.lr}, batch {cfg.batch_size},"
        f" {cfg.negatives} negatives per positive (head or tail corrupted)"
    )
    head = ("backend", "s/epoch", "total s", "MRR", "H@1", "H@3", "H@10")
    print("{:<11} {:>8} {:>8} {:>7} {:>6} {:>6} {:>6}".format(*head))
    for name in args.backends:
        try:
            t = time.perf_counter()
            model = KGE_BACKENDS.create(name).fit(train, cfg)
            total = time.perf_counter() - t
        except KGEError as exc:
            print(f"{name:<11} skipped: {exc}")
            continue
        m = link_prediction_metrics(model, test, triples)
        # the first epoch includes graph compilation / data set-up: report the median
        epoch = float(np.median(model.epoch_seconds))
        print(
            f"{name:<11} {epoch:>8.3f} {total:>8.1f} {m['mrr']:>7.3f} {m['hits@1']:>6.3f}"
            f" {m['hits@3']:>6.3f} {m['hits@10']:>6.3f}"
        )


if __name__ == "__main__":
    main()
