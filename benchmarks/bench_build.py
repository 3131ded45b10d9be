"""Build throughput on a sample corpus, against loading the same triples into rdflib.

Prints papers/s and triples/s of the build's spine (parse + extract + RDF +
Oxigraph bulk load + citation resolution; concepts and embeddings, which have
their own benchmarks, are left out) and, as the named baseline measured in the
same run, rdflib's in-memory Graph loading the very same triples (parsing the
N-Triples export), plus pyoxigraph's own bulk loader on that file.

    python benchmarks/bench_build.py [CORPUS_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
import rdflib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.building import build_spine, open_graph  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "examples/cord19-sample")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    build_times, rdflib_times, ox_times = [], [], []
    papers = triples = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "store"
            t0 = time.perf_counter()
            report = build_spine(args.corpus, store)
            build_times.append(time.perf_counter() - t0)
            papers, triples = report.papers_read, report.triples_after
            nt = Path(tmp) / "graph.nt"
            open_graph(store).export(nt, "nt")

            t0 = time.perf_counter()
            g = rdflib.Graph()
            g.parse(nt, format="nt")
            rdflib_times.append(time.perf_counter() - t0)
            assert len(g) == triples

            t0 = time.perf_counter()
            ox = pyoxigraph.Store(str(Path(tmp) / "ox"))
            ox.bulk_load(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES)
            ox.flush()
            ox_times.append(time.perf_counter() - t0)

    b, r, o = (statistics.median(x) for x in (build_times, rdflib_times, ox_times))
    print(f"corpus: {args.corpus}  papers: {papers:,}  triples: {triples:,}  runs: {args.repeat}")
    print(f"{'what':<52}{'seconds':>9}{'papers/s':>11}{'triples/s':>12}{'vs rdflib':>11}")
    rows = [
        ("build, spine (read+extract+RDF+load+citations)", b),
        ("baseline: rdflib Graph.parse of the same N-Triples", r),
        ("pyoxigraph bulk_load of the same N-Triples (disk)", o),
    ]
    for name, t in rows:
        print(f"{name:<52}{t:>9.2f}{papers / t:>11,.0f}{triples / t:>12,.0f}{r / t:>10.2f}x")


if __name__ == "__main__":
    main()
