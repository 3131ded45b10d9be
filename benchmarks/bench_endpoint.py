"""Load benchmark of ckg's SPARQL endpoint against the Oxigraph server, on the same quads.

What it measures, in one run: throughput (requests/s), latency (p50, p99) and the server's
own CPU time per request, with 1, 8 and 32 requests in flight (``--concurrency``), for

* a small SELECT (LIMIT 10), the same text on every request;
* the same SELECT with a *different text on every request* (a fresh variable name and a
  cycling ``OFFSET``), so nothing keyed on the query text (a result or plan cache) can help;
* a GROUP BY: the ten most cited papers (``ckg:cites``);
* ckg only: a paper dereferenced as Turtle, JSON-LD and its HTML page.

The baseline (1.00x) is the Oxigraph server set up the way its users set it up: the graph
exported by ``ckg export --format nq``, bulk loaded with ``oxigraph load``, compacted with
``oxigraph optimize`` and served by ``oxigraph serve-read-only --union-default-graph`` (ckg
keeps its triples in named graphs; without the flag Oxigraph would answer on an empty default
graph). Before measuring, both servers must return the same 10 rows for the small SELECT.

Why the numbers can be trusted:

* **Native load generator.** ``wrk`` (or ``hey``), not a Python client: a Python client
  saturates long before a fast server does and then measures itself. A *client ceiling* is
  measured first (the same client against Oxigraph's static start page, which costs the server
  almost nothing), once with fixed paths and once with wrk's per-request Lua script; any rate
  above 0.7x the matching ceiling is flagged ``client-bound`` (the client, not the server, set
  it). On a small machine client and servers share the cores: that is also what the ceiling
  shows.
* **Same data, same run, interleaved.** Both servers serve the same quads, each measurement
  pair runs back to back (ckg then Oxigraph), each after an uncounted 1 s warm-up at the same
  concurrency, so drift and neighbours' load hit both alike.
* **Server CPU per request from the kernel's accounting**, not from the wall clock: user +
  system time of the server process, of its live descendants (recursively), and
  ``children_user + children_system`` of each (the CPU of children that already exited and
  were reaped: ckg replaces worker processes, and a dead worker's CPU must still count). Two
  figures:

  - *run*: CPU from before the run until the server is quiet again after it (its tree stops
    using CPU and is back to its process count), divided by completed requests. This includes
    the cost of the run's end: wrk drops its in-flight connections when its time is up, and
    ckg then kills the workers running those requests and starts new ones (~0.3-0.5 CPU-s
    each), a cost a real client that hangs up also causes;
  - *steady*: CPU sampled while wrk runs, from 1 s after its start to 1 s before its end
    (the middle half when ``--seconds`` < 4), divided by the requests completed in that window,
    estimated as wrk's overall rate x the window's length. wrk gives no per-second counts, and
    a per-response Lua callback would slow the client enough to change what is measured; a
    closed loop with a fixed number of connections runs at a steady rate once warm (the
    warm-up saw to that), so rate x time is a fair count. This is the marginal cost of a
    request, free of start and end effects.

  ``ckg respawns`` counts server processes that appeared during the run and its settling
  (worker replacements), seen by polling the tree every 0.1 s.
* **Latency is closed-loop** (each connection sends its next request when the previous answer
  arrives), as "latency with N in flight"; it is not an open-loop, fixed-arrival-rate latency.
  The client's timeout (``--timeout``, default 10 s) turns slower answers into errors.
* **Errors are counted, not hidden**: non-2xx/3xx answers and socket errors (connect, read,
  write, timeout) per row.

    python benchmarks/bench_endpoint.py [--store DIR] [--workers 2] [--concurrency 1,8,32]
        [--seconds 5] [--client wrk|hey] [--only ckg|oxigraph|both] [--json OUT]

Needs ``wrk`` (``apt-get install wrk``; ``hey`` works too, without the distinct-queries row)
and the ``oxigraph`` server binary (``pip install oxigraph``). All traffic stays on 127.0.0.1,
on free ports chosen at random; every loop is bounded; both servers are stopped at the end,
also on errors and Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import psutil
import pyoxigraph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "cord19-sample"

CKG = "https://w3id.org/ckg-rdf/ontology#"
SMALL = f"SELECT ?p ?t WHERE {{ ?p a <{CKG}Paper> ; <{CKG}title> ?t }} LIMIT 10"
#: the distinct-queries template: {n} is unique per request, {k} cycles over 0..DISTINCT_OFFSETS-1
DISTINCT = (
    f"SELECT ?p ?t{{n}} WHERE {{ ?p a <{CKG}Paper> ; <{CKG}title> ?t{{n}} }} LIMIT 10 OFFSET {{k}}"
)
DISTINCT_OFFSETS = 100
MOST_CITED = (
    f"SELECT ?p (COUNT(?c) AS ?n) WHERE {{ ?c <{CKG}cites> ?p }} GROUP BY ?p ORDER BY DESC(?n) "
    "LIMIT 10"
)
JSON_RESULTS = "application/sparql-results+json"
#: papers the distinct-dereference rows cycle through (each rendered, not kept)
DISTINCT_PAPERS = 3000
#: a rate above this fraction of the client ceiling is the client's, not the server's
CLIENT_BOUND = 0.7
WARMUP_S = 1.0
POLL_S = 0.1
STARTUP_TIMEOUT_S = 180.0
SETTLE_LIMIT_S = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, accept: str, timeout: float = 30.0) -> tuple[int, bytes]:
    """One GET with an explicit Accept (stdlib: only for checks, never for load)."""
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# -- servers -------------------------------------------------------------------------------
@dataclass
class Server:
    """A server under test: its process (group leader) and where it answers SPARQL."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    query_path: str  # "/sparql" or "/query"
    log: Path
    #: processes in its tree once started and quiet: after a run, it is settled when back to this
    processes: int = 0

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def query_url(self, query: str) -> str:
        return f"{self.root}{self.query_path}?query={quote(query, safe='')}"


