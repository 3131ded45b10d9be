"""Every route of the service on one store, at 1 and 8 requests in flight (issue 21, item 6).

    python benchmarks/bench_routes.py --store DIR [--concurrency 1,8] [--seconds 5]
        [--workers 2] [--cache] [--json OUT] [--project-from SMALLER.json]

For a store built by ``ckg build`` (e.g. from ``benchmarks/synthetic_corpus.py --papers
300000``), it starts ``ckg serve`` on it and loads each route with ``wrk`` (a native client;
see ``bench_endpoint.py`` for why not a Python one):

* the home page; paper pages as HTML, Turtle and JSON-LD; author, institution and topic pages;
  the page of the concept most papers mention (the one that must not be scanned per request);
* ``/search``, ``/rank`` filtered by a topic and by a concept, ``/paper/ID/similar``;
* each named query in ``sparql/`` through ``/sparql``, bound to the example its ``# param:``
  lines give (as the CLI's ``ckg query NAME`` runs it) when the store has that resource, else
  as the file stands.

Requests for entity pages cycle through many different resources of the kind (up to
``--distinct``, drawn from the store with a fixed seed), so a route is measured rendering
pages, not answering one page from memory. The server runs with its document cache off
(``CKG_DOC_CACHE_MB=0``) unless ``--cache`` is given: the figures are the cost of rendering.
Each run follows an uncounted warm-up of 1 s at the same concurrency.

Columns: requests/s, latency p50 / p99 / max (closed loop: each connection sends its next
request when the answer arrives), failed requests (non-2xx/3xx answers + socket errors,
timeouts included; ``--timeout``). With ``--project-from`` a JSON file of the same benchmark
on a smaller store, each route's p50 and p99 are projected to 1M papers from the two sizes
(the growth exponent between them, never below 0), printed in the last columns.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from pyoxigraph import NamedNode, Variable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_endpoint import (  # noqa: E402
    Client,
    ClientResult,
    Server,
    ckg_command,
    free_port,
    http_get,
    lua_paths,
    servers_stopped,
    spawn,
    wait_ready,
)

from ckg_rdf.datadir import DataDir  # noqa: E402
from ckg_rdf.queries import named_queries  # noqa: E402
from ckg_rdf.sparql_text import bind_inline  # noqa: E402
from ckg_rdf.store.interface import select  # noqa: E402

HTML, TTL, JSONLD = "text/html", "text/turtle", "application/ld+json"
JSON_RESULTS = "application/sparql-results+json"
MILLION = 1_000_000


@dataclass
class Route:
    name: str
    accept: str
    paths: list[str]


@dataclass
class Row:
    route: str
    papers: int
    concurrency: int
    distinct: int
    result: ClientResult


def _local(iri: str, base: str) -> str:
    return "/" + iri[len(base) :] if iri.startswith(base) else iri


def _ids(store: object, kind: str, limit: int, rng: random.Random) -> list[str]:
    rows = select(store, f"SELECT ?r WHERE {{ ?r a ckg:{kind} }} LIMIT {limit * 20}")  # type: ignore[arg-type]
    found = [r["r"].value for r in rows]  # type: ignore[index]
    rng.shuffle(found)
    return found[:limit]


def _bound_text(text: str, bindings: dict[str, object]) -> str:
    return bind_inline(text, {Variable(k): v for k, v in bindings.items()})


def plan(data: DataDir, distinct: int, seed: int) -> tuple[int, list[Route], list[str]]:
    """The routes to load, with their paths, from what the store holds."""
    rng = random.Random(seed)
    store = data.open_store()
    notes: list[str] = []
    try:
        base = data.recorded_config().base_iri  # type: ignore[union-attr]
        papers = int(
            select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a ckg:Paper }")[0]["n"].value
        )  # type: ignore[union-attr]
        paper_iris = _ids(store, "Paper", distinct, rng)
        pages = {k: _ids(store, k, distinct, rng) for k in ("Author", "Institution", "Topic")}
        top = select(
            store,
            "SELECT ?c (COUNT(?p) AS ?n) WHERE { ?p ckg:associatedConcept ?c } "
            "GROUP BY ?c ORDER BY DESC(?n) LIMIT 1",
        )
        titles = [
            r["t"].value for r in select(store, "SELECT ?t WHERE { ?p ckg:title ?t } LIMIT 2000")
        ]  # type: ignore[union-attr]
        topic_labels = [
            r["l"].value
            for r in select(store, "SELECT ?l WHERE { ?t a ckg:Topic ; skos:prefLabel ?l }")
        ]  # type: ignore[union-attr]
        concept_labels = [
            r["l"].value
            for r in select(
                store,
                "SELECT ?l WHERE { ?p ckg:associatedConcept ?c . ?c skos:prefLabel ?l } LIMIT 200",
            )
        ]  # type: ignore[union-attr]
        queries = []
        for name, q in sorted(named_queries().items()):
            if name.startswith("federated/"):
                continue  # they call other servers, refused here (no --service-allow)
            bindings = q.examples()
            present = all(
                not isinstance(v, NamedNode)
                or select(store, "SELECT * WHERE { { ?r ?p ?o } UNION { ?s ?p ?r } } LIMIT 1", r=v)
                for v in bindings.values()
            )
            text = _bound_text(q.text, bindings) if bindings and present else q.text
            label = f"sparql/{name}.rq" + (" (bound)" if bindings and present else "")
            queries.append(Route(label, JSON_RESULTS, [f"/sparql?query={quote(text, safe='')}"]))
    finally:
        store.close()
    words = [w for t in titles for w in t.lower().split() if w.isalpha() and len(w) > 5]
    rng.shuffle(words)
    paper_paths = [_local(p, base) for p in paper_iris]
    routes = [
        Route("home page", HTML, ["/"]),
        Route("paper page (HTML)", HTML, paper_paths),
        Route("paper (Turtle)", TTL, paper_paths),
        Route("paper (JSON-LD)", JSONLD, paper_paths),
        Route("author page", HTML, [_local(i, base) for i in pages["Author"]]),
        Route("institution page", HTML, [_local(i, base) for i in pages["Institution"]]),
        Route("topic page", HTML, [_local(i, base) for i in pages["Topic"]]),
    ]
    if top:
        concept, n = top[0]["c"].value, int(top[0]["n"].value)  # type: ignore[union-attr]
        notes.append(f"most frequent concept: {concept} ({n:,} papers)")
        routes.append(Route(f"concept page, {n:,} papers", HTML, [_local(concept, base)]))
    routes.append(
        Route(
            "/search",
            "application/json",
            [f"/search?{urlencode({'q': w})}" for w in words[:distinct]],
        )
    )
    if topic_labels and concept_labels:
        params = [
            urlencode({"topic": rng.choice(topic_labels), "concept": rng.choice(concept_labels)})
            for _ in range(min(distinct, 200))
        ]
        routes.append(
            Route("/rank (topic + concept)", "application/json", [f"/rank?{p}" for p in params])
        )
    routes.append(
        Route("/paper/ID/similar", "application/json", [p + "/similar" for p in paper_paths])
    )
    routes += queries
    return papers, routes, notes


def start(
    store: Path,
    workers: int,
    cache: bool,
    hub_wait: float,
    max_hubs: int | None,
    tmp: Path,
    started: list[Server],
) -> Server:
    import os

    port = free_port()
    cmd = [*ckg_command(), "serve", "--store", str(store), "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers)]  # fmt: skip
    if not cache:
        os.environ["CKG_DOC_CACHE_MB"] = "0"
    if max_hubs is not None:
        os.environ["CKG_MAX_HUBS"] = str(max_hubs)
    log = tmp / "ckg.log"
    server = Server("ckg", spawn(cmd, log), port, "/sparql", log)
    started.append(server)
    wait_ready(server)
    began = time.monotonic()
    while True:  # the hubs' pages are computed in the background: measure once they are kept
        status = json.loads(http_get(server.root + "/status", "application/json")[1])
        hubs = status["hubs"]
        if not hubs["computing"] or time.monotonic() - began > hub_wait:
            break
        time.sleep(1)
    print(
        f"hub pages kept: {hubs['kept']} of {hubs['found']} after {time.monotonic() - began:.0f} s"
    )
    return server


def projected(small: dict | None, row: Row, attr: str) -> float:
    """``attr`` of ``row`` at 1M papers, from its growth between ``small`` and ``row``."""
    if small is None:
        return float("nan")
    a, b = small["result"][attr], getattr(row.result, attr)
    n_a, n_b = small["papers"], row.papers
    if not (a > 0 and b > 0 and n_b > n_a > 0):
        return float("nan")
    exponent = max(0.0, math.log(b / a) / math.log(n_b / n_a))
    return b * (MILLION / n_b) ** exponent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, metavar="DIR")
    parser.add_argument("--concurrency", default="1,8", metavar="LIST")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=500, help="resources per route (500)")
    parser.add_argument("--timeout", type=float, default=10.0, help="client timeout (10 s)")
    parser.add_argument("--cache", action="store_true", help="keep the document cache on")
    parser.add_argument("--only", metavar="TEXT", help="only routes whose name contains TEXT")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-hubs", type=int, help="hubs kept per kind (CKG_MAX_HUBS; default the server's)"
    )
    parser.add_argument(
        "--hub-wait", type=float, default=1800, help="seconds to wait for the hub pages (1800)"
    )
    parser.add_argument("--json", type=Path, metavar="OUT")
    parser.add_argument("--project-from", type=Path, metavar="SMALLER.json")
    args = parser.parse_args()
    levels = sorted({int(c) for c in args.concurrency.split(",")})
    data = DataDir(args.store)
    papers, routes, notes = plan(data, args.distinct, args.seed)
    if args.only:
        routes = [r for r in routes if args.only in r.name]
    small: dict[tuple[str, int], dict] = {}
    if args.project_from:
        for r in json.loads(args.project_from.read_text())["rows"]:
            small[(r["route"], r["concurrency"])] = r
    client = Client("wrk", args.timeout, 1)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="ckg-bench-routes-") as tmp_name:
        tmp = Path(tmp_name)
        started: list[Server] = []
        with servers_stopped(started):
            server = start(
                args.store, args.workers, args.cache, args.hub_wait, args.max_hubs, tmp, started
            )
            cache = "on" if args.cache else "off"
            print(f"store: {args.store} ({papers:,} papers); ckg serve --workers {args.workers}; "
                  f"document cache {cache}; {args.seconds} s per run")  # fmt: skip
            for note in notes:
                print(note)
            for i, route in enumerate(routes):
                try:
                    status, body = http_get(
                        server.root + route.paths[0], route.accept, timeout=args.timeout
                    )
                except OSError as exc:  # no answer within the client timeout: measured anyway
                    status, body = 0, str(exc).encode()
                if not 200 <= status < 400:
                    print(f"  {route.name}: {status or 'no answer'} {body[:200]!r}")
                script = lua_paths(tmp / f"r{i}.lua", route.paths) if len(route.paths) > 1 else None
                for c in levels:
                    client.run(server.root + route.paths[0], route.accept, c, 1, script)  # warm-up
                    result = client.run(
                        server.root + route.paths[0], route.accept, c, args.seconds, script
                    )
                    row = Row(route.name, papers, c, len(route.paths), result)
                    rows.append(row)
                    r = result
                    print(f"  {route.name:<44} {c:>2} in flight  {r.rate:8.1f} req/s  "
                          f"p50 {r.p50_ms:7.1f}  p99 {r.p99_ms:7.1f}  max {r.max_ms:7.1f} ms  "
                          f"failed {r.non2xx + r.socket_errors}", flush=True)  # fmt: skip
    print()
    head = "| route | papers | in flight | distinct | req/s | p50 ms | p99 ms | max ms | failed |"
    sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    if small:
        head += " projected 1M p50 / p99 ms |"
        sep += "---:|"
    print(head)
    print(sep)
    for row in rows:
        r = row.result
        if r.requests == 0:  # nothing answered within the run: slower than it, not failed
            line = (f"| {row.route} | {row.papers:,} | {row.concurrency} | {row.distinct} | "
                    f"0 | > {args.seconds * 1000:,} | > {args.seconds * 1000:,} | - | "
                    "none answered in the run |")  # fmt: skip
        else:
            line = (f"| {row.route} | {row.papers:,} | {row.concurrency} | {row.distinct} | "
                    f"{r.rate:,.1f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.max_ms:.1f} | "
                    f"{r.non2xx + r.socket_errors} |")  # fmt: skip
        if small:
            s = small.get((row.route, row.concurrency))
            p50, p99 = projected(s, row, "p50_ms"), projected(s, row, "p99_ms")
            line += f" {p50:.0f} / {p99:.0f} |" if not math.isnan(p99) else " - |"
        print(line)
    if args.json:
        args.json.write_text(
            json.dumps({"papers": papers, "rows": [asdict(r) for r in rows]}, indent=1)
        )
        print(f"wrote {args.json}")


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        main()
