"""Load test of `ckg serve`: a bounded burst of concurrent SPARQL and dereference requests.

Builds the sample graph (unless --store is given), starts the real server
(`ckg serve`, uvicorn + query worker processes) on 127.0.0.1, sends
``--requests`` requests with ``--concurrency`` in flight (half SPARQL queries of
a few shapes, half dereferences of paper/author/institution IRIs in Turtle,
JSON-LD and HTML), and prints requests/s, p50/p99 latency and the error count.
Exits 1 if any request failed (anything but 200).

    python benchmarks/bench_service.py [--requests 2000] [--concurrency 32] [--workers 2]
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
from pathlib import Path

import httpx

from ckg_rdf.pipeline import build

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "cord19-sample"

QUERIES = [
    "SELECT ?p ?t WHERE { ?p a ckg:Paper ; ckg:title ?t } LIMIT 20",
    "SELECT ?a (COUNT(?p) AS ?n) WHERE { ?p ckg:authoredBy ?a } "
    "GROUP BY ?a ORDER BY DESC(?n) LIMIT 10",
    "ASK { ?p ckg:cites ?q }",
    "CONSTRUCT { ?p ckg:cites ?q } WHERE { ?p ckg:cites ?q } LIMIT 50",
]
ACCEPTS = ["text/turtle", "application/ld+json", "text/html", "application/n-triples"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-c",
        "from ckg_rdf.cli import main; main()",
        "serve",
        "--store",
        str(store),
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
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


def plan(n: int, iris: list[str], base: str, url: str, seed: int) -> list[tuple[str, dict, dict]]:
    """The burst: (url, params, headers) per request, half SPARQL, half dereference."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(
                (
                    url + "/sparql",
                    {"query": rng.choice(QUERIES)},
                    {"Accept": "application/sparql-results+json, text/turtle"},
                )
            )
        else:
            iri = rng.choice(iris)
            out.append((url + "/" + iri[len(base) :], {}, {"Accept": rng.choice(ACCEPTS)}))
    return out


async def burst(
    requests: list[tuple[str, dict, dict]], concurrency: int
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[tuple[str, dict, dict]] = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                u, params, headers = queue.get_nowait()
                t0 = time.perf_counter()
                try:
                    r = await client.get(u, params=params, headers=headers)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return latencies, errors, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build the sample)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="query worker processes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            build(SAMPLE, store, base_iri=url + "/")
        proc = start_server(store, port, args.workers)
        try:
            wait_ready(url, proc)
            iris = resources(url)
            base = iris[0][: iris[0].index("/", len("https://"))] + "/"
            reqs = plan(args.requests, iris, base, url, args.seed)
            asyncio.run(burst(reqs[:100], args.concurrency))  # warm-up, not counted
            latencies, errors, wall = asyncio.run(burst(reqs, args.concurrency))
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(
        f"requests      {len(latencies):,} ({args.concurrency} concurrent, "
        f"{args.workers} query workers; half SPARQL, half dereference)"
    )
    print(f"throughput    {len(latencies) / wall:,.0f} req/s")
    print(f"latency       p50 {p50:.1f} ms   p99 {p99:.1f} ms")
    print(f"errors        {errors}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