def spawn(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in its own session (so its whole process group can be stopped)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after 10 s."""
    if proc.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_ready(server: Server, timeout: float = STARTUP_TIMEOUT_S) -> None:
    """Until the server answers ``ASK {}`` with 200; stop with its log if it exits or hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            tail = server.log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"{server.name} exited with {server.proc.returncode}:\n{tail}")
        with suppress(OSError):
            if http_get(server.query_url("ASK {}"), JSON_RESULTS, timeout=5)[0] == 200:
                settle(server.proc.pid, 1, set())
                server.processes = len(tree_pids(server.proc.pid))
                return
        time.sleep(0.2)
    raise SystemExit(f"{server.name} did not answer within {timeout:.0f} s (log: {server.log})")


def ckg_command() -> list[str]:
    """The ``ckg`` script of this environment, else ``python -m ckg_rdf.cli``."""
    script = Path(sys.executable).with_name("ckg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ckg_rdf.cli"]


def start_ckg(
    store: Path, workers: int, processes: int, tmp: Path, started: list[Server]
) -> Server:
    port = free_port()
    cmd = [*ckg_command(), "serve", "--store", str(store), "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers),
           "--processes", str(processes)]  # fmt: skip
    log = tmp / "ckg.log"
    server = Server("ckg", spawn(cmd, log), port, "/sparql", log)
    started.append(server)  # stopped at the end even if it never gets ready
    wait_ready(server)
    return server


def run_checked(cmd: list[str], what: str) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({' '.join(cmd)}):\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def start_oxigraph(store: Path, tmp: Path, started: list[Server]) -> tuple[Server, int, float]:
    """Export, bulk load, optimize, serve read-only: (server, quads, seconds to set up)."""
    t0 = time.perf_counter()
    dump = tmp / "graph.nq"
    run_checked(
        [*ckg_command(), "export", str(dump), "--store", str(store), "--format", "nq"], "ckg export"
    )
    with dump.open("rb") as f:
        quads = sum(1 for line in f if line.strip() and not line.startswith(b"#"))
    location = tmp / "oxigraph"
    run_checked(
        ["oxigraph", "load", "--location", str(location), "--file", str(dump)], "oxigraph load"
    )
    run_checked(["oxigraph", "optimize", "-l", str(location)], "oxigraph optimize")
    dump.unlink()
    port = free_port()
    cmd = ["oxigraph", "serve-read-only", "-l", str(location), "-b", f"127.0.0.1:{port}",
           "--union-default-graph"]  # fmt: skip
    log = tmp / "oxigraph.log"
    server = Server("oxigraph", spawn(cmd, log), port, "/query", log)
    started.append(server)
    wait_ready(server)
    return server, quads, time.perf_counter() - t0


