"""Speed of the default concept backend: vocabulary load time and abstracts/s.

Usage: python benchmarks/bench_concepts.py [CORPUS_DIR_OR_METADATA_CSV] [--repeat N]
       [--backend vocab|learned]

End to end means: title + abstract -> mentions -> aggregated links -> RDF
triples (ConceptStep) -> added to an in-memory pyoxigraph store. The target
(issue 5) is >= 300 abstracts/s on 2 cores: a 1M-paper release in < 1 hour;
issue 15 raised it to >= 500 for the default (vocab) backend.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ckg_rdf.corpus.records import PaperRecord  # noqa: E402
from ckg_rdf.extract.concepts.matcher import VocabularyMatcher  # noqa: E402
from ckg_rdf.extract.concepts.vocabulary import compile_index, load_index  # noqa: E402
from ckg_rdf.pipeline.concepts_step import ConceptStep  # noqa: E402
from ckg_rdf.rdf.graphs import in_graph  # noqa: E402
from ckg_rdf.rdf.iris import IriScheme  # noqa: E402
from ckg_rdf.store.embedded import EmbeddedStore  # noqa: E402


def _papers(path: Path) -> list[PaperRecord]:
    csv_path = path / "metadata.csv" if path.is_dir() else path
    with csv_path.open(encoding="utf-8", newline="") as fh:
        return [
            PaperRecord(paper_id=r["cord_uid"], title=r["title"], abstract=r["abstract"])
            for r in csv.DictReader(fh)
            if r.get("abstract")
        ]


def main() -> None:
    default = ROOT / "examples/cord19-sample"
    if not default.exists():
        default = Path("/work/shared/cord19-sample")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, nargs="?", default=default)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the sample (best counts)")
    ap.add_argument("--backend", default="vocab", choices=["vocab", "learned"])
    args = ap.parse_args()
    papers = _papers(args.corpus)

    t = time.perf_counter()
    compile_index()
    compile_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["CKG_CACHE_DIR"] = tmp
        load_index()  # writes the cache
        t = time.perf_counter()
        index = load_index()
        cached_s = time.perf_counter() - t
    matcher = VocabularyMatcher(index)
    if args.backend == "learned":
        from ckg_rdf.extract.concepts.learned.crf import CrfExtractor

        t = time.perf_counter()
        matcher = CrfExtractor(matcher=matcher)  # type: ignore[assignment]
        print(f"learned backend: {matcher.version}, loaded in {time.perf_counter() - t:.2f} s")
    print(f"vocabulary: {len(index.concepts):,} concepts, {index.n_keys:,} keys")
    print(f"load time: compile {compile_s:.2f} s (first run), from cache {cached_s:.2f} s")

    texts = [f"{p.title}\n{p.abstract}" for p in papers]
    best_extract = best_e2e = 0.0
    for _ in range(args.repeat):
        t = time.perf_counter()
        n_mentions = sum(len(m) for m in matcher.extract_batch(texts))
        best_extract = max(best_extract, len(texts) / (time.perf_counter() - t))
        step, iris, store = ConceptStep(instance=matcher), IriScheme(), EmbeddedStore(None)
        graph = iris.graph("concepts")
        t = time.perf_counter()
        for i in range(0, len(papers), 256):
            store.add(in_graph(step.run(papers[i : i + 256], iris).triples, graph))
        best_e2e = max(best_e2e, len(papers) / (time.perf_counter() - t))
    chars = sum(map(len, texts))
    print(f"sample: {len(papers):,} abstracts, {chars / len(papers):,.0f} chars each on average")
    print(f"mentions: {n_mentions:,}; triples written: {store.count():,}")
    print(f"extraction only: {best_extract:,.0f} abstracts/s")
    print(f"end to end (extract + RDF + store): {best_e2e:,.0f} abstracts/s (vocab target >= 500)")
    print(f"1M abstracts would take about {1_000_000 / best_e2e / 60:.1f} min on this machine")


if __name__ == "__main__":
    main()
