"""How the build scales: synthetic CORD-19-shaped corpora of 10k, 30k, 100k papers,
built with the local and the Dask executor in the same run.

    python benchmarks/bench_scale.py                      # 10k, 30k, 100k; graph only
    python benchmarks/bench_scale.py --modes graph,search --sizes 10000
    python benchmarks/bench_scale.py --modes graph,concepts --sizes 10000,100000

Each corpus is made by ``benchmarks/synthetic_corpus.py`` from the real
sample's text (kept in ``--workdir`` and reused). Each build is a separate
``ckg build`` process; for each it prints wall time, papers/s, CPU seconds
per paper and papers per CPU-second (all processes: the driver and every
Dask worker, from the kernel's accounting of the finished process tree),
peak RSS (the sum over the process tree, sampled every 0.2 s), the store's
size on disk and the time of the slowest phases from the build record.

Baselines, measured in the same run:
* **local**: the ``local`` executor at the same size (the dask/local ratio);
* **bulk load**: loading the build's own triples (``ckg export`` N-Quads) into
  a fresh store with pyoxigraph's bulk loader, i.e. what the store alone costs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
CKG = [sys.executable, "-m", "ckg_rdf.cli"]


@dataclass
class Run:
    size: int
    mode: str
    executor: str
    papers: int = 0
    triples: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss: int = 0
    store_bytes: int = 0
    phases: dict[str, list[float]] = field(default_factory=dict)
    ok: bool = True


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _tree_rss(proc: psutil.Process) -> int:
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measured(cmd: list[str]) -> tuple[float, float, int, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; wall seconds, CPU seconds of its whole tree, peak tree RSS."""
    cpu0 = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(ps))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu0
    return wall, cpu, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def corpus(workdir: Path, size: int) -> Path:
    path = workdir / f"corpus-{size}"
    if not (path / "metadata.csv").is_file():
        shutil.rmtree(path, ignore_errors=True)
        print(f"making a {size:,}-paper corpus in {path} ...", flush=True)
        subprocess.run(
            [sys.executable, str(HERE / "synthetic_corpus.py"), str(path), "--papers", str(size)],
            check=True,
        )
    return path


def build(workdir: Path, size: int, mode: str, executor: str, workers: int | None) -> Run:
    store = workdir / f"store-{size}-{mode}-{executor}"
    shutil.rmtree(store, ignore_errors=True)
    cmd = [*CKG, "build", str(corpus(workdir, size)), "--store", str(store), "-q"]
    cmd += ["--no-embeddings", "--no-topics", "--executor", executor]
    # graph: papers, authors, institutions, citations, ranks, the dataset description;
    # search: + the full-text search index; concepts: + medical concepts (no search)
    cmd += ["--concepts"] if mode == "concepts" else ["--no-concepts"]
    cmd += ["--search"] if mode == "search" else ["--no-search"]
    if workers and executor == "dask":
        cmd += ["--workers", str(workers)]
    wall, cpu, peak, done = measured(cmd)
    run = Run(size, mode, executor, wall=wall, cpu=cpu, peak_rss=peak)
    if done.returncode != 0:
        print(f"FAILED ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}", flush=True)
        run.ok = False
        return run
    record = json.loads((store / "build.json").read_text())
    run.papers, run.triples = record["papers"], record["triples"]
    run.phases = record.get("phases", {})
    run.store_bytes = dir_size(store / "oxigraph")
    return run


def bulk_load_baseline(workdir: Path, run: Run) -> tuple[float, int]:
    """CPU seconds to bulk-load the build's own triples into a fresh store, and its size."""
    store = workdir / f"store-{run.size}-{run.mode}-{run.executor}"
    dump = workdir / f"dump-{run.size}.nq"
    subprocess.run([*CKG, "export", str(dump), "--store", str(store)], check=True,
                   capture_output=True)  # fmt: skip
    fresh = workdir / f"bulk-{run.size}"
    shutil.rmtree(fresh, ignore_errors=True)
    code = (
        "import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); "
        "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); s.optimize(); s.flush()"
    )
    _, cpu, _, done = measured([sys.executable, "-c", code, str(fresh), str(dump)])
    size = dir_size(fresh) if done.returncode == 0 else 0
    dump.unlink(missing_ok=True)
    shutil.rmtree(fresh, ignore_errors=True)
    return cpu, size


def slowest(phases: dict[str, list[float]]) -> str:
    top = sorted(phases.items(), key=lambda kv: -kv[1][0])[:3]
    return ", ".join(f"{k} {v[0]:.0f}s" for k, v in top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument(
        "--modes",
        default="graph",
        help="comma-separated: graph (the RDF graph alone), search (+ the search index), "
        "concepts (+ medical concepts)",
    )
    parser.add_argument("--executors", default="local,dask")
    parser.add_argument("--workers", type=int, default=None, help="dask workers (default cores)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ckg-bench-scale"))
    parser.add_argument("--no-bulk-baseline", action="store_true")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# bench_scale: {os.cpu_count()} cores, sizes {sizes}, modes {args.modes}", flush=True)
    header = (
        f"{'papers':>8} {'mode':<9} {'executor':<6} {'wall s':>7} {'papers/s':>8} "
        f"{'CPU ms/paper':>12} {'papers/CPU-s':>12} {'peak RSS MB':>11} {'store MB':>8} "
        f"{'vs local':>8}  slowest phases"
    )
    runs: list[Run] = []
    print(header, flush=True)
    for size in sizes:
        for mode in args.modes.split(","):
            local: Run | None = None
            for executor in args.executors.split(","):
                run = build(args.workdir, size, mode, executor, args.workers)
                runs.append(run)
                if not run.ok:
                    continue
                if executor == "local":
                    local = run
                ratio = f"{local.wall / run.wall:.2f}x" if local and run is not local else "1.00x"
                print(
                    f"{run.papers:>8,} {mode:<9} {executor:<6} {run.wall:>7.1f} "
                    f"{run.papers / run.wall:>8.0f} {1000 * run.cpu / run.papers:>12.2f} "
                    f"{run.papers / run.cpu:>12.0f} {run.peak_rss / 2**20:>11.0f} "
                    f"{run.store_bytes / 2**20:>8.0f} {ratio:>8}  {slowest(run.phases)}",
                    flush=True,
                )
            if local is not None and not args.no_bulk_baseline:
                cpu, size_bytes = bulk_load_baseline(args.workdir, local)
                print(
                    f"{'':>8} {'':<9} bulk load of the same {local.triples:,} triples: "
                    f"{cpu:.1f} CPU-s ({local.cpu / cpu:.1f}x less than the build), store "
                    f"{size_bytes / 2**20:.0f} MB ({local.store_bytes / max(size_bytes, 1):.2f}x "
                    "smaller than the build's)",
                    flush=True,
                )
    ok = [r for r in runs if r.ok]
    for mode in args.modes.split(","):
        for executor in args.executors.split(","):
            same = sorted((r for r in ok if r.mode == mode and r.executor == executor),
                          key=lambda r: r.size)  # fmt: skip
            if len(same) >= 2:
                small, big = same[0], same[-1]
                print(
                    f"peak RSS {mode}/{executor}: {big.size:,} papers / {small.size:,} papers = "
                    f"{big.peak_rss / small.peak_rss:.2f}x; papers per CPU-s "
                    f"{small.papers / small.cpu:.0f} -> {big.papers / big.cpu:.0f}"
                )
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
