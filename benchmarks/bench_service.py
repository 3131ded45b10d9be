"""Load test of `ckg serve`, plain and adversarial, against a baseline measured in the same run.

Builds the sample graph (unless --store is given), starts the real server (`ckg serve`,
uvicorn + query worker processes) on 127.0.0.1 and measures:

* ``load``: a bounded burst of ``--requests`` requests with ``--concurrency`` in flight, half
  SPARQL queries of a few shapes, half dereferences (Turtle, JSON-LD, HTML);
* ``adversarial``: light traffic (small SELECTs, dereferences, pages) for ``--seconds``, first
  alone (the baseline), then with N heavy queries that never finish on their own running
  beside it (N = workers and 2 x workers, each heavy client on its own loopback address and
  hanging up after 5 s to send the next), plus clients that abandon their queries after 0.5 s.
  It prints light p50/p99 and error counts per scenario, and p99 as a ratio of the baseline's.

    python benchmarks/bench_service.py [--mode load|adversarial|both] [--workers 2]

All traffic stays on 127.0.0.0/8; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.building import build_graph  # noqa: E402

SAMPLE = ROOT / "examples" / "cord19-sample"

QUERIES = [
    "SELECT ?p ?t WHERE { ?p a ckg:Paper ; ckg:title ?t } LIMIT 20",
    "SELECT ?a (COUNT(?p) AS ?n) WHERE { ?p ckg:authoredBy ?a } "
    "GROUP BY ?a ORDER BY DESC(?n) LIMIT 10",
    "ASK { ?p ckg:cites ?q }",
    "CONSTRUCT { ?p ckg:cites ?q } WHERE { ?p ckg:cites ?q } LIMIT 50",
]
LIGHT = ["SELECT ?p ?t WHERE { ?p a ckg:Paper ; ckg:title ?t } LIMIT 10", "ASK { ?p ckg:cites ?q }"]
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ACCEPTS = ["text/turtle", "application/ld+json", "text/html", "application/n-triples"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from ckg_rdf.cli import main; main()", "serve",
           "--store", str(store), "--port", str(port), "--workers", str(workers)]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(url + "/.well-known/void", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not become ready")


def resources(url: str) -> list[str]:
    q = (
        "SELECT ?x WHERE { { ?x a ckg:Paper } UNION { ?x a ckg:Author } "
        "UNION { ?x a ckg:Institution } } LIMIT 3000"
    )
    r = httpx.get(url + "/sparql", params={"query": q, "format": "json"}, timeout=30)
    r.raise_for_status()
    return [b["x"]["value"] for b in r.json()["results"]["bindings"]]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0

    def p(self, q: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(len(xs) * q))] * 1000 if xs else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")


def light_request(
    rng: random.Random, iris: list[str], base: str, url: str
) -> tuple[str, dict, dict]:
    kind = rng.randrange(3)
    if kind == 0:
        return url + "/sparql", {"query": rng.choice(LIGHT)}, {"Accept": "application/json"}
    iri = rng.choice(iris)
    accept = "text/html" if kind == 2 else rng.choice(ACCEPTS[:2])
    return url + "/" + iri[len(base) :], {}, {"Accept": accept}


async def timed(client: httpx.AsyncClient, req: tuple[str, dict, dict], stats: Stats) -> None:
    u, params, headers = req
    t0 = time.perf_counter()
    try:
        r = await client.get(u, params=params, headers=headers)
        ok = r.status_code == 200
    except httpx.HTTPError:
        ok = False
    stats.latencies.append(time.perf_counter() - t0)
    stats.errors += not ok


async def burst(requests: list[tuple[str, dict, dict]], concurrency: int) -> Stats:
    stats = Stats()
    queue: asyncio.Queue[tuple[str, dict, dict]] = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                await timed(client, queue.get_nowait(), stats)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        stats.wall = time.perf_counter() - t0
    return stats


async def heavy_client(url: str, address: str, until: float, hang_up_s: float) -> dict[int, int]:
    """Send never-ending queries from ``address`` until ``until``; hang up after ``hang_up_s``."""
    outcomes: dict[int, int] = {}
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(transport=transport, timeout=hang_up_s) as client:
        while time.monotonic() < until:
            try:
                r = await client.get(url + "/sparql", params={"query": HEAVY})
                outcomes[r.status_code] = outcomes.get(r.status_code, 0) + 1
                if r.status_code in (429, 503):
                    await asyncio.sleep(0.5)
            except httpx.TimeoutException:
                outcomes[0] = outcomes.get(0, 0) + 1  # hung up
            except httpx.HTTPError:
                outcomes[-1] = outcomes.get(-1, 0) + 1
    return outcomes


async def scenario(
    url: str, iris: list[str], base: str, heavy: int, seconds: float, seed: int
) -> tuple[Stats, dict[int, int]]:
    rng = random.Random(seed)
    until = time.monotonic() + seconds
    heavies = [
        asyncio.create_task(heavy_client(url, f"127.0.0.{10 + i}", until, 5.0))
        for i in range(heavy)
    ]
    abandoners = [
        asyncio.create_task(heavy_client(url, f"127.0.1.{10 + i}", until, 0.5))
        for i in range(2 if heavy else 0)
    ]
    if heavy:
        await asyncio.sleep(2.0)  # let the heavy queries turn heavy first
    stats = Stats()
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def light() -> None:
            while time.monotonic() < until:
                await timed(client, light_request(rng, iris, base, url), stats)

        t0 = time.perf_counter()
        await asyncio.gather(*(light() for _ in range(4)))
        stats.wall = time.perf_counter() - t0
    outcomes: dict[int, int] = {}
    for task in heavies + abandoners:
        for code, n in (await task).items():
            outcomes[code] = outcomes.get(code, 0) + n
    return stats, outcomes


def run_load(url: str, iris: list[str], base: str, args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    reqs = []
    for i in range(args.requests):
        if i % 2 == 0:
            reqs.append(
                (
                    url + "/sparql",
                    {"query": rng.choice(QUERIES)},
                    {"Accept": "application/sparql-results+json, text/turtle"},
                )
            )
        else:
            iri = rng.choice(iris)
            reqs.append((url + "/" + iri[len(base) :], {}, {"Accept": rng.choice(ACCEPTS)}))
    asyncio.run(burst(reqs[:100], args.concurrency))  # warm-up, not counted
    stats = asyncio.run(burst(reqs, args.concurrency))
    print(
        f"load: {len(stats.latencies):,} requests, {args.concurrency} in flight, "
        f"{args.workers} query workers; half SPARQL, half dereference"
    )
    print(
        f"  throughput {len(stats.latencies) / stats.wall:,.0f} req/s   "
        f"p50 {stats.p50:.1f} ms   p99 {stats.p(0.99):.1f} ms   errors {stats.errors}"
    )
    return stats.errors


def run_adversarial(url: str, iris: list[str], base: str, args: argparse.Namespace) -> int:
    rows = []
    baseline = None
    failures = 0
    for heavy in (0, args.workers, 2 * args.workers):
        stats, outcomes = asyncio.run(
            scenario(url, iris, base, heavy, args.seconds, args.seed + heavy)
        )
        baseline = baseline or stats
        ratio = stats.p(0.99) / baseline.p(0.99) if baseline.latencies else float("nan")
        rows.append((heavy, stats, ratio, outcomes))
        if heavy == args.workers:
            failures += stats.errors
    print(
        f"adversarial: light traffic (4 in flight, {args.seconds:g} s a scenario) beside N "
        f"heavy queries and 2 abandoning clients; {args.workers} query workers"
    )
    print(
        f"{'heavy N':>8} {'light req':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99/base':>9} "
        f"{'light err':>9}  heavy outcomes (status: count; 0 = hung up)"
    )
    for heavy, stats, ratio, outcomes in rows:
        name = "baseline" if heavy == 0 else str(heavy)
        print(
            f"{name:>8} {len(stats.latencies):>9,} {stats.p50:>8.1f} {stats.p(0.99):>8.1f} "
            f"{ratio:>9.2f} {stats.errors:>9}  {dict(sorted(outcomes.items()))}"
        )
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("load", "adversarial", "both"), default="both")
    parser.add_argument("--store", type=Path, help="a built store (default: build the sample)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=2, help="query worker processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            build_graph(SAMPLE, store, base_iri=url + "/", **{"embeddings.enabled": False})
        proc = start_server(store, port, args.workers)
        try:
            wait_ready(url, proc)
            iris = resources(url)
            base = iris[0][: iris[0].index("/", len("https://"))] + "/"
            errors = 0
            if args.mode in ("load", "both"):
                errors += run_load(url, iris, base, args)
            if args.mode in ("adversarial", "both"):
                errors += run_adversarial(url, iris, base, args)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
