"""The service under hostile or careless use: it stays up, answers clearly, and frees its workers.

Heavy queries here are cartesian products of the sample graph (about 10^10 rows): they never
finish on their own, so only the server's own limits can stop them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.conftest import (
    CHROMIUM,
    LiveServer,
    ServerThread,
    free_port,
    select,
    serving,
)

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIGHT = "SELECT ?p WHERE { ?p a ckg:Paper } LIMIT 1"


@pytest.fixture(scope="module")
def single(live: LiveServer) -> Iterator[tuple[str, ServerThread]]:
    """The sample on a server with ONE query worker that never moves heavy queries aside,
    so a light query can only run once the heavy one's worker is freed."""
    with serving(live.store, workers=1, heavy_after_s=60, timeout_s=60) as served:
        yield served


def _abandon(url: str, query: str, after_s: float, address: str = "127.0.0.9") -> int:
    """Send a query from ``address`` and hang up after ``after_s`` seconds, as an impatient
    client does (the server tells clients apart by address; the tests' own requests come
    from 127.0.0.1). The status, or 0 when it hung up."""
    transport = httpx.HTTPTransport(local_address=address)
    try:
        with httpx.Client(transport=transport, timeout=after_s) as c:
            return c.get(url + "sparql", params={"query": query}).status_code
    except (httpx.TimeoutException, httpx.RemoteProtocolError):
        return 0  # hung up on, or the server stopped first: either way the client is gone


def test_a_client_that_hangs_up_frees_its_worker_within_a_second(single) -> None:
    url, _ = single
    _abandon(url, HEAVY, 0.5, "127.0.0.31")
    gone = time.monotonic()
    with httpx.Client(base_url=url, timeout=30) as c:
        r = c.get("/sparql", params={"query": LIGHT}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    # the only worker was killed at the hang-up and its replacement answered
    assert time.monotonic() - gone < 1.5


def test_a_client_that_cycles_heavy_queries_never_holds_a_light_worker(single) -> None:
    # the one worker would run a heavy query for 60 s before moving it aside; a client that
    # abandoned one is suspect, so its next heavy query runs in the aside lane
    url, server = single
    assert _abandon(url, HEAVY, 0.6, "127.0.0.30") == 0
    again = threading.Thread(target=_abandon, args=(url, HEAVY, 4.0, "127.0.0.30"))
    again.start()
    time.sleep(0.5)
    try:
        started = time.monotonic()
        with httpx.Client(base_url=url, timeout=30) as c:
            r = c.get("/sparql", params={"query": LIGHT}, headers={"Accept": "text/csv"})
        assert r.status_code == 200, r.text
        assert time.monotonic() - started < 2.0
    finally:
        again.join()


@pytest.fixture(scope="module")
def quick(live: LiveServer) -> Iterator[str]:
    """The sample on a server that moves a query aside as heavy after 0.5 s."""
    with serving(live.store, workers=2, heavy_after_s=0.5, timeout_s=30) as (url, _):
        yield url


def _light_burst(url: str, address: str, n: int) -> list[int]:
    """``n`` light queries from ``address``, one after another: their statuses."""
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, base_url=url, timeout=30) as c:
        return [
            c.get("/sparql", params={"query": f"{LIGHT} OFFSET {i % 7}"}).status_code
            for i in range(n)
        ]


def test_a_client_with_a_heavy_query_running_still_gets_its_light_queries(quick) -> None:
    # one notebook user (one address): a long query in one cell, light ones in the next
    heavy = threading.Thread(target=_abandon, args=(quick, HEAVY, 3.0, "127.0.0.40"))
    heavy.start()
    time.sleep(1.0)  # heavy by now, on a worker of its own
    try:
        during = _light_burst(quick, "127.0.0.40", 40)
    finally:
        heavy.join()
    after = _light_burst(quick, "127.0.0.40", 40)  # it hung up: the client is suspect now
    assert during == [200] * 40
    assert after == [200] * 40


def test_only_heavy_work_is_capped_per_client(quick) -> None:
    # a second long query from the same address is refused once it turns heavy, while
    # light queries from that address and its neighbours are answered
    first = threading.Thread(target=_abandon, args=(quick, HEAVY, 4.0, "127.0.0.41"))
    first.start()
    time.sleep(1.0)
    try:
        assert _abandon(quick, HEAVY, 10.0, "127.0.0.41") == 429
        assert _light_burst(quick, "127.0.0.41", 10) == [200] * 10
    finally:
        first.join()


def test_an_oversized_body_is_413_before_it_is_read(live: LiveServer) -> None:
    body = b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * (live.settings.max_body_bytes + 1)
    r = httpx.post(
        live.url + "sparql",
        content=body,
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert r.status_code == 413 and "larger than" in r.text


def test_a_body_shorter_than_its_length_times_out_with_408(live: LiveServer) -> None:
    host, port = live.url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nSELECT"
        )
        started = time.monotonic()
        answer = s.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 408")
    assert time.monotonic() - started < live.settings.body_timeout_s + 10


def test_deep_nesting_is_a_400_not_a_crash(client: httpx.Client) -> None:
    for opening, closing in (("{ ", " }"), ("(", ")")):
        depth = 5000
        if opening == "{ ":
            query = "SELECT * WHERE " + opening * depth + "?s ?p ?o" + closing * depth
        else:
            query = "SELECT * WHERE { FILTER(" + opening * depth + "1" + closing * depth + ") }"
        r = client.post("/sparql", data={"query": query})
        assert r.status_code == 400 and "deep" in r.text
    assert select(client, LIGHT)  # and the workers are all still there


