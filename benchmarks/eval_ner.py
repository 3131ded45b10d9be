"""Strict and overlap P/R/F1 per corpus and class for concept backends, side by side.

Usage: python benchmarks/eval_ner.py [--corpora ../shared/ner-corpora] [--split devel|test]
       [--backend vocab] [--backend learned] [--backend learned=MODEL_DIR]
       [--backend model=HF_MODEL_DIR] [--corpus BC5CDR-IOB ...] [--block 10]
       [--speed-abstracts 500] [--metadata ../shared/cord19-sample/metadata.csv]

Each corpus folder's ``{split}.tsv`` is scored on the classes it annotates
(ckg_rdf/extract/concepts/learned/corpora.py, EVAL_TYPES); how texts and spans
are built: ckg_rdf/extract/concepts/evaluation.py. Speed is abstracts/s of
``extract_batch`` over CORD-19 abstracts (the ``abstract`` column of
metadata.csv), one process, after loading.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ckg_rdf.extract.concepts.base import ConceptExtractor  # noqa: E402
from ckg_rdf.extract.concepts.evaluation import (  # noqa: E402
    documents,
    predicted_spans,
    score,
)
from ckg_rdf.extract.concepts.learned.corpora import EVAL_TYPES, read_iob  # noqa: E402

SHARED = ROOT.parent / "shared"


def make_backend(spec: str) -> ConceptExtractor:
    """``vocab``, ``learned``, ``learned=DIR`` or ``model=DIR``."""
    name, _, arg = spec.partition("=")
    if name == "vocab":
        from ckg_rdf.extract.concepts.matcher import VocabularyMatcher

        return VocabularyMatcher()
    if name == "learned":
        from ckg_rdf.extract.concepts.learned import make_learned_extractor

        return make_learned_extractor(Path(arg) if arg else None)
    if name == "model":
        from ckg_rdf.extract.concepts import EXTRACTORS

        return EXTRACTORS.create("model", model_dir=arg)
    raise SystemExit(f"unknown backend {spec!r}: vocab, learned[=DIR] or model=DIR")


def abstracts(metadata: Path, n: int) -> list[str]:
    with metadata.open(encoding="utf-8", newline="") as fh:
        rows = [r["abstract"] for r in csv.DictReader(fh) if r["abstract"].strip()]
    return rows[:n]


def speed(extractor: ConceptExtractor, texts: list[str]) -> float:
    extractor.extract_batch(texts[:10])  # warm-up
    t0 = time.perf_counter()
    extractor.extract_batch(texts)
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=SHARED / "ner-corpora")
    ap.add_argument("--split", default="devel", choices=["train", "devel", "test"])
    ap.add_argument("--backend", action="append", help="repeatable; default: vocab and learned")
    ap.add_argument("--corpus", action="append", help="only this corpus folder (repeatable)")
    ap.add_argument("--block", type=int, default=10, help="sentences per document (default 10)")
    ap.add_argument("--speed-abstracts", type=int, default=500, help="0: no speed test")
    ap.add_argument("--metadata", type=Path, default=SHARED / "cord19-sample" / "metadata.csv")
    args = ap.parse_args()
    specs = args.backend or ["vocab", "learned"]
    backends = []
    for spec in specs:
        t0 = time.perf_counter()
        ex = make_backend(spec)
        backends.append((spec, ex))
        print(f"# {spec}: {ex.version} (loaded in {time.perf_counter() - t0:.1f} s)")
    corpora = [c for c in EVAL_TYPES if not args.corpus or c in args.corpus]
    header = "| corpus | class | gold |"
    rule = "|---|---|---:|"
    for spec, _ in backends:
        header += f" {spec} strict P / R / F1 | {spec} overlap P / R / F1 |"
        rule += "---|---|"
    rows = []
    for corpus in corpora:
        path = args.corpora / corpus / f"{args.split}.tsv"
        if not path.exists():
            print(f"# skipped {corpus}: no {path}")
            continue
        types = EVAL_TYPES[corpus]
        docs = documents(read_iob(path), types, args.block)
        results = []
        for _, ex in backends:
            preds = [
                predicted_spans(((m.start, m.end, m.type) for m in ms), types)
                for ms in ex.extract_batch([d.text for d in docs])
            ]
            results.append(score([d.gold for d in docs], preds))
        for et in types:
            gold = results[0]["strict"].get(et.name)
            row = f"| {corpus.removesuffix('-IOB')} | {et.name} | {gold.gold if gold else 0} |"
            for res in results:
                for mode in ("strict", "overlap"):
                    c = res[mode].get(et.name)
                    p, r, f = c.prf() if c else (0.0, 0.0, 0.0)
                    row += f" {p:.2f} / {r:.2f} / **{f:.2f}** |"
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    print(f"\n{args.split} split, {args.corpora}\n")
    print(header)
    print(rule)
    print("\n".join(rows))
    if args.speed_abstracts and args.metadata.exists():
        texts = abstracts(args.metadata, args.speed_abstracts)
        print(f"\nSpeed on {len(texts)} CORD-19 abstracts (one process):")
        for spec, ex in backends:
            print(f"- {spec}: {speed(ex, texts):,.0f} abstracts/s")


if __name__ == "__main__":
    main()
