"""A graph built once per session from examples/cord19-sample, served on 127.0.0.1.

The build is a default ``ckg build`` (concepts, embeddings, similar-papers
index) with cheaper embedding settings; without the [embed] extra it has no
embeddings and the similar-papers tests skip.

The graph is built with its base IRI set to the test server's own address, so
tests can follow the IRIs in the data exactly as a linked-data client would.
The server is the real thing (uvicorn, worker processes) on a free port.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from ckg_rdf.service import ServiceSettings, create_app
from tests.building import build_graph

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "cord19-sample"
#: a short limit so the timeout test is quick; big enough for every real query here
TIMEOUT_S = 3.0
#: what Chromium sends when it navigates to a page
CHROMIUM = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
MAX_ROWS = 10_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str  # ends with "/", equals the graph's base IRI
    store: Path
    settings: ServiceSettings


class ServerThread:
    """uvicorn in a background thread; ``stop()`` shuts it down with its workers."""

    def __init__(self, settings: ServiceSettings, port: int) -> None:
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@contextlib.contextmanager
def serving(store: Path, **settings: object) -> Iterator[tuple[str, ServerThread]]:
    """A server on ``store`` with these settings (no reloading), for as long as the block:
    its root URL and the thread (``thread.server.config.app`` is the app)."""
    port = free_port()
    server = ServerThread(
        ServiceSettings(store=str(store), reload_check_s=0, **settings),  # type: ignore[arg-type]
        port,
    )
    server.start()
    try:
        yield f"http://127.0.0.1:{port}/", server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    store = tmp_path_factory.mktemp("service-store")
    # what 'ckg build' builds (concepts, embeddings and the similar-papers index), with
    # fewer body windows and TransE epochs so the session starts sooner
    build_graph(
        SAMPLE,
        store,
        base_iri=url,
        **{"embeddings.max_body_windows": 0, "embeddings.kge_epochs": 10},
    )
    settings = ServiceSettings(
        store=str(store), timeout_s=TIMEOUT_S, max_rows=MAX_ROWS, workers=2, reload_check_s=0.5
    )
    server = ServerThread(settings, port)
    server.start()
    try:
        yield LiveServer(url, store, settings)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c


def select(client: httpx.Client, query: str) -> list[dict[str, str]]:
    """Run a SELECT through the endpoint; rows as {var: value} (via the json module)."""
    r = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


@pytest.fixture(scope="session")
def sample_ids(client: httpx.Client) -> dict[str, str]:
    """IRIs of a paper that cites another and has an affiliated author, and its neighbours."""
    rows = select(
        client,
        """SELECT ?paper ?cited ?author ?institution WHERE {
             ?paper ckg:cites ?cited ; ckg:authoredBy ?author .
             ?author ckg:affiliatedWith ?institution .
           } ORDER BY ?paper ?author ?institution LIMIT 1""",
    )
    assert rows, "the sample graph should have a citing paper with an affiliated author"
    return rows[0]


# --- a real browser (Debian's Chromium via playwright), for the browser tests ----------
DOCS = ROOT / "docs"
CHROMIUM_BIN = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the playwright package is not installed"
    )
    if not Path(CHROMIUM_BIN).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM_BIN, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: object, live: LiveServer) -> Iterator[object]:
    """A tab that can reach the server and nothing else, and fails the test on a JS error."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, base_url=live.url)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live.url) else route.abort()
        ),
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert not errors, errors
