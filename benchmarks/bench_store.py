"""Embedded store vs a remote SPARQL server, and ckg's endpoint vs the Oxigraph server itself.

In one run, on the same corpus and the same data:

1. build time (papers, concepts, citations; no vectors) into the embedded store and into an
   Oxigraph server on 127.0.0.1 (through SPARQL Update and the Graph Store Protocol);
2. SPARQL throughput and latency with ``--concurrency`` requests in flight for a small SELECT
   (LIMIT 10) and a DESCRIBE of a paper: through ckg's endpoint on the embedded store,
   through ckg's endpoint on the remote store, and from the Oxigraph server queried directly
   (the baseline, 1.00x).

    python benchmarks/bench_store.py [CORPUS_DIR] [--requests 2000] [--concurrency 8]

Needs the ``oxigraph`` server binary (``pip install oxigraph``). Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.building import build_graph  # noqa: E402

SELECT = "SELECT ?p ?t WHERE { ?p a <https://w3id.org/ckg-rdf/ontology#Paper> ; <https://w3id.org/ckg-rdf/ontology#title> ?t } LIMIT 10"  # noqa: E501


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str, params: dict, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args} exited")
        try:
            if httpx.get(url, params=params, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


async def hammer(
    url: str, params_of: list[dict], accept: str, n: int, concurrency: int
) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) for ``n`` GETs with ``concurrency`` in flight."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(n):
            queue.put_nowait(i)

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                i = queue.get_nowait()
                t0 = time.perf_counter()
                r = await client.get(
                    url, params=params_of[i % len(params_of)], headers={"Accept": accept}
                )
                latencies.append(time.perf_counter() - t0)
                errors += r.status_code != 200

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return n / wall, statistics.median(latencies) * 1000, p99 * 1000, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT / "examples" / "cord19-sample")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("oxigraph") is None:
        raise SystemExit("needs the oxigraph server binary: pip install oxigraph")

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        oxi_port, ckg_port, ckg_remote_port = free_port(), free_port(), free_port()
        oxi = subprocess.Popen(
            ["oxigraph", "serve", "--location", str(tmpdir / "server"),
             "--bind", f"127.0.0.1:{oxi_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        servers = [oxi]
        try:
            query_url = f"http://127.0.0.1:{oxi_port}/query"
            wait(query_url, {"query": "ASK {}"}, oxi)
            base = f"http://127.0.0.1:{ckg_port}/"
            no_vectors = {"embeddings.enabled": False}
            t0 = time.perf_counter()
            embedded = build_graph(args.corpus, tmpdir / "embedded", base_iri=base, **no_vectors)
            t_embedded = time.perf_counter() - t0
            t0 = time.perf_counter()
            build_graph(
                args.corpus,
                query_url,
                base_iri=base,
                **{"store.data_dir": str(tmpdir / "remote"), **no_vectors},
            )
            t_remote = time.perf_counter() - t0
            print(
                f"corpus {args.corpus}: {embedded.papers_read:,} papers, "
                f"{embedded.triples_after:,} quads"
            )
            print(f"{'build into':<34} {'seconds':>8} {'papers/s':>9} {'vs embedded':>12}")
            for name, t in (
                ("embedded Oxigraph (disk)", t_embedded),
                ("Oxigraph server (SPARQL + GSP)", t_remote),
            ):
                print(
                    f"{name:<34} {t:>8.2f} {embedded.papers_read / t:>9,.0f} "
                    f"{t_embedded / t:>11.2f}x"
                )

            cli = [
                sys.executable,
                "-c",
                "from ckg_rdf.cli import main; main()",
                "serve",
                "--workers",
                str(args.workers),
            ]
            servers.append(
                subprocess.Popen(
                    [*cli, "--store", str(tmpdir / "embedded"), "--port", str(ckg_port)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            servers.append(
                subprocess.Popen(
                    [
                        *cli,
                        "--store",
                        query_url,
                        "--data-dir",
                        str(tmpdir / "remote"),
                        "--port",
                        str(ckg_remote_port),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            ckg_local = f"http://127.0.0.1:{ckg_port}/sparql"
            ckg_remote = f"http://127.0.0.1:{ckg_remote_port}/sparql"
            wait(ckg_local, {"query": "ASK {}"}, servers[1])
            wait(ckg_remote, {"query": "ASK {}"}, servers[2])
            papers = [
                b["p"]["value"]
                for b in httpx.get(
                    ckg_local,
                    params={"query": SELECT.replace("10", "200")},
                    headers={"Accept": "application/json"},
                ).json()["results"]["bindings"]
            ]
            shapes = {
                "SELECT ... LIMIT 10": ([{"query": SELECT}], "application/sparql-results+json"),
                "DESCRIBE <paper>": (
                    [{"query": f"DESCRIBE <{p}>"} for p in papers],
                    "application/n-triples",
                ),
            }
            print(
                f"\nSPARQL, {args.requests:,} requests, {args.concurrency} in flight, "
                f"ckg with {args.workers} query workers; baseline = Oxigraph server directly"
            )
            print(
                f"{'query':<20} {'endpoint':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
                f"{'errors':>6} {'vs server':>10}"
            )
            for shape, (params, accept) in shapes.items():
                direct = [dict(p, **{"union-default-graph": ""}) for p in params]
                rows = []
                for name, url, ps in (
                    ("Oxigraph server (direct)", query_url, direct),
                    ("ckg, embedded store", ckg_local, params),
                    ("ckg, remote store", ckg_remote, params),
                ):
                    asyncio.run(hammer(url, ps, accept, 100, args.concurrency))  # warm-up
                    rows.append(
                        (
                            name,
                            *asyncio.run(hammer(url, ps, accept, args.requests, args.concurrency)),
                        )
                    )
                base_rate = rows[0][1]
                for name, rate, p50, p99, errors in rows:
                    print(
                        f"{shape:<20} {name:<28} {rate:>8,.0f} {p50:>8.1f} {p99:>8.1f} "
                        f"{errors:>6} {rate / base_rate:>9.2f}x"
                    )
        finally:
            for proc in servers:
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