def start_trivial_oxigraph(tmp: Path, started: list[Server]) -> Server:
    """An empty in-memory Oxigraph, only for the client ceiling when Oxigraph is not measured."""
    port = free_port()
    log = tmp / "oxigraph-ceiling.log"
    server = Server(
        "oxigraph (empty)",
        spawn(["oxigraph", "serve", "-b", f"127.0.0.1:{port}"], log),
        port,
        "/query",
        log,
    )
    started.append(server)
    wait_ready(server)
    return server


def small_select_rows(server: Server) -> list[dict]:
    status, body = http_get(server.query_url(SMALL), JSON_RESULTS)
    if status != 200:
        raise SystemExit(f"{server.name} answered the small SELECT with {status}: {body[:300]!r}")
    return json.loads(body)["results"]["bindings"]


def canonical(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in rows)


# -- CPU of a process tree -----------------------------------------------------------------
def tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def tree_pids(pid: int) -> set[int]:
    with suppress(psutil.Error):
        return {p.pid for p in tree(pid)}
    return set()


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid``, its live descendants and their reaped children.

    A process that exits and is reaped while the tree is being read could be missed or counted
    twice, so the read is repeated (bounded) until the set of processes did not change under it.
    """
    total = 0.0
    for _ in range(5):
        procs = tree(pid)
        total = 0.0
        for p in procs:
            with suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                t = p.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
        if {p.pid for p in procs} == tree_pids(pid):
            break
    return total


def settle(pid: int, processes: int, seen: set[int]) -> bool:
    """Wait until the tree is quiet (two 0.25 s intervals each under 10 ms of CPU) and has at
    least ``processes`` processes again (killed workers replaced); record pids in ``seen``.
    Bounded by SETTLE_LIMIT_S; False if it never settled."""
    deadline = time.monotonic() + SETTLE_LIMIT_S
    last, quiet = tree_cpu(pid), 0
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now, pids = tree_cpu(pid), tree_pids(pid)
        seen |= pids
        quiet = quiet + 1 if now - last < 0.010 and len(pids) >= processes else 0
        last = now
        if quiet >= 2:
            return True
    return False


# -- the load generator --------------------------------------------------------------------
@dataclass
class ClientResult:
    requests: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    max_ms: float = float("nan")
    non2xx: int = 0
    socket_errors: int = 0
    socket_detail: str = ""


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"unparsed duration {text!r}")
    return float(m[1]) * _UNITS[m[2]]


def parse_wrk(out: str) -> ClientResult:
    r = ClientResult()
    summary = re.search(r"(\d+) requests in ([\d.]+\w+),", out)
    if summary is None:  # wrk failed (bad URL, script error...): its message says why
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    r.requests, r.seconds = int(summary[1]), _ms(summary[2]) / 1e3
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        r.rate = float(m[1])
    if r.requests:  # with no answer at all, wrk prints 0.00us latencies: leave them unknown
        for pct, attr in (("50", "p50_ms"), ("99", "p99_ms")):
            if m := re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M):
                setattr(r, attr, _ms(m[1]))
        if m := re.search(r"^[ \t]+Latency[ \t]+\S+[ \t]+\S+[ \t]+(\S+)", out, re.M):
            r.max_ms = _ms(m[1])
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        r.non2xx = int(m[1])
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        r.socket_errors = sum(int(x) for x in m.groups())
        r.socket_detail = m[0]
    return r


def parse_hey(out: str) -> ClientResult:
    r = ClientResult()
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        r.rate = float(m[1])
    if m := re.search(r"Total:\s+([\d.]+) secs", out):
        r.seconds = float(m[1])
    for pct, attr in (("50", "p50_ms"), ("99", "p99_ms")):
        if m := re.search(rf"{pct}% in ([\d.]+) secs", out):
            setattr(r, attr, float(m[1]) * 1e3)
    if m := re.search(r"Slowest:\s+([\d.]+) secs", out):
        r.max_ms = float(m[1]) * 1e3
    statuses = re.findall(r"\[(\d{3})\]\s+(\d+) responses", out)
    r.requests = sum(int(n) for _, n in statuses)
    r.non2xx = sum(int(n) for code, n in statuses if not 200 <= int(code) < 400)
    if "Error distribution:" in out:
        errors = re.findall(r"^\s+\[(\d+)\]\s", out.split("Error distribution:", 1)[1], re.M)
        r.socket_errors = sum(int(n) for n in errors)
        r.socket_detail = "see hey's error distribution"
    if "Requests/sec" not in out:
        raise RuntimeError(f"could not read hey's output:\n{out}")
    return r


@dataclass
class Client:
    """``wrk`` or ``hey``: a command line for a timed run, and a parser for its report."""

    kind: str
    timeout_s: float
    threads: int

    def command(
        self, url: str, accept: str, concurrency: int, seconds: float, script: Path | None
    ) -> list[str]:
        secs = f"{max(1, round(seconds))}s"
        if self.kind == "wrk":
            threads = min(self.threads, concurrency)  # wrk wants -c >= -t
            cmd = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{secs}", "--latency",
                   f"--timeout={self.timeout_s:g}s", "-H", f"Accept: {accept}"]  # fmt: skip
            if script is not None:
                cmd += ["-s", str(script)]
            return [*cmd, url]
        if script is not None:
            raise ValueError("hey cannot vary the request path")
        return ["hey", "-z", secs, "-c", str(concurrency), "-t", f"{max(1, round(self.timeout_s))}",
                "-H", f"Accept: {accept}", url]  # fmt: skip

    def parse(self, out: str) -> ClientResult:
        return parse_wrk(out) if self.kind == "wrk" else parse_hey(out)

    def run(
        self, url: str, accept: str, concurrency: int, seconds: float, script: Path | None = None
    ) -> ClientResult:
        cmd = self.command(url, accept, concurrency, seconds, script)
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 120, check=False
        )
        return self.parse(done.stdout + done.stderr)


def lua_script(path: Path, query_path: str, template: str) -> Path:
    """A wrk script that sends ``template`` with {n} unique per request, {k} = n mod 100.

    The URL-encoded pieces are fixed here; Lua only concatenates numbers between them."""
    pieces = re.split(r"(\{n\}|\{k\})", template)
    parts = []
    for piece in pieces:
        if piece == "{n}":
            parts.append('string.format("%d", n)')
        elif piece == "{k}":
            parts.append(f'string.format("%d", n % {DISTINCT_OFFSETS})')
        elif piece:
            parts.append(json.dumps(quote(piece, safe="")))
    path.write_text(
        "-- generated by benchmarks/bench_endpoint.py: a different query text on every request\n"
        "local counter = 0\n"
        "function setup(thread)\n"
        "  counter = counter + 1\n"
        '  thread:set("tid", counter)\n'
        "end\n"
        "local n = 0\n"
        "function init(args)\n"
        "  n = tid * 1000000000\n"
        "end\n"
        "function request()\n"
        "  n = n + 1\n"
        f'  return wrk.format(nil, "{query_path}?query=" .. {" .. ".join(parts)})\n'
        "end\n"
    )
    return path


def lua_paths(path: Path, paths: list[str]) -> Path:
    """A wrk script cycling through ``paths`` (one per request)."""
    listed = ",\n".join(json.dumps(p) for p in paths)
    path.write_text(
        "-- generated by benchmarks/bench_endpoint.py: a different resource on every request\n"
        f"local paths = {{\n{listed}\n}}\n"
        "local i = 0\n"
        "function request()\n"
        "  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\n"
        "end\n"
    )
    return path


# -- one measurement -----------------------------------------------------------------------
@dataclass
class Measurement:
    server: str
    request: str
    concurrency: int
    client: ClientResult
    cpu_run_s: float
    cpu_window_s: float
    window_s: float
    respawns: int
    settled: bool
    ms_per_request_run: float = float("nan")
    ms_per_request_steady: float = float("nan")
    client_bound: bool = False
    notes: list[str] = field(default_factory=list)


def measure(
    client: Client,
    server: Server,
    request: str,
    url: str,
    accept: str,
    concurrency: int,
    seconds: int,
    script: Path | None,
) -> Measurement:
    """A warm-up run (not counted), then the measured run with CPU samples around and inside."""
    pid = server.proc.pid
    client.run(url, accept, concurrency, WARMUP_S, script)
    settle(pid, server.processes, set())
    before_pids = tree_pids(pid)
    seen = set(before_pids)  # every pid of the tree seen from here on; new ones are respawns
    cpu0 = tree_cpu(pid)

    # the steady window: 1 s after the start to 1 s before the end (the middle half if short)
    margin = 1.0 if seconds >= 4 else seconds / 4
    cmd = client.command(url, accept, concurrency, seconds, script)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    samples: list[tuple[float, float]] = []  # (monotonic, cpu) at the window's two ends
    marks = [started + margin, started + seconds - margin]
    deadline = started + seconds + client.timeout_s + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            now = time.monotonic()
            if marks and now >= marks[0]:
                samples.append((now, tree_cpu(pid)))
                marks.pop(0)
            seen |= tree_pids(pid)
            time.sleep(min(POLL_S, max(0.0, marks[0] - now)) if marks else POLL_S)
    finally:
        if proc.poll() is None:
            proc.kill()
        out = proc.communicate(timeout=30)[0]
    result = client.parse(out)
    settled = settle(pid, server.processes, seen)
    cpu_run = tree_cpu(pid) - cpu0
    m = Measurement(
        server=server.name,
        request=request,
        concurrency=concurrency,
        client=result,
        cpu_run_s=cpu_run,
        cpu_window_s=samples[1][1] - samples[0][1] if len(samples) == 2 else float("nan"),
        window_s=samples[1][0] - samples[0][0] if len(samples) == 2 else float("nan"),
        respawns=len(seen - before_pids),
        settled=settled,
    )
    if result.requests:
        m.ms_per_request_run = 1e3 * cpu_run / result.requests
    if len(samples) == 2 and result.rate > 0:
        m.ms_per_request_steady = 1e3 * m.cpu_window_s / (result.rate * m.window_s)
    if not settled:
        m.notes.append("server still busy (or short of processes) after the run")
    return m


# -- output --------------------------------------------------------------------------------
def fmt_rate(m: Measurement | None) -> str:
    if m is None:
        return "-"
    flag = " (client-bound)" if m.client_bound else ""
    return f"{m.client.rate:,.0f}{flag}"


def num(x: float, digits: int = 2) -> str:
    """``x`` rounded, or ``-`` where the client gave no figure (hey omits empty percentiles)."""
    return "-" if math.isnan(x) else f"{x:.{digits}f}"


def fmt_lat(m: Measurement | None) -> str:
    return "-" if m is None else f"{num(m.client.p50_ms)} / {num(m.client.p99_ms)}"


def fmt_cpu(m: Measurement | None) -> str:
    if m is None:
        return "-"
    return f"{num(m.ms_per_request_run, 3)} / {num(m.ms_per_request_steady, 3)}"


def fmt_err(m: Measurement | None) -> str:
    return "-" if m is None else f"{m.client.non2xx}+{m.client.socket_errors}"


def print_table(rows: list[tuple[str, int, Measurement | None, Measurement | None]]) -> None:
    header = [
        "request",
        "in flight",
        "ckg req/s",
        "Oxigraph req/s",
        "ckg/Oxigraph",
        "ckg p50/p99 ms",
        "Oxigraph p50/p99 ms",
        "ckg CPU ms/req run/steady",
        "Oxigraph CPU ms/req run/steady",
        "ckg errors",
        "Oxigraph errors",
        "ckg respawns",
    ]
    lines = [header]
    for request, conc, ckg, oxi in rows:
        ratio = (
            f"{ckg.client.rate / oxi.client.rate:.2f}x"
            if ckg and oxi and oxi.client.rate > 0
            else "-"
        )
        lines.append(
            [
                request,
                str(conc),
                fmt_rate(ckg),
                fmt_rate(oxi),
                ratio,
                fmt_lat(ckg),
                fmt_lat(oxi),
                fmt_cpu(ckg),
                fmt_cpu(oxi),
                fmt_err(ckg),
                fmt_err(oxi),
                "-" if ckg is None else str(ckg.respawns),
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for i, line in enumerate(lines):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


#: log lines worth reporting: log records at WARNING and above, and exceptions' last lines
NOTEWORTHY = re.compile(r"^(ERROR|WARNING|CRITICAL)\b|^\w+(\.\w+)*(Error|Exception)\b")


def log_summary(log: Path, limit: int = 8) -> list[str]:
    """The distinct noteworthy lines of a server's log, most frequent first, with counts."""
    if not log.exists():
        return []
    counts = Counter(
        line.strip()[:200]
        for line in log.read_text(errors="replace").splitlines()
        if NOTEWORTHY.match(line)
    )
    return [f"{n} x {line}" for line, n in counts.most_common(limit)]


