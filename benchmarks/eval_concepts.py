"""Precision, recall and F1 per type of the concept extractor on the gold set.

Usage: python benchmarks/eval_concepts.py [--gold tests/data/concepts_gold.jsonl]
       [--backend vocab|model|learned] [--ner-model PATH]

Strict: same span and same type. Lenient: overlapping spans, same type.
Negated mentions count as predictions (negation is a flag, not a deletion).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ckg_rdf.extract.concepts import EXTRACTORS  # noqa: E402
from ckg_rdf.extract.concepts.base import CONCEPT_TYPES  # noqa: E402

Span = tuple[int, int, str]


def score(gold: list[list[Span]], pred: list[list[Span]]) -> dict[str, dict[str, Counter]]:
    """Per type: true positives, predicted and gold counts, strict and lenient."""
    out = {
        m: {"tp": Counter(), "pred": Counter(), "gold": Counter()} for m in ("strict", "lenient")
    }
    for g, p in zip(gold, pred, strict=True):
        for mode in out:
            out[mode]["gold"].update(t for _, _, t in g)
            out[mode]["pred"].update(t for _, _, t in p)
        gs = set(g)
        out["strict"]["tp"].update(t for s, e, t in p if (s, e, t) in gs)
        used: set[Span] = set()
        for s, e, t in p:
            hit = next(
                (x for x in g if x not in used and x[2] == t and x[0] < e and s < x[1]), None
            )
            if hit is not None:
                used.add(hit)
                out["lenient"]["tp"][t] += 1
    return out


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT / "tests/data/concepts_gold.jsonl")
    ap.add_argument("--backend", default="vocab", choices=["vocab", "model", "learned"])
    ap.add_argument("--ner-model", type=Path, default=None)
    args = ap.parse_args()
    rows = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line]
    options = {"model_dir": str(args.ner_model)} if args.ner_model else {}
    extractor = EXTRACTORS.create(args.backend, **options)
    gold = [[(s, e, t) for s, e, t, _ in row["entities"]] for row in rows]
    pred = [
        [(m.start, m.end, m.type) for m in ms]
        for ms in extractor.extract_batch([row["text"] for row in rows])
    ]
    result = score(gold, pred)
    print(f"{len(rows)} sentences, {sum(map(len, gold))} gold spans, extractor {extractor.version}")
    for mode, c in result.items():
        print(f"\n{mode} (span {'exact' if mode == 'strict' else 'overlap'} + type)")
        print(f"{'type':<26}{'gold':>6}{'pred':>6}{'P':>7}{'R':>7}{'F1':>7}")
        for t in (*CONCEPT_TYPES, "ALL"):
            if t == "ALL":
                tp, npred, ngold = (sum(c[k].values()) for k in ("tp", "pred", "gold"))
            else:
                tp, npred, ngold = c["tp"][t], c["pred"][t], c["gold"][t]
            p, r, f = prf(tp, npred, ngold)
            print(f"{t:<26}{ngold:>6}{npred:>6}{p:>7.2f}{r:>7.2f}{f:>7.2f}")


if __name__ == "__main__":
    main()