def test_head_answers_wherever_get_does(client: httpx.Client, sample_ids) -> None:
    paths = [
        "/",
        "/query",
        "/api",
        "/ontology",
        "/.well-known/void",
        "/openapi.json",
        "/sparql?format=ttl",
        "/static/style.css",
    ]
    paths.append("/" + sample_ids["paper"].split("/", 3)[3])
    for path in paths:
        get = client.get(path)
        head = client.head(path)
        assert get.status_code == head.status_code == 200, (path, get.text[:500], head.text[:300])
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]


def test_every_response_carries_security_headers_and_the_build(client: httpx.Client) -> None:
    for path in ("/", "/sparql?query=ASK%7B%7D", "/nope", "/static/style.css"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-ckg-build"]


def test_the_host_header_never_reaches_the_service_description(client: httpx.Client, live) -> None:
    for path in ("/sparql", "/.well-known/void"):
        r = client.get(path, headers={"Accept": "text/turtle", "Host": "evil.invalid"})
        assert r.status_code == 200
        assert "evil.invalid" not in r.text
        assert live.url + "sparql" in r.text


def test_javascript_iris_never_become_links(client: httpx.Client) -> None:
    query = "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <http://example.org/ok> } }"
    page = client.get("/query", params={"query": query}, headers={"Accept": CHROMIUM})
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text.lower()
    assert "javascript:alert(1)" in page.text  # shown, as text
    assert 'href="http://example.org/ok"' in page.text


def test_two_heavy_queries_do_not_starve_pages_and_light_queries(live: LiveServer) -> None:
    threads = [
        threading.Thread(target=_abandon, args=(live.url, HEAVY, 2.5, f"127.0.0.{20 + i}"))
        for i in range(2)
    ]
    for t in threads:
        t.start()
    time.sleep(1.5)  # both are heavy by now, each on a worker of its own
    with httpx.Client(base_url=live.url, timeout=10) as c:
        for _ in range(5):
            started = time.monotonic()
            assert c.get("/sparql", params={"query": LIGHT}).status_code == 200
            assert c.get("/", headers={"Accept": CHROMIUM}).status_code == 200
            assert time.monotonic() - started < 3
    for t in threads:
        t.join()


def _children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(x) for x in out.split()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def _serve(store: Path, port: int, *options: str) -> subprocess.Popen[bytes]:
    """``ckg serve`` in a process of its own, as a user starts it; returned once it answers."""
    server = subprocess.Popen(
        [sys.executable, "-c", "from ckg_rdf.cli import main; main()", "serve"]
        + ["--store", str(store), "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/sparql?format=ttl").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    return server


def _kill_leaves_nothing(server: subprocess.Popen[bytes], processes: set[int] | list[int]) -> None:
    """SIGKILL the server: every one of ``processes`` must be gone within seconds."""
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in processes):
        time.sleep(0.1)
    assert not [p for p in processes if _alive(p)]


def test_a_killed_server_leaves_no_worker_behind(live: LiveServer) -> None:
    port = free_port()
    server = _serve(live.store, port, "--workers", "2")
    try:
        workers = _children(server.pid)
        assert len(workers) >= 3  # two query workers and a page worker
        # a worker busy with a query that would never end
        threading.Thread(
            target=_abandon, args=(f"http://127.0.0.1:{port}/", HEAVY, 30), daemon=True
        ).start()
        time.sleep(1.0)
        _kill_leaves_nothing(server, workers)
    finally:
        if server.poll() is None:
            server.kill()


def test_several_server_processes_answer_and_die_with_the_server(live: LiveServer) -> None:
    import psutil

    port = free_port()
    server = _serve(live.store, port, "--workers", "1", "--processes", "2")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/", timeout=30) as c:
            for _ in range(10):  # new connections: the kernel spreads them over the processes
                r = c.get("/sparql", params={"query": LIGHT}, headers={"Connection": "close"})
                assert r.status_code == 200, r.text
        tree = [p.pid for p in psutil.Process(server.pid).children(recursive=True)]
        assert len(tree) >= 2 + 2 * 3  # two server processes, each with 3 workers (or more)
        _kill_leaves_nothing(server, tree)
    finally:
        if server.poll() is None:
            server.kill()


def test_a_server_process_that_dies_is_replaced_and_sigterm_stops_them_all(
    live: LiveServer,
) -> None:
    """``--processes``: each process listens on its own socket (SO_REUSEPORT); the
    supervisor starts a new one when one dies, and SIGTERM stops every process it made."""
    import psutil

    port = free_port()
    server = _serve(live.store, port, "--workers", "1", "--processes", "2")
    try:

        def serving() -> list[psutil.Process]:  # the server processes: they have workers
            kids = psutil.Process(server.pid).children()
            return [p for p in kids if p.is_running() and p.children()]

        first = serving()
        assert len(first) == 2
        first[0].kill()
        killed, kept = first[0].pid, first[1].pid
        deadline = time.monotonic() + 60
        pids: set[int] = set()
        while time.monotonic() < deadline:
            pids = {p.pid for p in serving() if p.status() != psutil.STATUS_ZOMBIE}
            if len(pids) == 2 and kept in pids and killed not in pids:
                break
            time.sleep(0.3)
        assert len(pids) == 2 and kept in pids and killed not in pids
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/", timeout=30) as c:
            for _ in range(10):
                r = c.get("/sparql", params={"query": LIGHT}, headers={"Connection": "close"})
                assert r.status_code == 200, r.text
        tree = [p.pid for p in psutil.Process(server.pid).children(recursive=True)]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in tree):
            time.sleep(0.2)
        assert not [p for p in tree if _alive(p)]
    finally:
        if server.poll() is None:
            server.kill()