def no_nan(value: Any) -> Any:
    """``value`` with NaN (a figure the client did not give) as None: strict JSON has no NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [no_nan(v) for v in value]
    return value


def version_of(cmd: list[str]) -> str:
    with suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    return "?"


HELP_EPILOG = """\
how it stays honest (details in the module docstring):
  a native client (wrk, else hey); a client ceiling measured first, and rates above 0.7x of it
  flagged client-bound; both servers on the same quads in the same run, interleaved, each run
  after an uncounted 1 s warm-up; server CPU per request from the kernel's accounting of the
  server's whole process tree, reaped workers included, over the whole run ("run") and over
  its middle only ("steady"); errors (non-2xx + socket errors) and ckg worker respawns counted.

example:
  python benchmarks/bench_endpoint.py --store ckg-data --seconds 5 --json endpoint.json
"""


# -- main ----------------------------------------------------------------------------------
@contextmanager
def servers_stopped(servers: list[Server]) -> Iterator[None]:
    """Stop every started server on the way out, whatever happened (Ctrl-C included)."""
    try:
        yield
    finally:
        for server in reversed(servers):
            stop(server.proc)


def build_sample(tmp: Path) -> Path:
    store = tmp / "store"
    print(f"building {SAMPLE.relative_to(ROOT)} into {store} (no embeddings) ...", flush=True)
    run_checked(
        [*ckg_command(), "build", str(SAMPLE), "--store", str(store), "--no-embeddings"],
        "ckg build",
    )
    return store


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("Why the numbers", 1)[0].rstrip(),
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--store",
        metavar="DIR",
        type=Path,
        help="a data directory made by 'ckg build' "
        "(default: build the bundled sample into a temporary directory)",
    )
    parser.add_argument(
        "--workers",
        metavar="N",
        type=int,
        default=2,
        help="ckg serve --workers (query worker processes; default 2)",
    )
    parser.add_argument(
        "--processes",
        metavar="N",
        type=int,
        default=1,
        help="ckg serve --processes (HTTP server processes, each with its own --workers; "
        "default 1)",
    )
    parser.add_argument(
        "--concurrency",
        metavar="LIST",
        default="1,8,32",
        help="requests in flight, comma-separated (default 1,8,32)",
    )
    parser.add_argument(
        "--seconds",
        metavar="S",
        type=int,
        default=5.0,
        help="seconds per measured run, after a 1 s warm-up (default 5)",
    )
    parser.add_argument(
        "--client",
        choices=["wrk", "hey"],
        default=None,
        help="load generator (default: wrk if installed, else hey)",
    )
    parser.add_argument(
        "--client-threads",
        metavar="N",
        type=int,
        default=1,
        help="wrk threads (default 1: leave the cores to the servers)",
    )
    parser.add_argument(
        "--timeout",
        metavar="S",
        type=float,
        default=10.0,
        help="client timeout per request in seconds (default 10)",
    )
    parser.add_argument(
        "--only",
        choices=["ckg", "oxigraph", "both"],
        default="both",
        help="which servers to measure (default both)",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the rows as JSON")
    args = parser.parse_args()
    try:
        args.concurrency = sorted({int(c) for c in args.concurrency.split(",")})
    except ValueError:
        parser.error("--concurrency: integers separated by commas, e.g. 1,8,32")
    if not args.concurrency or args.concurrency[0] < 1 or args.seconds < 1:
        parser.error("--concurrency values and --seconds must be >= 1")
    return args


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so the finally blocks stop the servers."""
    raise SystemExit(f"stopped by signal {signum}")


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, _terminated)
    kind = args.client or next((c for c in ("wrk", "hey") if shutil.which(c)), None)
    if kind is None or shutil.which(kind) is None:
        raise SystemExit(
            f"no load generator: {kind or 'wrk or hey'} is not installed (apt-get install wrk)"
        )
    bindir = str(Path(sys.executable).parent)  # this environment's scripts, when not activated
    if shutil.which("oxigraph") is None and shutil.which("oxigraph", path=bindir):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    if shutil.which("oxigraph") is None:
        raise SystemExit("needs the oxigraph server binary: pip install oxigraph")
    client = Client(kind, args.timeout, max(1, args.client_threads))
    want_ckg, want_oxi = args.only in ("ckg", "both"), args.only in ("oxigraph", "both")

    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="bench-endpoint-") as tmpname, servers_stopped(servers):
        tmp = Path(tmpname)
        store = args.store or build_sample(tmp)
        if not (store / "oxigraph").is_dir():
            raise SystemExit(f"{store} is not a data directory made by 'ckg build'")
        ckg = oxi = None
        quads: int | None = None
        if want_oxi:
            print("exporting, bulk loading and optimizing for the Oxigraph server ...", flush=True)
            oxi, quads, setup_s = start_oxigraph(store, tmp, servers)
            print(f"  Oxigraph ready in {setup_s:.1f} s (export + load + optimize + start)")
        if want_ckg:
            ckg = start_ckg(store, args.workers, args.processes, tmp, servers)
        if ckg and oxi:
            a, b = small_select_rows(ckg), small_select_rows(oxi)
            if len(a) != 10 or canonical(a) != canonical(b):
                raise SystemExit(
                    "the servers disagree on the small SELECT, so they do not serve the same "
                    f"data:\n ckg: {json.dumps(a)[:600]}\n Oxigraph: {json.dumps(b)[:600]}"
                )
            print("check: both servers return the same 10 rows for the small SELECT")
        if quads is None and ckg:
            count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
            status, body = http_get(ckg.query_url(count), JSON_RESULTS, timeout=120)
            if status == 200:
                quads = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

        # the client ceiling: a route that costs the server almost nothing, at the top concurrency
        top = args.concurrency[-1]
        trivial = oxi
        if trivial is None:
            trivial = start_trivial_oxigraph(tmp, servers)
        ceiling_url = f"{trivial.root}/"  # Oxigraph's static start page: no query, no store
        client.run(ceiling_url, "text/html", top, WARMUP_S)
        ceiling = client.run(ceiling_url, "text/html", top, args.seconds)
        ceiling_lua = None
        if kind == "wrk":
            script = tmp / "ceiling.lua"
            script.write_text(
                "local n = 0\nfunction request()\n  n = n + 1\n"
                '  return wrk.format(nil, "/?n=" .. string.format("%d", n))\nend\n'
            )
            ceiling_lua = client.run(ceiling_url, "text/html", top, args.seconds, script)

        # what is measured
        plans: list[tuple[str, str, str, dict[str, Path | None]]] = []  # request, accept, ...
        targets = [s for s in (ckg, oxi) if s is not None]
        plans.append(("small SELECT", JSON_RESULTS, SMALL, dict.fromkeys(("ckg", "oxigraph"))))
        if kind == "wrk":
            scripts = {
                s.name: lua_script(tmp / f"distinct-{s.name}.lua", s.query_path, DISTINCT)
                for s in targets
            }
            plans.append(("distinct SELECTs", JSON_RESULTS, SMALL, scripts))
        plans.append(
            ("most-cited GROUP BY", JSON_RESULTS, MOST_CITED, dict.fromkeys(("ckg", "oxigraph")))
        )
        paper_path = None
        if ckg:
            paper_path = urlsplit(small_select_rows(ckg)[0]["p"]["value"]).path
            for label, accept in (
                ("Turtle", "text/turtle"),
                ("JSON-LD", "application/ld+json"),
                ("HTML", "text/html"),
            ):
                status, body = http_get(ckg.root + paper_path, accept)
                if status != 200:  # a server bug to see in the errors column, not to hide
                    first = body.decode(errors="replace").strip().splitlines()[:1]
                    print(
                        f"warning: ckg answered GET {paper_path} ({accept}) with {status}: "
                        f"{first[0][:200] if first else ''}; measured anyway"
                    )
                plans.append((f"paper as {label}", accept, "", {"ckg": None}))
            if kind == "wrk":  # the same paper is kept rendered; distinct ones are rendered
                many = f"SELECT ?p WHERE {{ ?p a <{CKG}Paper> }} LIMIT {DISTINCT_PAPERS}"
                status, body = http_get(ckg.query_url(many), JSON_RESULTS, timeout=120)
                paths = [
                    urlsplit(b["p"]["value"]).path for b in json.loads(body)["results"]["bindings"]
                ]
                for label, accept in (("Turtle", "text/turtle"), ("HTML", "text/html")):
                    script = lua_paths(tmp / f"papers-{label}.lua", paths)
                    plans.append(
                        (f"paper as {label}, {len(paths):,} distinct", accept, "", {"ckg": script})
                    )

        print(
            f"\nmachine: {platform.machine()}, {os.cpu_count()} logical cores "
            f"({psutil.cpu_count(logical=False)} physical), load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        oxigraph_version = version_of(["oxigraph", "--version"])
        ckg_version = version_of([*ckg_command(), "--version"])
        client_version = version_of(["wrk", "-v"]).split(" [")[0] if kind == "wrk" else "hey"
        print(
            f"versions: python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, "
            f"{oxigraph_version} (server), {ckg_version}, {client_version}"
        )
        print(f"store: {store} ({quads:,} quads)" if quads else f"store: {store}")
        print(
            f"ckg serve --workers {args.workers} --processes {args.processes}; "
            f"paper dereferenced: {paper_path}"
        )
        print(
            f"client ceiling ({kind}, {top} in flight, Oxigraph's static start page): "
            f"{ceiling.rate:,.0f} req/s"
            + (
                f"; with the per-request Lua script: {ceiling_lua.rate:,.0f} req/s"
                if ceiling_lua
                else ""
            )
            + f"; rates above {CLIENT_BOUND}x are flagged client-bound"
        )
        print(
            f"each run: {args.seconds:g} s after a {WARMUP_S:g} s warm-up; "
            f"client timeout {args.timeout:g} s\n",
            flush=True,
        )

        measured: list[Measurement] = []
        rows: list[tuple[str, int, Measurement | None, Measurement | None]] = []
        for request, accept, query, by_server in plans:
            for conc in args.concurrency:
                pair: dict[str, Measurement] = {}
                for server in targets:
                    if server.name not in by_server:
                        continue
                    script = by_server[server.name]
                    url = (
                        ckg.root + paper_path
                        if request.startswith("paper") and ckg
                        else server.query_url(query)
                    )
                    if script is not None:
                        url = server.root + "/"
                    m = measure(client, server, request, url, accept, conc, args.seconds, script)
                    limit = ceiling_lua if script is not None and ceiling_lua else ceiling
                    m.client_bound = m.client.rate > CLIENT_BOUND * limit.rate
                    pair[server.name] = m
                    measured.append(m)
                    print(
                        f"  {request:<20} {conc:>3} in flight  {server.name:<8} "
                        f"{m.client.rate:>9,.0f} req/s  p50 {num(m.client.p50_ms)} ms  "
                        f"p99 {num(m.client.p99_ms)} ms  max {num(m.client.max_ms, 1)} ms  "
                        f"errors {m.client.non2xx}+{m.client.socket_errors}"
                        + (f"  respawns {m.respawns}" if server.name == "ckg" else "")
                        + ("".join(f"  [{n}]" for n in m.notes)),
                        flush=True,
                    )
                rows.append((request, conc, pair.get("ckg"), pair.get("oxigraph")))

        print()
        print_table(rows)
        print(
            "\nCPU ms/req: the server's process tree (live + reaped children). run = whole run "
            "until the server is quiet again (includes wrk dropping in-flight connections at the "
            "end and ckg replacing the workers it killed); steady = middle of the run only. "
            "errors = non-2xx/3xx + socket errors."
        )
        for server in servers:
            if notes := log_summary(server.log):
                print(f"\n{server.name}'s log ({server.log.name}), noteworthy lines:")
                for note in notes:
                    print(f"  {note}")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
                        "quads": quads,
                        "versions": {
                            "python": platform.python_version(),
                            "pyoxigraph": pyoxigraph.__version__,
                            "oxigraph": oxigraph_version,
                            "ckg": ckg_version,
                            "client": client_version,
                        },
                        "workers": args.workers,
                        "processes": args.processes,
                        "concurrency": args.concurrency,
                        "seconds": args.seconds,
                        "client": kind,
                        "ceiling_rps": ceiling.rate,
                        "ceiling_lua_rps": ceiling_lua.rate if ceiling_lua else None,
                        "rows": [no_nan(asdict(m)) for m in measured],
                    },
                    indent=2,
                    allow_nan=False,
                )
            )
            print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
